package io.netwharf.container;

import io.netwharf.container.ContainerActor.WaitCondition;
import io.netwharf.protocol.model.EndpointSpec;
import io.netwharf.protocol.model.NetworkSpec;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.model.NetwharfException.Kind;
import io.netwharf.runtime.RuntimeFixture;

import org.apache.pekko.Done;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.netwharf.runtime.RuntimeFixture.await;
import static io.netwharf.runtime.RuntimeFixture.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Containers with processes: started inside the namespace the runtime wires, stopped with their network released.
 * Needs root and the kernel (a throwaway host namespace); runs in CI.
 */
class ContainerEngineTest {
    private RuntimeFixture fixture;
    private ContainerEngine engine;
    private Path dataRoot;

    @BeforeEach
    void start() throws IOException {
        fixture = new RuntimeFixture();
        fixture.start();
        dataRoot = Files.createTempDirectory("netwharf-data-");
        engine = await(ContainerEngine.start(RuntimeFixture.SYSTEM, fixture.netwharf, dataRoot, Duration.ofMinutes(1), false));
    }

    @AfterEach
    void stop() throws IOException {
        await(engine.stop());
        fixture.close();
    }

    private String create(String name, String mode, String... cmd) {
        return await(engine.create(ContainerRequest.of(name, mode, cmd)));
    }

    @Test
    void aProcessRunsInsideTheContainersNamespaceAndStoppingReleasesTheNetwork() throws Exception {
        String id = create("web", "bridge", "sleep", "100");
        assertEquals(ContainerView.Status.CREATED, await(engine.inspect("web")).status());
        assertTrue(await(engine.start("web")));
        assertFalse(await(engine.start(id)), "a second start changes nothing (Docker: 304)");

        ContainerView running = await(engine.inspect(id.substring(0, 8)));
        assertTrue(running.running());
        assertTrue(running.pid() > 0);
        assertEquals(inode(Path.of(running.network().sandboxKey())), inode(Path.of("/proc/" + running.pid() + "/ns/net")));
        assertNotEquals(inode(Path.of("/proc/self/ns/net")), inode(Path.of("/proc/" + running.pid() + "/ns/net")));
        assertEquals(1, await(fixture.netwharf.addressesInUse("bridge")));

        assertTrue(await(engine.stop("web", Duration.ofSeconds(5), Signals.SIGTERM)));
        ContainerView stopped = await(engine.inspect("web"));
        assertEquals(ContainerView.Status.EXITED, stopped.status());
        assertEquals(143, stopped.exitCode());
        assertNull(stopped.network());
        assertFalse(Files.exists(Path.of("/proc/" + running.pid())), "the process is gone");
        assertEquals(List.of(), fixture.namespaces());
        assertEquals(0, await(fixture.netwharf.addressesInUse("bridge")));
        assertFalse(await(engine.stop("web", Duration.ofSeconds(5), Signals.SIGTERM)), "stopping a stopped one: 304");

        assertTrue(await(engine.start("web")), "a stopped container starts again under its id");
        assertEquals(id, await(engine.inspect("web")).id());
        assertTrue(await(engine.inspect("web")).running());
    }

    @Test
    void aProcessThatExitsOnItsOwnLeavesItsCodeAndLogsAndNoNetwork() throws Exception {
        create("job", "bridge", "sh", "-c", "echo out; echo err >&2; exit 3");
        await(engine.start("job"));
        assertEquals(3, await(await(engine.waitFor("job", WaitCondition.NOT_RUNNING))));
        ContainerView done = awaitStatus("job", ContainerView.Status.EXITED);
        assertEquals(3, done.exitCode());
        assertEquals("out\n", done.log().stdout());
        assertEquals("err\n", done.log().stderr());
        assertEquals(List.of(), fixture.namespaces());
        assertEquals(0, await(fixture.netwharf.addressesInUse("bridge")));
    }

    @Test
    void stoppingTheOwnerOfASharedNamespaceStopsTheContainersThatJoinedIt() throws Exception {
        create("owner", "bridge", "sleep", "100");
        create("joiner", "container:owner", "sleep", "100");
        refused(Kind.CONFLICT, engine.start("joiner")); // the owner is not running
        await(engine.start("owner"));
        await(engine.start("joiner"));
        ContainerView owner = await(engine.inspect("owner"));
        ContainerView joiner = await(engine.inspect("joiner"));
        assertEquals(inode(Path.of("/proc/" + owner.pid() + "/ns/net")), inode(Path.of("/proc/" + joiner.pid() + "/ns/net")));

        await(engine.stop("owner", Duration.ofSeconds(5), Signals.SIGTERM));
        assertEquals(ContainerView.Status.EXITED, await(engine.inspect("joiner")).status());
        assertFalse(Files.exists(Path.of("/proc/" + joiner.pid())));
        assertEquals(List.of(), fixture.namespaces());
        waitForNoPorts();
    }

