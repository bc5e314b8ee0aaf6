package io.netwharf.container;

import io.netwharf.protocol.model.EndpointSpec;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.model.NetworkMode;
import io.netwharf.protocol.model.NetworkSpec;
import io.netwharf.protocol.model.PortBinding;
import io.netwharf.runtime.RuntimeFixture;
import io.netwharf.store.Change;
import io.netwharf.store.StoredContainer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.netwharf.runtime.RuntimeFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Containers kept in a store ({@link RecordingStore}, durable 50 ms after each change): what is answered is durable
 * first, rows carry the container's state, a new engine brings the rows back, and restart policies act. Needs root
 * and the kernel (a throwaway host namespace); runs in CI.
 */
class ContainerStoreTest {
    private RuntimeFixture fixture;
    private Path dataRoot;
    private RecordingStore store;
    private ContainerEngine engine;

    @BeforeEach
    void start() throws IOException {
        fixture = new RuntimeFixture();
        fixture.start();
        dataRoot = Files.createTempDirectory("netwharf-data-");
    }

    @AfterEach
    void stop() throws IOException {
        if (engine != null) {
            await(engine.stop());
        }
        fixture.close();
    }

    private ContainerEngine engine(List<StoredContainer> rows) {
        return engine(rows, false);
    }

    private ContainerEngine engine(List<StoredContainer> rows, boolean liveRestore) {
        store = new RecordingStore(rows);
        engine = await(ContainerEngine.start(RuntimeFixture.SYSTEM, fixture.netwharf, store, dataRoot, Duration.ofMinutes(1),
                liveRestore));
        return engine;
    }

    @Test
    void everyAnsweredChangeIsDurableBeforeTheAnswer() {
        engine(List.of());
        await(fixture.netwharf.createNetwork(NetworkSpec.named("backend").subnet("10.57.0.0/24").build()));
        String id = await(engine.create(ContainerRequest.of("web", "bridge", "sleep", "600")));
        StoredContainer created = store.last(id);
        assertEquals("created", created.status());
        assertEquals("web", created.name());
        assertEquals(0, created.pid());

        await(engine.connect("web", "backend", new EndpointSpec("10.57.0.7", List.of("db"))));
        ContainerConfig kept = ContainerRows.config(store.last(id).configJson());
        assertEquals(List.of("bridge", "backend"), List.copyOf(kept.networks().keySet()));
        assertEquals(new EndpointSpec("10.57.0.7", List.of("db")), kept.networks().get("backend"));

        assertTrue(await(engine.start("web")));
        StoredContainer running = store.last(id);
        ContainerView view = await(engine.inspect("web"));
        assertEquals("running", running.status());
        assertEquals(view.pid(), running.pid());
        assertTrue(running.pid() > 0);
        assertEquals(io.netwharf.kernel.ProcessStartTime.of(view.pid()).getAsLong(), running.pidStartTime());
        assertEquals(view.startedAt(), running.startedAt());

        assertTrue(await(engine.stop("web", Duration.ofSeconds(5), Signals.SIGTERM)));
        StoredContainer stopped = store.last(id);
        assertEquals("exited", stopped.status());
        assertEquals(143, stopped.exitCode());
        assertEquals(0, stopped.pid());
        assertTrue(stopped.manuallyStopped(), "docker stop marks it stopped by a user");
        assertEquals(await(engine.inspect("web")).finishedAt(), stopped.finishedAt());

        await(engine.remove("web", false));
        List<Change> durable = store.written();
        assertEquals(new Change.DeleteContainer(id), durable.get(durable.size() - 1));
    }

    @Test
    void theConfigRoundTripsThroughItsJson() {
        ContainerConfig config = new ContainerConfig("a".repeat(64), "web", "debian", List.of("sh", "-c", "x"), List.of("A=1"), "/tmp",
                "nobody", List.of("audio"), new NetworkMode.Container("db"), Map.of(), Map.of("k", "v"),
                Map.of("HostConfig.LogConfig", "{\"Type\":\"local\"}"), 2, 30, false, RestartPolicy.of("on-failure", 4),
                Instant.parse("2026-12-04T23:59:59.123456789Z"),
                new NameSettings("web1", "example.org", List.of("10.0.0.53"), List.of("corp"), List.of("ndots:2"), List.of("db:10.0.0.9")),
                new PortSettings(List.of("80/tcp"), List.of(new PortBinding("127.0.0.1", 8080, 80, "tcp")), true), new StdinSettings(true, true));
        assertEquals(config, ContainerRows.config(ContainerRows.json(config)));
        ContainerConfig bridged = new ContainerConfig("b".repeat(64), "b", "i", List.of(), List.of(), null, null, List.of(),
                NetworkMode.parse("backend"), Map.of("backend", new EndpointSpec("10.0.0.2", List.of("x"), "02:42:0a:00:00:02", "eth1",
                false)), Map.of(), Map.of(), 15, null, true, RestartPolicy.NO, Instant.now(), null, null, null);
        assertEquals(bridged, ContainerRows.config(ContainerRows.json(bridged)));
    }

