package io.netwharf.gateway;

import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;

import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The connections of one listener, each behind a {@link ConnectionGuard}: closes a connection that stays idle (or
 * trickles its request in) past the {@link ConnectionLimits}, makes room at the connection cap by closing the
 * connection idle the longest, and drains them all when the listener stops.
 *
 * <p>With the cap, idle connections cannot lock the API: while one of them is idle, a new connection always gets in.
 */
final class GuardedConnections {
    /** One guarded connection, as its guard lets others act on it; every call but the getters is thread-safe. */
    interface Member {
        /** {@link System#nanoTime()} since when it has been idle, or {@link Long#MAX_VALUE} while a request is in progress. */
        long idleSince();

        /** Closes it if it is still idle. */
        void evict();

        /** Closes it once the request in progress (if any) is answered; past {@code deadline}, answers 503 and closes. */
        void drain(Duration deadline);

        CompletionStage<Done> closed();
    }

    private final ConnectionLimits limits;
    private final int maxConnections;
    private final Set<Member> members = ConcurrentHashMap.newKeySet();
    private volatile Duration draining;

    GuardedConnections(ConnectionLimits limits, int maxConnections) {
        this.limits = limits;
        this.maxConnections = maxConnections;
    }

    /** {@code handler} with a guard of its own for each connection it serves. */
    Flow<HttpRequest, HttpResponse, NotUsed> guard(Flow<HttpRequest, HttpResponse, ?> handler) {
        return BidiFlow.fromGraph(new ConnectionGuard(limits, this)).reversed().join(handler);
    }

    int size() {
        return members.size();
    }

    /** A connection starts: at the cap, the connection idle the longest (not this one) is closed to make room. */
    void joined(Member member) {
        members.add(member);
        Duration deadline = draining;
        if (deadline != null) {
            member.drain(deadline); // raced with drain()
            return;
        }
        if (members.size() >= maxConnections) {
            evictIdlest(member);
        }
    }

    /** Closes the connection idle the longest, if one is idle; says whether there was one. */
    boolean evictIdlest() {
        return evictIdlest(null);
    }

    private boolean evictIdlest(Member spared) {
        Optional<Member> idlest = members.stream().filter(m -> m != spared && m.idleSince() != Long.MAX_VALUE)
                .min(Comparator.comparingLong(Member::idleSince));
        idlest.ifPresent(m -> {
            members.remove(m); // counted out now, so that a burst of new connections closes as many, not the same one
            m.evict();
        });
        return idlest.isPresent();
    }

    void left(Member member) {
        members.remove(member);
    }

    /**
     * Closes every idle connection now and the others once answered; past {@code deadline}, what is still in progress
     * is answered 503 (or cut, when its answer has begun). Completes when all are closed.
     */
    CompletionStage<Done> drain(Duration deadline) {
        draining = deadline;
        CompletableFuture<?>[] closing = members.stream().map(m -> {
            m.drain(deadline);
            return m.closed().toCompletableFuture();
        }).toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(closing).thenApply(all -> Done.getInstance());
    }
}
