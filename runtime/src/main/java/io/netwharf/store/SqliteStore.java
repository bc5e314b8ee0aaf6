package io.netwharf.store;

import io.netwharf.kernel.Directories;
import io.netwharf.protocol.model.NetwharfException;

import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The store in SQLite, in {@code <directory>/netwharf.db}, as Podman keeps its state: WAL mode, so a user can read
 * it with {@code sqlite3} while the daemon writes; {@code synchronous=FULL}, so a commit is on disk before its caller
 * hears of it (NORMAL would survive a kill -9 but not a power loss, and the store promises what was acknowledged).
 * One daemon at a time: {@code netwharf.lock} beside it is locked while the store is open.
 */
public final class SqliteStore implements Store {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteStore.class);
    static final String FILE = "netwharf.db";
    static final String LOCK = "netwharf.lock";
    public static final DispatcherSelector DISPATCHER = DispatcherSelector.fromConfig("netwharf.store-dispatcher");

    private final Path file;
    private final String url;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Connection connection;
    private final ActorRef<StoreWriter.Command> writer;
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong changes = new AtomicLong();
    private final CompletableFuture<Done> closed = new CompletableFuture<>();
    private final CompletableFuture<Done> writerStopped = new CompletableFuture<>();

    private SqliteStore(ActorSystem<?> system, Path file, FileChannel lockChannel, FileLock lock, Connection connection) {
        this.file = file;
        this.url = "jdbc:sqlite:" + file;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.connection = connection;
        Executor executor = system.dispatchers().lookup(DISPATCHER);
        this.writer = system.systemActorOf(StoreWriter.create(connection, file.toString(), executor, commits, changes, writerStopped),
                "netwharf-store-" + UUID.randomUUID(), Props.empty());
    }

    /**
     * Opens (creating or migrating) {@code directory/netwharf.db}, with its one writer spawned in {@code system}.
     * Refuses a data root another daemon holds, and a database of a newer schema, naming them.
     */
    public static Store open(ActorSystem<?> system, Path directory) {
        Path file = directory.resolve(FILE);
        FileChannel channel = null;
        FileLock lock = null;
        Connection connection = null;
        try {
            Directories.ensure(directory, Directories.TRAVERSE_ONLY);
            channel = FileChannel.open(directory.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by this very process: another runtime of it uses the data root
            }
            if (lock == null) {
                throw NetwharfException.conflict("data root " + directory + " is in use by another netwharf daemon (it holds "
                        + directory.resolve(LOCK) + ")");
            }
            if (!Files.exists(file)) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            connection = connect(file);
            int found = StoreSchema.migrate(connection, file.toString());
            if (found != StoreSchema.VERSION) {
                LOG.info("store {}: schema migrated from version {} to {}", file, found, StoreSchema.VERSION);
            }
            return new SqliteStore(system, file, channel, lock, connection);
        } catch (IOException | SQLException | RuntimeException e) {
            closeQuietly(connection, lock, channel);
            if (e instanceof NetwharfException n) {
                throw n;
            }
            throw NetwharfException.internal("open the store " + file + ": " + e.getMessage(), e);
        }
    }

    private static Connection connect(Path file) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(10_000);
        return config.createConnection("jdbc:sqlite:" + file);
    }

    /** Reads everything, on a connection of its own: WAL lets it read while the writer commits. */
    @Override
    public StoredState load() {
        try (Connection reader = connect(file)) {
            return StoreTables.read(reader);
        } catch (SQLException | RuntimeException e) {
            throw NetwharfException.internal("read the store " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public CompletionStage<Done> apply(List<Change> changes) {
        CompletableFuture<Done> done = new CompletableFuture<>();
        if (changes.isEmpty()) {
            done.complete(Done.getInstance());
        } else {
            writer.tell(new StoreWriter.Apply(List.copyOf(changes), done));
        }
        return done;
    }

    @Override
    public Path location() {
        return file;
    }

    /** Transactions committed since the store was opened: one per group. */
    public long commits() {
        return commits.get();
    }

    /** Changes committed since the store was opened. */
    public long changesCommitted() {
        return changes.get();
    }

    /**
     * Commits what waits, then closes the file and lets go of the data root. Waits at most 10 s for the last commit
     * (a commit takes milliseconds), and not at all for a writer that stopped with its actor system.
     */
    @Override
    public synchronized void close() {
        if (closed.isDone()) {
            return;
        }
        CompletableFuture<Done> flushed = new CompletableFuture<>();
        writer.tell(new StoreWriter.Close(flushed));
        try {
            // The writer may have stopped with its actor system already: then nobody answers the Close.
            CompletableFuture.anyOf(flushed, writerStopped).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.error("store {}: the last changes may not be committed: {}", file, e.toString());
        }
        closeQuietly(connection, lock, lockChannel);
        closed.complete(Done.getInstance());
    }

    private static void closeQuietly(Connection connection, FileLock lock, FileChannel channel) {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException e) {
            LOG.warn("closing the store's connection: {}", e.getMessage());
        }
        try {
            if (lock != null) {
                lock.release();
            }
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            LOG.warn("releasing the store's lock: {}", e.getMessage());
        }
    }
}
