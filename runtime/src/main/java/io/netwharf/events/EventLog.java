package io.netwharf.events;

import io.netwharf.protocol.model.Event;

import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.stream.javadsl.Source;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * netwharf's events, as Docker's event service keeps them: the actors publish what they did ({@link #publish}), and
 * each subscriber gets a stream of those its filter accepts, first the recent ones it asks for again (the last
 * {@value #CAPACITY} events are kept in memory, and only in memory: a restart starts with none), then each new one as
 * it is published, until the time it gives or until it cancels. One {@link EventLogActor} owns the ring and the
 * subscribers, so a subscriber misses nothing between the events given again and the new ones, and gets none twice.
 */
public final class EventLog {
    /** How many past events are kept to be given again (Docker keeps 256). */
    public static final int CAPACITY = 1024;
    /** Events a subscriber may fall behind by before it loses some (Docker's pubsub drops after 100 ms). */
    static final int SUBSCRIBER_BUFFER = 4096;
    private static final AtomicLong LOGS = new AtomicLong();

    private final ActorRef<EventLogActor.Command> actor;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EventLog(ActorRef<EventLogActor.Command> actor) {
        this.actor = actor;
    }

    /** A log owned by a new system actor of {@code system}. */
    public static EventLog start(ActorSystem<?> system) {
        return new EventLog(system.systemActorOf(EventLogActor.create(CAPACITY), "netwharf-events-" + LOGS.incrementAndGet(),
                Props.empty()));
    }

    /** A log that keeps nothing: for a runtime whose events nobody can ask for. */
    public static EventLog none() {
        return new EventLog(null);
    }

    /** Adds {@code event} to the log and gives it to every subscriber whose filter accepts it; never blocks. */
    public void publish(Event event) {
        if (actor != null && !closed.get()) {
            actor.tell(new EventLogActor.Publish(event));
        }
    }

    /**
     * The events {@code filter} accepts, as Docker's {@code GET /events} gives them: with {@code since} or
     * {@code until}, first the kept events from {@code since} (null: the oldest kept) to {@code until} (null: now);
     * then, unless {@code until} has passed, each new event until {@code until} (null: until the stream is
     * cancelled or the log closes). Each materialization is a subscription of its own.
     */
    public Source<Event, NotUsed> subscribe(Instant since, Instant until, Predicate<Event> filter) {
        if (actor == null || closed.get()) {
            return Source.empty();
        }
        Instant now = Instant.now();
        boolean pastOnly = until != null && until.isBefore(now);
        Source<Event, NotUsed> events = Source.<Event>queue(SUBSCRIBER_BUFFER).mapMaterializedValue(queue -> {
            actor.tell(new EventLogActor.Subscribe(since == null ? null : nanos(since), until == null ? null : nanos(until),
                    filter, pastOnly, queue));
            return queue;
        }).watchTermination((queue, ended) -> {
            // A subscriber whose filter accepts nothing more would otherwise stay until the log closes.
            ended.whenComplete((done, failure) -> actor.tell(new EventLogActor.Unsubscribe(queue)));
            return NotUsed.notUsed();
        });
        if (until == null || pastOnly) {
            return events;
        }
        long last = nanos(until);
        return events.takeWhile(e -> e.timeNanos() <= last).takeWithin(Duration.between(now, until));
    }

    /** Ends every subscription; later events are dropped and later subscriptions are empty. */
    public void close() {
        if (actor != null && closed.compareAndSet(false, true)) {
            actor.tell(new EventLogActor.Close());
        }
    }

    static long nanos(Instant time) {
        try {
            return Math.addExact(Math.multiplyExact(time.getEpochSecond(), 1_000_000_000L), time.getNano());
        } catch (ArithmeticException e) {
            return time.getEpochSecond() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
