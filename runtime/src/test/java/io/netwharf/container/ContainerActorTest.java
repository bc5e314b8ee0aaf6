package io.netwharf.container;

import io.netwharf.Netwharf;
import io.netwharf.protocol.model.ContainerInfo;
import io.netwharf.protocol.model.Ids;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.protocol.model.NetworkMode;
import io.netwharf.runtime.RuntimeActor;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A container's start, step by step, with a probe standing in for the runtime: what the actor asks, in which order,
 * and what it undoes when a later step fails. No kernel is touched: the namespace handed back is this process's own,
 * and the process it is asked to start does not exist.
 */
class ContainerActorTest {
    private static final ActorTestKit KIT = ActorTestKit.create();
    private static final NetworkInfo BRIDGE = new NetworkInfo(Ids.newId(), "bridge", "bridge", "netwharf0", "172.17.0.0/16",
            "172.17.0.1", null, 1500, true, true, false, true, Map.of(), Map.of(), Instant.now(), Map.of());

    @TempDir
    Path dataRoot;
    private TestProbe<RuntimeActor.Command> runtime;
    private ContainerEngine engine;

    @BeforeEach
    void start() {
        runtime = KIT.createTestProbe();
        engine = await(ContainerEngine.start(KIT.system(), Netwharf.of(KIT.system(), runtime.ref(), Duration.ofSeconds(5)), dataRoot,
                Duration.ofSeconds(5), false));
    }

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    /** A program that exists when the start checks it: the test removes it while the network is being wired. */
    private Path program() throws IOException {
        Path program = Files.createTempFile(dataRoot, "program", ".sh");
        Files.writeString(program, "#!/bin/sh\n");
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwxr-xr-x"));
        return program;
    }

    @Test
    void aProcessThatCannotStartIsRefusedBeforeTheRuntimeIsAskedForAnything() {
        String id = created("web", "no-such-program-anywhere");
        NetwharfException refused = refusal(engine.start("web"));
        runtime.expectNoMessage(Duration.ofMillis(200));
        assertEquals(NetwharfException.Kind.BAD_PARAMETER, refused.kind());
        assertEquals("failed to create task for container: exec: \"no-such-program-anywhere\": executable file not found in $PATH",
                refused.getMessage());
        ContainerView view = await(engine.inspect(id));
        assertEquals(ContainerView.Status.CREATED, view.status());
        assertEquals(127, view.exitCode());
        assertEquals(refused.getMessage(), view.error());
    }

    @Test
    void aProcessThatCannotStartHasTheNetworkItWasGivenReleasedAndTheContainerStaysCreated() throws IOException {
        Path program = program();
        String id = created("web", program.toString());
        CompletionStage<Boolean> started = engine.start("web");

        RuntimeActor.CreateContainer wire = runtime.expectMessageClass(RuntimeActor.CreateContainer.class);
        assertEquals(id, wire.spec().id(), "the runtime hears the id; the name is a label");
        assertEquals(NetworkMode.BRIDGE_MODE, NetworkMode.parse(wire.spec().networkMode().text()));
        Files.delete(program); // gone between the check and the launch
        wire.replyTo().tell(StatusReply.success(ownNamespace(id)));

        // The launch fails before anything runs: the undo step gives the network back, by id.
        RuntimeActor.RemoveContainer release = runtime.expectMessageClass(RuntimeActor.RemoveContainer.class);
        assertEquals(id, release.containerId());
        runtime.expectNoMessage(Duration.ofMillis(200));
        assertTrue(pending(started), "the caller is answered only once the network is released");
        release.replyTo().tell(StatusReply.ack());

        NetwharfException refused = refusal(started);
        assertEquals(NetwharfException.Kind.BAD_PARAMETER, refused.kind());
        assertTrue(refused.getMessage().startsWith("failed to create task for container: "), refused.getMessage());
        ContainerView view = await(engine.inspect(id));
        assertEquals(ContainerView.Status.CREATED, view.status());
        assertEquals(127, view.exitCode());
        assertNull(view.network(), "no network is shown for a container that did not start");
        assertEquals(refused.getMessage(), view.error());
    }