    @Test
    void aRenameIsDurableBeforeItsAnswerAndTheOldNameIsFreeAgain() throws Exception {
        engine(List.of());
        String id = await(engine.create(ContainerRequest.of("before", "bridge", "true")));
        await(engine.rename("before", "/after"));
        assertEquals("after", store.last(id).name(), "the row has the new name once the rename is answered");
        assertEquals("after", ContainerRows.config(store.last(id).configJson()).name());
        assertNotEquals(id, await(engine.create(ContainerRequest.of("before", "bridge", "true"))),
                "the old name can be taken by another container");
        List<StoredContainer> rows = List.of(store.last(id));
        await(engine.remove("before", true));
        await(engine.stop());

        engine(rows);
        assertEquals(id, await(engine.inspect("after")).id(), "a new engine knows it by its new name");
        RuntimeFixture.refused(NetwharfException.Kind.NOT_FOUND, engine.inspect("before"));
    }

    @Test
    void aNewEngineBringsBackCreatedAndExitedContainersWithTheirState() throws Exception {
        engine(List.of());
        String createdId = await(engine.create(ContainerRequest.of("fresh", "bridge", "true")));
        String exitedId = await(engine.create(ContainerRequest.of("done", "bridge", "sh", "-c", "echo hi; exit 3")));
        await(engine.start("done"));
        assertEquals(3, await(await(engine.waitFor("done", ContainerActor.WaitCondition.NOT_RUNNING))));
        Thread.sleep(200); // the exit's row: nobody waits on it
        List<StoredContainer> rows = List.of(store.last(createdId), store.last(exitedId));
        ContainerView before = await(engine.inspect("done"));
        await(engine.stop());

        engine(rows); // as the next start of the daemon would see them
        ContainerView fresh = await(engine.inspect("fresh"));
        assertEquals(ContainerView.Status.CREATED, fresh.status());
        ContainerView done = await(engine.inspect(exitedId.substring(0, 10)));
        assertEquals(ContainerView.Status.EXITED, done.status());
        assertEquals(3, done.exitCode());
        assertEquals(before.startedAt(), done.startedAt());
        assertEquals(before.finishedAt(), done.finishedAt());
        assertEquals(before.config(), done.config());
        assertEquals("hi\n", done.log().stdout(), "the logs are kept across restarts");
        assertTrue(await(engine.start("done")), "and it starts again");
    }

