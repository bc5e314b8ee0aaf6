package io.netwharf.runtime;

import io.netwharf.network.NetworkActor;
import io.netwharf.network.NetworkHandle;
import io.netwharf.ipam.PoolActor;
import io.netwharf.protocol.model.EndpointInfo;
import io.netwharf.protocol.model.EndpointSpec;
import io.netwharf.protocol.model.Ids;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.sandbox.SandboxActor;
import io.netwharf.store.Change;
import io.netwharf.store.MemoryStore;
import io.netwharf.store.Phase;
import io.netwharf.store.StoredSandbox;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runtime's creation saga ({@link ContainerWiring}) with a probe standing in for the sandbox: no kernel, no root.
 * Its one undo (the sandbox's Destroy) comes after every answer, whichever step failed, and the caller hears the
 * first failure; a failed undo is reported with what it left.
 */
class ContainerWiringTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create();
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private final TestProbe<SandboxActor.Command> sandbox = testKit.createTestProbe();
    private final TestProbe<ContainerWiring.Outcome> runtime = testKit.createTestProbe();
    private final String id = Ids.newId();
    private final MemoryStore store = new MemoryStore();

    private StoredSandbox record() {
        return new StoredSandbox(id, "web", "bridge", null, Phase.DONE);
    }

    @Test
    void everyStepAnsweredGivesTheNamespaceAndTheEndpointsInTheJoinsOrder() {
        List<ContainerWiring.Join> joins = List.of(join("n1"), join("n2"));
        testKit.spawn(ContainerWiring.create(sandbox.ref(), record(), joins, store,
                ContainerWiring.Publishing.NONE, TIMEOUT, runtime.ref()));
        SandboxActor.Create create = sandbox.expectMessageClass(SandboxActor.Create.class);
        SandboxActor.Connect first = sandbox.expectMessageClass(SandboxActor.Connect.class);
        SandboxActor.Connect second = sandbox.expectMessageClass(SandboxActor.Connect.class);
        assertEquals("n1", first.network().name(), "sent at once, in the joins' order");
        assertEquals("n2", second.network().name());
        second.replyTo().tell(StatusReply.success(endpoint("n2", "eth1")));
        create.replyTo().tell(StatusReply.success("/run/netwharf/netns/x"));
        first.replyTo().tell(StatusReply.success(endpoint("n1", "eth0")));

        ContainerWiring.Wired wired = assertInstanceOf(ContainerWiring.Wired.class, runtime.receiveMessage());
        assertEquals(id, wired.containerId());
        assertEquals("/run/netwharf/netns/x", wired.sandboxKey());
        assertEquals(List.of("eth0", "eth1"), wired.endpoints().stream().map(EndpointInfo::interfaceName).toList());
        sandbox.expectNoMessage(Duration.ofMillis(200)); // no undo
        assertEquals(List.of(new Change.PutSandbox(record())), store.applied(), "recorded before the runtime heard");
    }

    @Test
    void aFailedConnectIsUndoneOnlyOnceEveryStepHasAnsweredAndTheCallerHearsThatFailure() {
        testKit.spawn(ContainerWiring.create(sandbox.ref(), record(), List.of(join("n1"), join("n2")), store,
                ContainerWiring.Publishing.NONE, TIMEOUT, runtime.ref()));
        SandboxActor.Create create = sandbox.expectMessageClass(SandboxActor.Create.class);
        SandboxActor.Connect first = sandbox.expectMessageClass(SandboxActor.Connect.class);
        SandboxActor.Connect second = sandbox.expectMessageClass(SandboxActor.Connect.class);
        create.replyTo().tell(StatusReply.success("/run/netwharf/netns/x"));
        first.replyTo().tell(StatusReply.error(NetwharfException.forbidden("Address already in use: 10.1.0.5")));
        sandbox.expectNoMessage(Duration.ofMillis(200)); // the second connect is still queued in the sandbox: no Destroy yet
        second.replyTo().tell(StatusReply.success(endpoint("n2", "eth0")));

        SandboxActor.Destroy destroy = sandbox.expectMessageClass(SandboxActor.Destroy.class);
        runtime.expectNoMessage(Duration.ofMillis(100)); // the caller hears once the namespace is gone
        destroy.replyTo().tell(StatusReply.ack());
        ContainerWiring.Failed failed = assertInstanceOf(ContainerWiring.Failed.class, runtime.receiveMessage());
        assertEquals(NetwharfException.Kind.FORBIDDEN, failed.error().kind());
        assertEquals("Address already in use: 10.1.0.5", failed.error().getMessage(), "a refusal keeps Docker's words");
        assertNull(failed.leftover());
        assertEquals(List.of(new Change.DeleteSandbox(id)), store.applied(), "a creation undone leaves no record");
    }

    @Test
    void aNamespaceThatCouldNotBeMadeIsReportedBeforeTheConnectsItTookDown() {
        testKit.spawn(ContainerWiring.create(sandbox.ref(), record(), List.of(join("n1")), store,
                ContainerWiring.Publishing.NONE, TIMEOUT, runtime.ref()));
        SandboxActor.Create create = sandbox.expectMessageClass(SandboxActor.Create.class);
        SandboxActor.Connect connect = sandbox.expectMessageClass(SandboxActor.Connect.class);
        connect.replyTo().tell(StatusReply.error(NetwharfException.conflict("connect container web to network n1: it has no namespace")));
        create.replyTo().tell(StatusReply.error(new IllegalStateException("mount: Permission denied")));

        sandbox.expectMessageClass(SandboxActor.Destroy.class).replyTo().tell(StatusReply.ack());
        ContainerWiring.Failed failed = assertInstanceOf(ContainerWiring.Failed.class, runtime.receiveMessage());
        assertEquals("create container web: mount: Permission denied", failed.error().getMessage());
    }

    @Test
    void aFailedUndoStillGivesTheFirstFailureAndSaysWhatIsLeft() {
        testKit.spawn(ContainerWiring.create(sandbox.ref(), record(), List.of(join("n1")), store,
                ContainerWiring.Publishing.NONE, TIMEOUT, runtime.ref()));
        sandbox.expectMessageClass(SandboxActor.Create.class).replyTo().tell(StatusReply.success("/run/netwharf/netns/x"));
        sandbox.expectMessageClass(SandboxActor.Connect.class).replyTo()
                .tell(StatusReply.error(new IllegalStateException("configure eth0: No such device")));
        sandbox.expectMessageClass(SandboxActor.Destroy.class).replyTo()
                .tell(StatusReply.error(new IllegalStateException("umount: Device or resource busy")));

        ContainerWiring.Failed failed = assertInstanceOf(ContainerWiring.Failed.class, runtime.receiveMessage());
        assertEquals("create container web: configure eth0: No such device", failed.error().getMessage());
        assertTrue(failed.leftover().contains("umount: Device or resource busy"), failed.leftover());
    }

    @Test
    void aSandboxThatNeverAnswersTimesOutAndIsStillUndone() {
        testKit.spawn(ContainerWiring.create(sandbox.ref(), record(), List.of(), store,
                ContainerWiring.Publishing.NONE, Duration.ofMillis(300), runtime.ref()));
        sandbox.expectMessageClass(SandboxActor.Create.class); // never answered
        sandbox.expectMessageClass(SandboxActor.Destroy.class, Duration.ofSeconds(3)).replyTo().tell(StatusReply.ack());
        ContainerWiring.Failed failed = assertInstanceOf(ContainerWiring.Failed.class, runtime.receiveMessage());
        assertTrue(failed.error().getMessage().startsWith("create container web: "), failed.error().getMessage());
    }

    private static ContainerWiring.Join join(String network) {
        NetworkInfo info = new NetworkInfo(Ids.derived(network), network, "bridge", "br-" + network, "10.1.0.0/24", "10.1.0.1", null,
                1500, true, true, false, false, Map.of(), Map.of(), Instant.EPOCH, Map.of());
        TestProbe<NetworkActor.Command> owner = testKit.createTestProbe();
        TestProbe<PoolActor.Command> pool = testKit.createTestProbe();
        return new ContainerWiring.Join(new NetworkHandle(info, owner.ref(), pool.ref()), EndpointSpec.DYNAMIC);
    }

    private EndpointInfo endpoint(String network, String interfaceName) {
        return new EndpointInfo(Ids.newId(), Ids.derived(network), network, id, interfaceName, "veth" + interfaceName, "02:42:0a:01:00:02",
                "10.1.0.2", 24, "10.1.0.1", List.of());
    }
}
