package io.netwharf.events;

import io.netwharf.protocol.model.Event;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The event log as Java code uses it: given again by time, then live, filtered, ended by until or close. Pure; no root. */
class EventLogTest {
    private static final ActorSystem<Void> SYSTEM = ActorSystem.create(Behaviors.empty(), "events-test");

    @AfterAll
    static void stop() {
        SYSTEM.terminate();
    }

    private static Event event(String action, long timeNanos) {
        return new Event(Event.Type.CONTAINER, action, "c1", Map.of("name", "web"), timeNanos);
    }

    private static List<String> actions(CompletionStage<List<Event>> events) throws Exception {
        return events.toCompletableFuture().get(10, TimeUnit.SECONDS).stream().map(Event::action).toList();
    }

    @Test
    void aPastSpanGivesTheKeptEventsInItAndEnds() throws Exception {
        EventLog log = EventLog.start(SYSTEM);
        IntStream.range(0, 5).forEach(i -> log.publish(event("e" + i, 1_000 + i)));
        assertEquals(List.of("e1", "e2", "e3"), actions(log.subscribe(Instant.ofEpochSecond(0, 1_001), Instant.ofEpochSecond(0, 1_003),
                e -> true).runWith(Sink.seq(), SYSTEM)));
        assertEquals(List.of("e0", "e1", "e3"), actions(log.subscribe(null, Instant.ofEpochSecond(0, 1_003),
                e -> !e.action().equals("e2")).runWith(Sink.seq(), SYSTEM)), "until alone: from the oldest kept, filtered");
        log.close();
    }

    @Test
    void onlyTheLastCapacityEventsAreKept() throws Exception {
        EventLog log = EventLog.start(SYSTEM);
        IntStream.range(0, EventLog.CAPACITY + 10).forEach(i -> log.publish(event("e" + i, 1_000 + i)));
        List<String> kept = actions(log.subscribe(Instant.EPOCH, Instant.ofEpochSecond(1), e -> true).runWith(Sink.seq(), SYSTEM));
        assertEquals(EventLog.CAPACITY, kept.size());
        assertEquals("e10", kept.get(0));
        log.close();
    }

    @Test
    void aSubscriberGetsTheKeptEventsThenTheNewOnesWithNoneTwiceUntilItsUntil() throws Exception {
        EventLog log = EventLog.start(SYSTEM);
        Instant start = Instant.now();
        log.publish(Event.now(Event.Type.NETWORK, "create", "n1", Map.of("name", "front")));
        CompletionStage<List<Event>> stream = log.subscribe(start, Instant.now().plusSeconds(2), e -> e.type() == Event.Type.NETWORK)
                .runWith(Sink.seq(), SYSTEM);
        log.publish(Event.now(Event.Type.CONTAINER, "start", "c1", Map.of()));
        log.publish(Event.now(Event.Type.NETWORK, "connect", "n1", Map.of("container", "c1")));
        assertEquals(List.of("create", "connect"), actions(stream), "the stream ends at until");
        log.close();
    }

    @Test
    void closingEndsTheStreamsAndLaterOnesAreEmpty() throws Exception {
        EventLog log = EventLog.start(SYSTEM);
        // Materializing tells the log of the subscription, before anything this thread publishes afterwards.
        CompletionStage<List<Event>> live = log.subscribe(null, null, e -> true).runWith(Sink.seq(), SYSTEM);
        log.publish(Event.now(Event.Type.IMAGE, "pull", "debian:latest", Map.of("name", "debian")));
        log.close();
        assertEquals(List.of("pull"), actions(live));
        assertEquals(List.of(), actions(log.subscribe(null, null, e -> true).runWith(Sink.seq(), SYSTEM)));
    }
}
