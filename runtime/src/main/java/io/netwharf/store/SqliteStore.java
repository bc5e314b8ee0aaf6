package io.netwharf.store;

import org.apache.pekko.actor.typed.ActorSystem;

import java.nio.file.Path;

/** The store in SQLite under the data root. (Being written: see issue 13.) */
public final class SqliteStore {
    private SqliteStore() {}

    /**
     * Opens (creating or migrating) {@code directory/netwharf.db}, with its one writer spawned in {@code system}.
     * Refuses a data root another daemon holds, and a database of a newer schema, naming them.
     */
    public static Store open(ActorSystem<?> system, Path directory) {
        throw new UnsupportedOperationException("the SQLite store is not written yet");
    }
}
