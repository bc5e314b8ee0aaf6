package io.netwharf.container;

import io.netwharf.store.Change;
import io.netwharf.store.Store;
import io.netwharf.store.StoredContainer;
import io.netwharf.store.StoredState;

import org.apache.pekko.Done;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A durable store in memory for the engine's tests: it makes each change durable 50 ms after it is applied, in order,
 * and records what was durable when; {@link #load} gives the containers it was given.
 */
final class RecordingStore implements Store {
    /** One thread: changes become durable in the order they were applied. */
    private static final ScheduledExecutorService WRITER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "recording-store");
        t.setDaemon(true);
        return t;
    });

    private final List<StoredContainer> initial;
    private final List<Change> durable = new ArrayList<>();

    RecordingStore(List<StoredContainer> initial) {
        this.initial = List.copyOf(initial);
    }

    @Override
    public StoredState load() {
        return new StoredState(List.of(), List.of(), List.of(), initial, Map.of());
    }

    @Override
    public synchronized CompletionStage<Done> apply(List<Change> changes) {
        List<Change> batch = List.copyOf(changes);
        CompletableFuture<Done> written = new CompletableFuture<>();
        WRITER.schedule(() -> {
            synchronized (this) {
                durable.addAll(batch);
            }
            written.complete(Done.getInstance());
        }, 50, TimeUnit.MILLISECONDS);
        return written;
    }

    /** The changes durable so far. */
    synchronized List<Change> written() {
        return List.copyOf(durable);
    }

    /** The last durable row of container {@code id}; null if none. */
    synchronized StoredContainer last(String id) {
        StoredContainer found = null;
        for (Change c : durable) {
            if (c instanceof Change.PutContainer put && put.container().id().equals(id)) {
                found = put.container();
            }
        }
        return found;
    }

    @Override
    public Path location() {
        return Path.of("/nonexistent/recording-store");
    }

    @Override
    public void close() {}
}
