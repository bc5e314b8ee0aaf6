package io.netwharf.store;

import org.apache.pekko.Done;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * What netwharf knows, kept across restarts and crashes: networks, sandboxes with their endpoints, containers, and a
 * few settings (the default network's choice). One writer; concurrent changes are committed in groups. A change is
 * durable (synced) when its stage completes: anything acknowledged to a client waits for that.
 */
public interface Store extends AutoCloseable {
    /** Everything stored, read at start before any change. */
    StoredState load();

    /**
     * Commits {@code changes} in one transaction, in order, grouped with the changes that arrived meanwhile (one
     * transaction, one sync for the group). Changes are committed in the order they were applied, so a completed
     * stage means every change applied before it is durable too.
     */
    CompletionStage<Done> apply(List<Change> changes);

    default CompletionStage<Done> apply(Change... changes) {
        return apply(List.of(changes));
    }

    /** The database file; null when nothing is kept. */
    Path location();

    /** Whether changes survive the process: false for {@link #none()}. */
    default boolean durable() {
        return location() != null;
    }

    @Override
    void close();

    /** Keeps nothing: every change completes at once; the runtime forgets everything when it stops, as before the store. */
    static Store none() {
        return NoStore.INSTANCE;
    }
}