    @Test
    void aFailedStartLeavesTheContainerCreatedAndNothingInTheKernel() throws Exception {
        create("nocmd", "bridge", "no-such-program-anywhere");
        assertTrue(refused(Kind.BAD_PARAMETER, engine.start("nocmd")).getMessage()
                .contains("exec: \"no-such-program-anywhere\": executable file not found in $PATH"));
        ContainerView view = await(engine.inspect("nocmd"));
        assertEquals(ContainerView.Status.CREATED, view.status());
        assertEquals(127, view.exitCode());
        create("nonet", "nosuchnet", "sleep", "100");
        refused(Kind.NOT_FOUND, engine.start("nonet"));
        assertEquals(List.of(), fixture.namespaces());
        assertEquals(0, await(fixture.netwharf.addressesInUse("bridge")));
        waitForNoPorts();
    }

    /** A request with one setting changed from {@link ContainerRequest#of}. */
    private static ContainerRequest request(String workingDir, String user, List<String> cmd, List<String> env,
                                            Map<String, EndpointSpec> endpoints, String mode) {
        return new ContainerRequest("p", "none", cmd, env, workingDir, user, List.of(), mode, endpoints, Map.of(),
                Map.of(), null, null, false, RestartPolicy.NO, null, null, null);
    }

    @Test
    void whatCanNeverStartIsRefusedAtCreateForEmbeddedCallersToo() throws IOException {
        await(fixture.netwharf.createNetwork(NetworkSpec.named("backend").subnet("10.56.0.0/24").build()));
        List<String> t = List.of("true");
        for (ContainerRequest bad : List.of(
                request("relative", null, t, List.of(), Map.of(), "bridge"),
                request("/a\0b", null, t, List.of(), Map.of(), "bridge"),
                request(null, "nosuchuser", t, List.of(), Map.of(), "bridge"),
                request(null, null, List.of("echo", "a\0"), List.of(), Map.of(), "bridge"),
                request(null, null, t, List.of("A=\0"), Map.of(), "bridge"),
                request(null, null, t, List.of(), Map.of("backend", EndpointSpec.staticAddress("10.56.0.1")), "backend"),
                request(null, null, t, List.of(), Map.of("backend", EndpointSpec.staticAddress("10.57.0.1")), "backend"),
                request(null, null, t, List.of(), Map.of("backend", new EndpointSpec(null, List.of(), "ff:ff:ff:ff:ff:ff", null, false)),
                        "backend"),
                request(null, null, t, List.of(), Map.of(), "container"))) {
            refused(Kind.BAD_PARAMETER, engine.create(bad));
        }
        assertEquals(List.of(), await(engine.list()));
        assertEquals(List.of(), fixture.namespaces());
    }

    @Test
    void aRunningContainerIsRemovedOnlyWhenForcedAndItsNameIsFreeAgain() throws Exception {
        String id = create("gone", "bridge", "sleep", "100");
        await(engine.start("gone"));
        refused(Kind.CONFLICT, engine.remove("gone", false));
        await(engine.remove("gone", true));
        refused(Kind.NOT_FOUND, engine.inspect(id));
        assertFalse(Files.exists(dataRoot.resolve("containers").resolve(id)), "its logs are removed");
        assertEquals(List.of(), fixture.namespaces());
        refused(Kind.CONFLICT, engine.create(ContainerRequest.of("taken", "bridge"))
                .thenCompose(x -> engine.create(ContainerRequest.of("taken", "bridge"))));
        assertNotEquals(id, create("gone", "bridge"));
    }

    @Test
    void aRenameIsRefusedAsDockerRefusesItAndChangesNothing() {
        String id = create("first", "bridge");
        String other = create("second", "bridge");
        assertEquals("Error when allocating new name: Conflict. The container name \"/second\" is already in use by container \""
                + other + "\". You have to remove (or rename) that container to be able to reuse that name.",
                refused(Kind.CONFLICT, engine.rename("first", "second")).getMessage());
        assertEquals("Error when allocating new name: Invalid container name (/bad name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
                refused(Kind.BAD_PARAMETER, engine.rename("first", "bad name")).getMessage());
        assertEquals("Renaming a container with the same name as its current name",
                refused(Kind.BAD_PARAMETER, engine.rename(id.substring(0, 8), "/first")).getMessage());
        assertEquals("Neither old nor new names may be empty", refused(Kind.BAD_PARAMETER, engine.rename("first", " ")).getMessage());
        refused(Kind.NOT_FOUND, engine.rename("nobody", "third"));
        assertEquals("first", await(engine.inspect(id)).config().name());
        assertEquals(other, await(engine.inspect("second")).id());

        await(engine.rename("first", "third"));
        assertEquals(id, await(engine.inspect("third")).id());
        refused(Kind.NOT_FOUND, engine.inspect("first"));
        assertEquals(List.of("second", "third"), await(engine.list()).stream().map(v -> v.config().name()).toList());

        // Two renames at once: the last one answered wins, and the name between is free again.
        CompletionStage<Done> toFourth = engine.rename("third", "fourth");
        CompletionStage<Done> toFifth = engine.rename(id, "fifth");
        await(toFourth);
        await(toFifth);
        assertEquals("fifth", await(engine.inspect(id)).config().name());
        refused(Kind.NOT_FOUND, engine.inspect("fourth"));
        assertNotEquals(id, create("fourth", "bridge"));
    }

