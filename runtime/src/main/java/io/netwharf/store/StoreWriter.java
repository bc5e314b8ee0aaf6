package io.netwharf.store;

import io.netwharf.protocol.model.NetwharfException;

import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The store's one writer, with group commit: while a transaction is being committed (on the store's executor, which
 * alone touches the connection), the changes that arrive wait here; when it ends, all of them go in the next
 * transaction, with one sync, and each caller's stage completes once that commit has. So concurrent changes cost a
 * sync per group, not per change, and order is kept: a group is committed only after the one before it.
 */
final class StoreWriter {
    sealed interface Command {}

    /** Changes to commit; {@code done} completes once they are durable, or fails naming the store and the error. */
    record Apply(List<Change> changes, CompletableFuture<Done> done) implements Command {}

    /** Commits what waits, then stops; {@code done} completes once the last commit has. */
    record Close(CompletableFuture<Done> done) implements Command {}

    private record Committed(List<Apply> group, Throwable failure) implements Command {}

    private final ActorContext<Command> context;
    private final Connection connection;
    private final String file;
    private final Executor executor;
    private final AtomicLong commits;
    private final AtomicLong changes;
    private final CompletableFuture<Done> stopped;
    private List<Apply> waiting = new ArrayList<>();
    private boolean committing;
    private CompletableFuture<Done> closing;

    private StoreWriter(ActorContext<Command> context, Connection connection, String file, Executor executor, AtomicLong commits,
                        AtomicLong changes, CompletableFuture<Done> stopped) {
        this.stopped = stopped;
        this.context = context;
        this.connection = connection;
        this.file = file;
        this.executor = executor;
        this.commits = commits;
        this.changes = changes;
    }

    /**
     * {@code commits} and {@code changes} count the transactions and the changes committed, for tests and benchmarks;
     * {@code stopped} completes when the writer has stopped, however it stopped.
     */
    static Behavior<Command> create(Connection connection, String file, Executor executor, AtomicLong commits, AtomicLong changes,
                                    CompletableFuture<Done> stopped) {
        return Behaviors.setup(context -> new StoreWriter(context, connection, file, executor, commits, changes, stopped).behavior());
    }

    private Behavior<Command> behavior() {
        return Behaviors.receive(Command.class)
                .onMessage(Apply.class, apply -> {
                    if (closing != null) {
                        apply.done().completeExceptionally(NetwharfException.internal("the store " + file + " is closed", null));
                        return Behaviors.same();
                    }
                    waiting.add(apply);
                    commitIfIdle();
                    return Behaviors.same();
                })
                .onMessage(Committed.class, this::onCommitted)
                .onMessage(Close.class, close -> {
                    closing = close.done();
                    return committing ? Behaviors.same() : closed();
                })
                .onSignal(PostStop.class, stop -> {
                    // Stopped with its actor system before a Close: nobody may wait for what it can no longer commit.
                    NetwharfException gone = NetwharfException.internal("the store " + file + " stopped before committing this", null);
                    waiting.forEach(apply -> apply.done().completeExceptionally(gone));
                    if (closing != null) {
                        closing.complete(Done.getInstance());
                    }
                    stopped.complete(Done.getInstance());
                    return Behaviors.same();
                })
                .build();
    }

    private void commitIfIdle() {
        if (committing || waiting.isEmpty()) {
            return;
        }
        List<Apply> group = waiting;
        waiting = new ArrayList<>();
        committing = true;
        context.pipeToSelf(CompletableFuture.runAsync(() -> commit(group), executor), (v, failure) -> new Committed(group, failure));
    }

    private Behavior<Command> onCommitted(Committed committed) {
        committing = false;
        for (Apply apply : committed.group()) {
            if (committed.failure() == null) {
                apply.done().complete(Done.getInstance());
            } else {
                apply.done().completeExceptionally(committed.failure().getCause() instanceof NetwharfException e ? e : committed.failure());
            }
        }
        commitIfIdle();
        return closing != null && !committing ? closed() : Behaviors.same();
    }

    private Behavior<Command> closed() {
        closing.complete(Done.getInstance());
        return Behaviors.stopped();
    }

    /** One transaction for the whole group; on the store's executor. */
    private void commit(List<Apply> group) {
        int count = group.stream().mapToInt(apply -> apply.changes().size()).sum();
        try {
            Transaction.run(connection, () -> {
                for (Apply apply : group) {
                    StoreTables.write(connection, apply.changes());
                }
            });
        } catch (SQLException | RuntimeException e) {
            throw NetwharfException.internal("write to the store " + file + ": " + e.getMessage(), e);
        }
        commits.incrementAndGet();
        changes.addAndGet(count);
    }
}
