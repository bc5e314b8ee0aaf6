package io.netwharf.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The store's tables, versioned by SQLite's {@code user_version}: each migration takes the file from one version to
 * the next, all of them in one transaction, so a failed migration leaves the file as it was. Names are plain so a
 * user reading the file with {@code sqlite3} understands it: ids as text, times as ISO-8601 text, phases as
 * {@code intent}/{@code done}, requests and configs as JSON text.
 */
final class StoreSchema {
    /** The migrations, in order: the one at index i takes version i to i + 1. */
    private static final List<String> MIGRATIONS = List.of("""
            CREATE TABLE networks (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                driver TEXT NOT NULL,
                link TEXT,
                subnet TEXT,
                gateway TEXT,
                phase TEXT NOT NULL,
                created TEXT NOT NULL,
                spec TEXT
            );
            CREATE TABLE sandboxes (
                container_id TEXT PRIMARY KEY,
                label TEXT NOT NULL,
                mode TEXT NOT NULL,
                shares_with TEXT,
                phase TEXT NOT NULL
            );
            CREATE TABLE endpoints (
                container_id TEXT NOT NULL,
                network_id TEXT NOT NULL,
                endpoint_id TEXT NOT NULL,
                interface TEXT,
                host_interface TEXT,
                address TEXT,
                prefix_length INTEGER NOT NULL,
                mac TEXT,
                aliases TEXT NOT NULL,
                phase TEXT NOT NULL,
                PRIMARY KEY (container_id, network_id)
            );
            CREATE TABLE containers (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                image TEXT,
                status TEXT NOT NULL,
                pid INTEGER NOT NULL,
                pid_start_time INTEGER NOT NULL,
                exit_code INTEGER NOT NULL,
                error TEXT,
                created TEXT NOT NULL,
                started_at TEXT,
                finished_at TEXT,
                restart_count INTEGER NOT NULL,
                manually_stopped INTEGER NOT NULL,
                stop_signal INTEGER NOT NULL,
                stop_timeout INTEGER NOT NULL,
                config TEXT NOT NULL
            );
            CREATE TABLE settings (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            );
            """, """
            CREATE TABLE images (
                id TEXT PRIMARY KEY,
                reference TEXT NOT NULL,
                created TEXT NOT NULL
            );
            """, """
            ALTER TABLE endpoints ADD COLUMN dns_names TEXT NOT NULL DEFAULT '[]';
            ALTER TABLE sandboxes ADD COLUMN dns_servers TEXT NOT NULL DEFAULT '[]';
            ALTER TABLE sandboxes ADD COLUMN ports TEXT NOT NULL DEFAULT '[]';
            """);

    /** The version this code reads and writes. */
    static final int VERSION = MIGRATIONS.size();

    private StoreSchema() {}

    /**
     * Brings the file to {@link #VERSION}; refuses one of a newer version (written by a newer netwharf), naming both.
     * Answers the version the file had.
     */
    static int migrate(Connection connection, String file) throws SQLException {
        int found;
        try (Statement statement = connection.createStatement(); var result = statement.executeQuery("PRAGMA user_version")) {
            found = result.getInt(1);
        }
        if (found > VERSION) {
            throw new IllegalStateException("the store " + file + " has schema version " + found + ", newer than this netwharf's "
                    + VERSION + ": it was written by a newer netwharf");
        }
        if (found == VERSION) {
            return found;
        }
        Transaction.run(connection, () -> {
            try (Statement statement = connection.createStatement()) {
                for (int version = found; version < VERSION; version++) {
                    for (String sql : MIGRATIONS.get(version).split(";")) {
                        if (!sql.isBlank()) {
                            statement.execute(sql);
                        }
                    }
                }
                statement.execute("PRAGMA user_version = " + VERSION);
            }
        });
        return found;
    }
}
