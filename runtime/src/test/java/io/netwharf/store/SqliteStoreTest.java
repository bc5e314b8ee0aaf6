package io.netwharf.store;

import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.model.PortBinding;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SQLite store on a temporary folder: what it keeps, in which order, its group commit, its schema and its lock. */
class SqliteStoreTest {
    private static final ActorTestKit TEST_KIT = ActorTestKit.create();
    private static final Instant T0 = Instant.parse("2026-12-04T10:00:00.123456789Z");

    @TempDir
    Path dir;

    @AfterAll
    static void stop() {
        TEST_KIT.shutdownTestKit();
    }

    private Store open() {
        return SqliteStore.open(TEST_KIT.system(), dir);
    }

    private static void await(java.util.concurrent.CompletionStage<?> stage) throws Exception {
        stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static StoredNetwork network(String id, String name, Phase phase, Instant created) {
        return new StoredNetwork(id, name, "bridge", "br-" + id, "10.1.0.0/24", "10.1.0.1", phase, created, "{\"name\":\"" + name + "\"}");
    }

    private static StoredContainer container(String id, String status, Instant created) {
        return new StoredContainer(id, "c-" + id, "debian", status, 4242, 987654321L, 137, "", created, T0.plusSeconds(1), null, 2, true,
                15, 7, "{\"id\":\"" + id + "\"}");
    }

    @Test
    void everyRowComesBackAsItWasWrittenAcrossAReopen() throws Exception {
        StoredNetwork n1 = network("n1", "front", Phase.DONE, T0);
        StoredNetwork n2 = new StoredNetwork("n2", "back", "macvlan", null, null, null, Phase.INTENT, T0.plusSeconds(5), null);
        StoredSandbox sandbox = new StoredSandbox("c1", "web", "front", null, Phase.DONE);
        StoredSandbox sharer = new StoredSandbox("c2", "side", "container:c1", "c1", Phase.INTENT);
        StoredEndpoint endpoint = new StoredEndpoint("c1", "n1", "e1", "eth0", "vethabc", "10.1.0.2", 24, "02:42:0a:01:00:02",
                List.of("web", "www"), Phase.DONE);
        StoredContainer c1 = container("c1", "running", T0);
        try (Store store = open()) {
            await(store.apply(new Change.PutNetwork(n2), new Change.PutNetwork(n1), new Change.PutSandbox(sandbox), new Change.PutSandbox(sharer),
                    new Change.PutEndpoint(endpoint), new Change.PutContainer(c1), new Change.PutSetting("k", "v")));
        }
        try (Store store = open()) {
            StoredState state = store.load();
            assertEquals(List.of(n1, n2), state.networks(), "networks by creation time");
            assertEquals(List.of(sandbox, sharer), state.sandboxes());
            assertEquals(List.of(endpoint), state.endpoints());
            assertEquals(List.of(c1), state.containers());
            assertEquals(Map.of("k", "v"), state.settings());
        }
    }

    @Test
    void changesReplaceByKeyAndDeletionsTakeWhatGoesWithThem() throws Exception {
        try (Store store = open()) {
            StoredEndpoint e1 = new StoredEndpoint("c1", "n1", "e1", "eth0", "veth1", "10.1.0.2", 24, "m", List.of(), Phase.INTENT);
            StoredEndpoint e2 = new StoredEndpoint("c1", "n2", "e2", "eth1", "veth2", "10.2.0.2", 24, "m", List.of(), Phase.DONE);
            StoredEndpoint other = new StoredEndpoint("c2", "n1", "e3", "eth0", "veth3", "10.1.0.3", 24, "m", List.of(), Phase.DONE);
            await(store.apply(new Change.PutSandbox(new StoredSandbox("c1", "a", "bridge", null, Phase.INTENT)),
                    new Change.PutEndpoint(e1), new Change.PutEndpoint(e2), new Change.PutEndpoint(other),
                    new Change.PutEndpoint(e1.with(Phase.DONE)), new Change.PutNetwork(network("n1", "x", Phase.INTENT, T0)),
                    new Change.PutNetwork(network("n1", "x", Phase.DONE, T0)), new Change.PutSetting("k", "v"),
                    new Change.PutSetting("k", null), new Change.DeleteContainer("absent")));
            StoredState state = store.load();
            assertEquals(List.of(e2, other, e1.with(Phase.DONE)), state.endpoints(), "replaced in place of the old row");
            assertEquals(Phase.DONE, state.networks().get(0).phase());
            assertEquals(Map.of(), state.settings());

            await(store.apply(new Change.DeleteSandbox("c1"), new Change.DeleteNetwork("n1")));
            state = store.load();
            assertEquals(List.of(other), state.endpoints(), "a sandbox's endpoints go with it");
            assertEquals(List.of(), state.sandboxes());
            assertEquals(List.of(), state.networks());
        }
    }

    @Test
    void concurrentChangesAreCommittedInGroupsAndAllOfThemLast() throws Exception {
        int count = 1_000;
        List<CompletableFuture<?>> all = new ArrayList<>();
        SqliteStore store = (SqliteStore) open();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<CompletableFuture<CompletableFuture<?>>> submitted = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String id = String.format("c%04d", i);
                submitted.add(CompletableFuture.supplyAsync(() ->
                        store.apply(new Change.PutContainer(container(id, "created", T0))).toCompletableFuture(), clients));
            }
            for (CompletableFuture<CompletableFuture<?>> s : submitted) {
                all.add(s.get(30, TimeUnit.SECONDS));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            assertEquals(count, store.changesCommitted());
            assertTrue(store.commits() < count / 4, "grouped: " + store.commits() + " commits for " + count + " changes");
        } finally {
            clients.shutdownNow();
            store.close();
        }
        try (Store again = open()) {
            assertEquals(count, again.load().containers().size());
        }
    }

