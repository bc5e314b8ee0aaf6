package io.netwharf.store;

import org.apache.pekko.Done;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The store of a runtime that keeps nothing across runs (an embedded runtime whose config names no folder). */
final class NoStore implements Store {
    static final NoStore INSTANCE = new NoStore();
    private static final CompletionStage<Done> DONE = CompletableFuture.completedFuture(Done.getInstance());

    private NoStore() {}

    @Override
    public StoredState load() {
        return new StoredState(List.of(), List.of(), List.of(), List.of(), Map.of());
    }

    @Override
    public CompletionStage<Done> apply(List<Change> changes) {
        return DONE;
    }

    @Override
    public Path location() {
        return null;
    }

    @Override
    public void close() {}
}