    @Test
    void aReleaseThatFailsToo_theCallerStillHearsWhyTheProcessDidNotStart() throws IOException {
        Path program = program();
        String id = created("web", program.toString());
        CompletionStage<Boolean> started = engine.start(id.substring(0, 12));
        RuntimeActor.CreateContainer wire = runtime.expectMessageClass(RuntimeActor.CreateContainer.class);
        Files.delete(program);
        wire.replyTo().tell(StatusReply.success(ownNamespace(id)));
        runtime.expectMessageClass(RuntimeActor.RemoveContainer.class).replyTo()
                .tell(StatusReply.error(NetwharfException.internal("the kernel said no", null)));

        assertTrue(refusal(started).getMessage().startsWith("failed to create task for container: "));
        assertEquals(ContainerView.Status.CREATED, await(engine.inspect("web")).status());
    }

    @Test
    void aRuntimeThatRefusesTheNetworkLeavesNothingToUndoAndTheNextCommandIsServed() {
        String id = created("web");
        CompletionStage<Boolean> started = engine.start("/web");
        CompletionStage<ContainerView> looked = engine.inspect("web"); // answered at once, even while busy
        assertEquals(ContainerView.Status.CREATED, await(looked).status());
        CompletionStage<Boolean> stopped = engine.stop("web", Duration.ZERO, 15); // waits its turn
        runtime.expectMessageClass(RuntimeActor.CreateContainer.class).replyTo()
                .tell(StatusReply.error(NetwharfException.notFound("network nosuchnet not found")));

        assertEquals("network nosuchnet not found", refusal(started).getMessage());
        assertEquals(false, await(stopped), "not running: the waiting stop is answered after the failed start");
        runtime.expectNoMessage(Duration.ofMillis(200));
        assertEquals("network nosuchnet not found", await(engine.inspect(id)).error());
    }

    @Test
    void aStartedContainerWithoutAProcessStopsByReleasingItsNetwork() {
        String id = created("web");
        CompletionStage<Boolean> started = engine.start("web");
        runtime.expectMessageClass(RuntimeActor.CreateContainer.class).replyTo().tell(StatusReply.success(ownNamespace(id)));
        assertEquals(true, await(started));
        assertEquals(ContainerView.Status.RUNNING, await(engine.inspect(id)).status());

        CompletionStage<Boolean> stopped = engine.stop("web", Duration.ZERO, 15);
        RuntimeActor.RemoveContainer release = runtime.expectMessageClass(RuntimeActor.RemoveContainer.class);
        assertEquals(id, release.containerId());
        release.replyTo().tell(StatusReply.error(NetwharfException.internal("remove container web: EBUSY", null)));
        NetwharfException e = refusal(stopped);
        assertEquals("remove container web: EBUSY", e.getMessage());
        assertEquals(ContainerView.Status.EXITED, await(engine.inspect(id)).status(), "the process side is stopped all the same");
    }

    /** Creates a container through the engine, answering the runtime's network listing in the probe's place. */
    private String created(String name, String... cmd) {
        CompletionStage<String> created = engine.create(ContainerRequest.of(name, "bridge", cmd));
        runtime.expectMessageClass(RuntimeActor.ListNetworks.class).replyTo().tell(List.of(BRIDGE));
        return await(created);
    }

    /** The runtime's answer: a namespace (this process's own, which anyone may open) and no endpoints. */
    private static ContainerInfo ownNamespace(String id) {
        return new ContainerInfo(id, "web", "bridge", "/proc/self/ns/net", null, Map.of());
    }

    private static boolean pending(CompletionStage<?> stage) {
        return !stage.toCompletableFuture().isDone();
    }

    private static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new AssertionError(e.getCause());
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    private static NetwharfException refusal(CompletionStage<?> stage) {
        try {
            await(stage);
        } catch (NetwharfException e) {
            return e;
        }
        return fail("expected a refusal");
    }
}
