package io.netwharf.events;

import io.netwharf.protocol.model.Event;

import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;

/**
 * The owner of the recent events (a ring of {@code capacity}) and of the subscribers: one message at a time, so a new
 * subscriber gets the kept events it asks for and then every later one, in the order they were published.
 */
final class EventLogActor {
    private static final Logger LOG = LoggerFactory.getLogger(EventLogActor.class);

    sealed interface Command {}

    record Publish(Event event) implements Command {}

    /**
     * @param since    nanoseconds since the epoch; null: from the oldest kept, when {@code until} is given
     * @param until    nanoseconds since the epoch; null: none
     * @param pastOnly {@code until} has passed: the kept events alone, then the end
     */
    record Subscribe(Long since, Long until, Predicate<Event> filter, boolean pastOnly, BoundedSourceQueue<Event> queue)
            implements Command {}

    /** The subscriber's stream has ended. */
    record Unsubscribe(BoundedSourceQueue<Event> queue) implements Command {}

    record Close() implements Command {}

    private static final class Subscriber {
        final Predicate<Event> filter;
        final BoundedSourceQueue<Event> queue;
        /** Whether it has lost an event already: only the first loss is logged. */
        boolean lostSome;

        Subscriber(Predicate<Event> filter, BoundedSourceQueue<Event> queue) {
            this.filter = filter;
            this.queue = queue;
        }
    }

    private final int capacity;
    private final Deque<Event> recent = new ArrayDeque<>();
    private final List<Subscriber> subscribers = new ArrayList<>();

    private EventLogActor(int capacity) {
        this.capacity = capacity;
    }

    static Behavior<Command> create(int capacity) {
        return Behaviors.setup(context -> new EventLogActor(capacity).running());
    }

    private Behavior<Command> running() {
        return Behaviors.receive(Command.class)
                .onMessage(Publish.class, this::onPublish)
                .onMessage(Subscribe.class, this::onSubscribe)
                .onMessage(Unsubscribe.class, m -> {
                    subscribers.removeIf(s -> s.queue == m.queue());
                    return Behaviors.same();
                })
                .onMessage(Close.class, m -> {
                    subscribers.forEach(s -> s.queue.complete());
                    return Behaviors.stopped();
                })
                .build();
    }

    private Behavior<Command> onPublish(Publish publish) {
        Event event = publish.event();
        if (recent.size() == capacity) {
            recent.removeFirst();
        }
        recent.addLast(event);
        for (Iterator<Subscriber> i = subscribers.iterator(); i.hasNext(); ) {
            Subscriber s = i.next();
            if (!accepts(s.filter, event)) {
                continue;
            }
            QueueOfferResult offered = s.queue.offer(event);
            if (offered == QueueOfferResult.closed() || offered instanceof QueueOfferResult.Failure) {
                i.remove(); // the stream ended: its subscriber has gone
            } else if (offered == QueueOfferResult.dropped() && !s.lostSome) {
                s.lostSome = true;
                LOG.warn("a subscriber to events is {} events behind: a {} {} event was dropped for it, and later ones will be "
                        + "until it catches up", EventLog.SUBSCRIBER_BUFFER, event.type().text(), event.action());
            }
        }
        return Behaviors.same();
    }

    /** Docker's {@code loadBufferedEvents}: only with {@code since} or {@code until}; then the new ones unless past. */
    private Behavior<Command> onSubscribe(Subscribe subscribe) {
        if (subscribe.since() != null || subscribe.until() != null) {
            long since = subscribe.since() == null ? Long.MIN_VALUE : subscribe.since();
            long until = subscribe.until() == null ? Long.MAX_VALUE : subscribe.until();
            for (Event event : recent) {
                if (event.timeNanos() >= since && event.timeNanos() <= until && accepts(subscribe.filter(), event)) {
                    subscribe.queue().offer(event);
                }
            }
        }
        if (subscribe.pastOnly()) {
            subscribe.queue().complete();
        } else {
            subscribers.add(new Subscriber(subscribe.filter(), subscribe.queue()));
        }
        return Behaviors.same();
    }

    /** A filter that throws refuses the event (and the log goes on for the others). */
    private static boolean accepts(Predicate<Event> filter, Event event) {
        try {
            return filter.test(event);
        } catch (RuntimeException e) {
            LOG.warn("an events filter failed on a {} {} event: {}", event.type().text(), event.action(), e.toString());
            return false;
        }
    }
}