    @Test
    void aFailedCommitFailsItsCallersNamingTheStoreAndLaterChangesStillCommit() throws Exception {
        try (Store store = open()) {
            // NOT NULL: a network without a name cannot be stored.
            StoredNetwork nameless = new StoredNetwork("n1", null, "bridge", null, null, null, Phase.DONE, T0, null);
            Exception failed = assertThrows(Exception.class, () -> await(store.apply(new Change.PutNetwork(nameless))));
            assertTrue(failed.getCause() instanceof NetwharfException, String.valueOf(failed.getCause()));
            assertTrue(failed.getCause().getMessage().contains(dir.resolve("netwharf.db").toString()), failed.getCause().getMessage());
            await(store.apply(new Change.PutNetwork(network("n2", "ok", Phase.DONE, T0))));
            assertEquals(List.of("n2"), store.load().networks().stream().map(StoredNetwork::id).toList(), "the failed group left nothing");
        }
    }

    @Test
    void aSecondOpenOfTheSameDataRootIsRefusedUntilTheFirstCloses() throws Exception {
        Store first = open();
        NetwharfException refused = assertThrows(NetwharfException.class, this::open);
        assertEquals(NetwharfException.Kind.CONFLICT, refused.kind());
        assertTrue(refused.getMessage().contains("in use by another netwharf daemon"), refused.getMessage());
        first.close();
        open().close();
    }

    @Test
    void imagesComeBackAcrossAReopenAndADeletionTakesOnlyItsOwn() throws Exception {
        StoredImage debian = new StoredImage("sha256:d1", "docker.io/library/debian:latest", T0);
        StoredImage alpine = new StoredImage("sha256:a1", "docker.io/library/alpine:3", T0.plusSeconds(1));
        try (Store store = open()) {
            await(store.apply(new Change.PutImage(alpine), new Change.PutImage(debian)));
        }
        try (Store store = open()) {
            assertEquals(List.of(debian, alpine), store.load().images(), "images by creation time");
            await(store.apply(new Change.DeleteImage("sha256:d1")));
            assertEquals(List.of(alpine), store.load().images());
        }
    }

    @Test
    void aFileOfTheFirstSchemaGainsTheLaterTablesAndColumnsAndKeepsItsRows() throws Exception {
        StoredContainer c1 = container("c1", "exited", T0);
        try (Store store = open()) {
            await(store.apply(new Change.PutContainer(c1)));
        }
        Path file = dir.resolve("netwharf.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            // What version 1 had: no images table (2), no DNS names, DNS servers or published ports (3).
            s.execute("DROP TABLE images");
            s.execute("ALTER TABLE endpoints DROP COLUMN dns_names");
            s.execute("ALTER TABLE sandboxes DROP COLUMN dns_servers");
            s.execute("ALTER TABLE sandboxes DROP COLUMN ports");
            s.execute("PRAGMA user_version = 1");
        }
        try (Store store = open()) {
            await(store.apply(new Change.PutImage(new StoredImage("sha256:d1", "docker.io/library/debian:latest", T0))));
            StoredSandbox published = new StoredSandbox("c1", "c1", "bridge", null, Phase.DONE, List.of("10.0.0.53"),
                    List.of(new PortBinding("", 8080, 80, "tcp")));
            await(store.apply(new Change.PutSandbox(published)));
            assertEquals(List.of(c1), store.load().containers());
            assertEquals(1, store.load().images().size());
            assertEquals(List.of(published), store.load().sandboxes());
        }
    }

    @Test
    void aStoreOfANewerSchemaIsRefusedNamingBothVersionsAndLeftAsItWas() throws Exception {
        open().close();
        Path file = dir.resolve("netwharf.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("PRAGMA user_version = " + (StoreSchema.VERSION + 1));
        }
        NetwharfException refused = assertThrows(NetwharfException.class, this::open);
        assertTrue(refused.getMessage().contains("schema version " + (StoreSchema.VERSION + 1)) && refused.getMessage().contains("newer"),
                refused.getMessage());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
             var r = s.executeQuery("PRAGMA user_version")) {
            assertEquals(StoreSchema.VERSION + 1, r.getInt(1));
        }
    }

    @Test
    void theFileIsTheDaemonsAloneAndInWalMode() throws Exception {
        open().close();
        Path file = dir.resolve("netwharf.db");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
             var r = s.executeQuery("PRAGMA journal_mode")) {
            assertEquals("wal", r.getString(1));
        }
    }
}