    @Test
    void aContainerStartedAgainGetsBackTheAddressItHadWhenItIsFree() {
        await(fixture.netwharf.createNetwork(NetworkSpec.named("backend").subnet("10.58.0.0/24").build()));
        create("again", "backend");
        create("between", "backend");
        create("taker", "bridge");
        await(engine.start("again"));
        String first = await(engine.inspect("again")).network().endpoints().get("backend").ipv4Address();
        await(engine.stop("again", Duration.ZERO, Signals.SIGKILL));
        await(engine.start("between")); // the pool's next address is another one now
        await(engine.start("again"));
        assertEquals(first, await(engine.inspect("again")).network().endpoints().get("backend").ipv4Address());

        await(engine.stop("again", Duration.ZERO, Signals.SIGKILL));
        await(engine.connect("taker", "backend", EndpointSpec.staticAddress(first)));
        await(engine.start("taker"));
        await(engine.start("again"));
        assertNotEquals(first, await(engine.inspect("again")).network().endpoints().get("backend").ipv4Address(),
                "taken by another: a free one instead, and no refusal");
    }

    @Test
    void networksConnectedBeforeTheStartAreJoinedAtIt() {
        await(fixture.netwharf.createNetwork(NetworkSpec.named("backend").subnet("10.55.0.0/24").build()));
        create("app", "bridge");
        await(engine.connect("app", "backend", EndpointSpec.staticAddress("10.55.0.9")));
        refused(Kind.FORBIDDEN, engine.connect("app", "backend", EndpointSpec.DYNAMIC));
        create("other", "backend");
        refused(Kind.BAD_PARAMETER, engine.connect("other", "bridge", EndpointSpec.staticAddress("172.17.0.9")));
        await(engine.start("app"));
        ContainerView app = await(engine.inspect("app"));
        assertEquals(List.of("bridge", "backend"), List.copyOf(app.network().endpoints().keySet()));
        assertEquals("10.55.0.9", app.network().endpoints().get("backend").ipv4Address());
        await(engine.disconnect("app", "backend"));
        assertEquals(List.of("bridge"), List.copyOf(await(engine.inspect("app")).network().endpoints().keySet()));
        assertEquals(0, await(fixture.netwharf.addressesInUse("backend")));
    }

    @Test
    void stoppingTheEngineStopsAndRemovesEveryContainer() throws Exception {
        create("one", "bridge", "sleep", "100");
        create("two", "none", "sleep", "100");
        create("idle", "bridge", "sleep", "100");
        await(engine.start("one"));
        await(engine.start("two"));
        int pid = await(engine.inspect("one")).pid();
        await(engine.stop());
        assertEquals(List.of(), await(engine.list()));
        assertFalse(Files.exists(Path.of("/proc/" + pid)));
        assertEquals(List.of(), fixture.namespaces());
        try (var left = Files.list(dataRoot.resolve("containers"))) {
            assertEquals(List.of(), left.toList(), "no logs are left");
        }
    }

    @Test
    void commandsRacingARemovalAreAnsweredNotLeftWaiting() throws Exception {
        for (int i = 0; i < 20; i++) {
            String name = "racer" + i;
            create(name, "bridge", "sleep", "100");
            await(engine.start(name));
            CompletableFuture<?> removal = engine.remove(name, true).toCompletableFuture();
            // Commands keep coming while it goes; each is answered (done, or no such container), none waits for an
            // actor that is gone, until the container is unknown.
            boolean gone = false;
            while (!gone) {
                List<CompletableFuture<?>> answers = List.of(engine.inspect(name).toCompletableFuture(),
                        engine.stop(name, Duration.ZERO, Signals.SIGKILL).toCompletableFuture(),
                        engine.waitFor(name, WaitCondition.REMOVED).thenCompose(removed -> removed).toCompletableFuture());
                for (CompletableFuture<?> answer : answers) {
                    try {
                        answer.get(10, TimeUnit.SECONDS);
                    } catch (ExecutionException e) {
                        assertEquals(Kind.NOT_FOUND, ((NetwharfException) e.getCause()).kind(), e.getCause().getMessage());
                        gone = removal.isDone();
                    }
                }
            }
            removal.get(10, TimeUnit.SECONDS);
        }
        assertEquals(List.of(), await(engine.list()));
        assertEquals(List.of(), fixture.namespaces());
    }

    private ContainerView awaitStatus(String container, ContainerView.Status status) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            ContainerView view = await(engine.inspect(container));
            if (view.status() == status) {
                return view;
            }
            Thread.sleep(50);
        }
        return await(engine.inspect(container));
    }

    /** The kernel frees the veth pairs of a deleted namespace shortly after, not at once. */
    private void waitForNoPorts() throws InterruptedException {
        for (int i = 0; i < 100 && !fixture.ports("netwharf0").isEmpty(); i++) {
            Thread.sleep(50);
        }
        assertEquals(List.of(), fixture.ports("netwharf0"));
    }

    private static Object inode(Path namespace) throws IOException {
        return Files.getAttribute(namespace, "unix:ino");
    }
}