    @Test
    void aRunningContainerIsRestoredWithItsProcessAdopted() throws Exception {
        engine(List.of(), true);
        String id = await(engine.create(ContainerRequest.of("live", "none")));
        await(engine.start("live")); // its namespace, which the runtime keeps
        await(engine.stop()); // live restore: left running
        assertTrue(await(fixture.netwharf.inspectContainer(id)).sandboxKey() != null);
        // A process that is not this JVM's child, as a restarted daemon finds its containers' processes. It holds the
        // container's stdout pipe as a process netwharf starts does (read and write), and writes while no daemon reads.
        Path fifo = dataRoot.resolve("containers").resolve(id).resolve("stdout.fifo");
        new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
        Process sh = new ProcessBuilder("setsid", "sh", "-c", "sh -c 'exec 1<>\"$0\"; echo while down; sleep 1; echo after; "
                + "exec sleep 600' \"" + fifo + "\" </dev/null 2>/dev/null & echo $!").start();
        int pid;
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(sh.getInputStream()))) {
            pid = Integer.parseInt(out.readLine().trim());
        }
        sh.waitFor();
        try {
            StoredContainer created = store.last(id);
            StoredContainer running = new StoredContainer(id, created.name(), created.image(), "running", pid,
                    io.netwharf.kernel.ProcessStartTime.of(pid).getAsLong(), 0, "", created.created(), Instant.now(), null, 0, false,
                    Signals.SIGTERM, 10, created.configJson());
            engine(List.of(running));
            ContainerView view = await(engine.inspect("live"));
            assertEquals(ContainerView.Status.RUNNING, view.status());
            assertEquals(pid, view.pid());
            assertEquals(id, view.network().id());
            // The files its process had bound, written at the start before the restart.
            assertEquals(dataRoot.resolve("containers").resolve(id).resolve("hosts").toAbsolutePath(), view.names().hostsFile().toAbsolutePath());
            assertEquals(id.substring(0, 12), view.hostname());
            for (int i = 0; i < 100 && !view.log().stdout().equals("while down\nafter\n"); i++) {
                Thread.sleep(50);
            }
            assertEquals("while down\nafter\n", view.log().stdout(), "written to the pipe while no daemon read it, then read");

            assertTrue(await(engine.stop("live", Duration.ofSeconds(5), Signals.SIGTERM)));
            ContainerView stopped = await(engine.inspect("live"));
            assertEquals(ContainerView.Status.EXITED, stopped.status());
            assertEquals(io.netwharf.kernel.ContainerProcess.UNKNOWN_EXIT, stopped.exitCode());
            assertFalse(alive(pid), "the adopted process was stopped");
        } finally {
            new ProcessBuilder("kill", "-9", String.valueOf(pid)).start().waitFor();
        }
    }

    @Test
    void aRunningContainerWhoseProcessIsGoneIsRestoredExited() throws Exception {
        engine(List.of(), true);
        String id = await(engine.create(ContainerRequest.of("ghost", "none")));
        await(engine.start("ghost"));
        await(engine.stop());
        StoredContainer created = store.last(id);
        // A pid whose start time does not match: the process it named is gone (the pid may be anyone's now).
        StoredContainer running = new StoredContainer(id, created.name(), created.image(), "running", 1, 1, 0, "", created.created(),
                Instant.now(), null, 0, false, Signals.SIGTERM, 10, created.configJson());
        engine(List.of(running));
        ContainerView view = await(engine.inspect("ghost"));
        assertEquals(ContainerView.Status.EXITED, view.status());
        assertEquals(io.netwharf.kernel.ContainerProcess.UNKNOWN_EXIT, view.exitCode());
        assertEquals(ContainerActor.UNKNOWN_EXIT_ERROR, view.error());
        for (int i = 0; i < 50 && store.last(id) == null; i++) {
            Thread.sleep(20); // the restore's own write: nobody waits on it
        }
        assertEquals("exited", store.last(id).status());
        assertEquals(List.of(), fixture.namespaces(), "its network was released");
    }

    @Test
    void withADurableStoreTheEngineStopKeepsContainersStoppedWithTheirLogs() throws Exception {
        engine(List.of());
        String id = await(engine.create(ContainerRequest.of("kept", "bridge", "sh", "-c", "echo up; exec sleep 600")));
        await(engine.start("kept"));
        int pid = await(engine.inspect("kept")).pid();
        await(engine.stop());
        assertFalse(alive(pid), "stopped");
        StoredContainer row = store.last(id);
        assertEquals("exited", row.status());
        assertEquals(143, row.exitCode());
        assertFalse(row.manuallyStopped(), "the daemon's stop is not a user's: a policy applies again at the next start");
        assertFalse(store.written().contains(new Change.DeleteContainer(id)), "kept, not removed");
        assertEquals("up\n", new ContainerLog(dataRoot.resolve("containers").resolve(id), id).stdout());
        assertEquals(List.of(), fixture.namespaces(), "its network released, as at any stop");
    }

    @Test
    void withLiveRestoreTheEngineStopLeavesRunningContainersRunning() throws Exception {
        engine(List.of(), true);
        String id = await(engine.create(ContainerRequest.of("live", "bridge", "sleep", "600")));
        await(engine.start("live"));
        int pid = await(engine.inspect("live")).pid();
        try {
            await(engine.stop());
            assertTrue(alive(pid), "left running");
            assertEquals("running", store.last(id).status());
            assertEquals(pid, store.last(id).pid());
            assertEquals(1, fixture.namespaces().size(), "its namespace too");
        } finally {
            new ProcessBuilder("kill", "-9", String.valueOf(pid)).start().waitFor();
        }
    }

    @Test
    void theDaemonsStartRestartsWhatThePoliciesSayAsMobysRestore() throws Exception {
        engine(List.of());
        String always = await(engine.create(ContainerRequest.of("always", "bridge", "sleep", "600")
                .withRestartPolicy(RestartPolicy.of("always", 0))));
        String neverRan = await(engine.create(ContainerRequest.of("never-ran", "bridge", "sleep", "600")
                .withRestartPolicy(RestartPolicy.of("always", 0))));
        String userStopped = await(engine.create(ContainerRequest.of("user-stopped", "bridge", "sleep", "600")
                .withRestartPolicy(RestartPolicy.of("unless-stopped", 0))));
        String daemonStopped = await(engine.create(ContainerRequest.of("daemon-stopped", "bridge", "sleep", "600")
                .withRestartPolicy(RestartPolicy.of("unless-stopped", 0))));
        String clean = await(engine.create(ContainerRequest.of("clean", "bridge", "true")
                .withRestartPolicy(RestartPolicy.of("on-failure", 0))));
        await(engine.start("always"));
        await(engine.start("user-stopped"));
        await(engine.start("daemon-stopped"));
        await(engine.start("clean"));
        await(engine.stop("user-stopped", Duration.ofSeconds(5), Signals.SIGTERM));
        awaitView("clean", v -> v.status() == ContainerView.Status.EXITED);
        await(engine.stop()); // the daemon stops: kept, not marked as stopped by a user
        List<StoredContainer> rows = List.of(always, neverRan, userStopped, daemonStopped, clean).stream().map(store::last).toList();

        engine(rows);
        assertEquals(ContainerView.Status.RUNNING, await(engine.inspect("always")).status());
        assertEquals(ContainerView.Status.RUNNING, await(engine.inspect("daemon-stopped")).status());
        assertEquals(ContainerView.Status.CREATED, await(engine.inspect("never-ran")).status(), "never started: left alone");
        assertEquals(ContainerView.Status.EXITED, await(engine.inspect("user-stopped")).status());
        assertEquals(ContainerView.Status.EXITED, await(engine.inspect("clean")).status(), "on-failure, and it exited 0");
        assertEquals("running", store.last(always).status(), "written before the start was answered");
    }

    @Test
    void onFailureRestartsAtMostItsCount() throws Exception {
        engine(List.of());
        String id = await(engine.create(ContainerRequest.of("job", "bridge", "sh", "-c", "exit 3")
                .withRestartPolicy(RestartPolicy.of("on-failure", 2))));
        await(engine.start("job"));
        ContainerView done = awaitView("job", v -> v.status() == ContainerView.Status.EXITED && v.restartCount() == 2);
        assertEquals(ContainerView.Status.EXITED, done.status());
        assertEquals(2, done.restartCount());
        assertEquals(3, done.exitCode());
        Thread.sleep(1000); // no third restart: 100 ms, then 200 ms, were the delays
        assertEquals(2, await(engine.inspect("job")).restartCount());
        assertEquals(ContainerView.Status.EXITED, await(engine.inspect(id)).status());
    }

    @Test
    void alwaysBringsBackAProcessKilledFromOutside() throws Exception {
        engine(List.of());
        await(engine.create(ContainerRequest.of("svc", "bridge", "sleep", "600").withRestartPolicy(RestartPolicy.of("always", 0))));
        await(engine.start("svc"));
        int pid = await(engine.inspect("svc")).pid();
        new ProcessBuilder("kill", "-9", String.valueOf(pid)).start().waitFor();
        ContainerView back = awaitView("svc", v -> v.running() && v.pid() != pid);
        assertTrue(back.running());
        assertNotEquals(pid, back.pid());
        assertEquals(1, back.restartCount());
        assertEquals(137, back.exitCode());

        assertTrue(await(engine.stop("svc", Duration.ofSeconds(5), Signals.SIGTERM)), "a user's stop is not restarted");
        Thread.sleep(500);
        assertEquals(ContainerView.Status.EXITED, await(engine.inspect("svc")).status());
        assertNull(await(engine.inspect("svc")).network());
    }

    /** Whether {@code pid} runs: neither gone nor a zombie (whoever adopted the orphan may not have reaped it yet). */
    private static boolean alive(int pid) throws IOException {
        Path stat = Path.of("/proc/" + pid + "/stat");
        if (!Files.exists(stat)) {
            return false;
        }
        String text = Files.readString(stat);
        return !text.substring(text.lastIndexOf(')') + 2).startsWith("Z");
    }

    private ContainerView awaitView(String container, java.util.function.Predicate<ContainerView> condition) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            ContainerView view = await(engine.inspect(container));
            if (condition.test(view)) {
                return view;
            }
            Thread.sleep(50);
        }
        return await(engine.inspect(container));
    }
}
