package io.netwharf.sandbox;

import io.netwharf.ipam.Ipv4;
import io.netwharf.ipam.PoolActor;
import io.netwharf.kernel.KernelException;
import io.netwharf.network.NetworkActor;
import io.netwharf.network.NetworkHandle;
import io.netwharf.protocol.model.EndpointInfo;
import io.netwharf.protocol.model.EndpointSpec;
import io.netwharf.protocol.model.Ids;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.protocol.netlink.Errno;

import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sandbox's sagas without root: probes stand in for the network's owner and its pool, and a fake kernel that
 * any step can be made to fail stands in for the namespace. Every undo path of connect, a failed disconnect, and
 * teardown's failures and retries.
 */
class SandboxActorTest {
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration QUIET = Duration.ofMillis(300);
    private static ActorTestKit testKit;

    private FakeKernel kernel;
    private String containerId;

    @BeforeAll
    static void startTestKit() {
        testKit = ActorTestKit.create();
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    @BeforeEach
    void freshSandbox() {
        kernel = new FakeKernel();
        containerId = Ids.newId();
    }

    // ---- connect ----------------------------------------------------------------------------------------------

    @Test
    void connectAllocatesAttachesConfiguresAndEnablesInThatOrder() {
        ActorRef<SandboxActor.Command> sandbox = created();
        Network n1 = new Network("n1", "10.1.0.0/24", "10.1.0.1");
        TestProbe<StatusReply<EndpointInfo>> reply = testKit.createTestProbe();
        sandbox.tell(new SandboxActor.Connect(n1.handle(), EndpointSpec.DYNAMIC, reply.ref()));

        n1.allocate().replyTo().tell(StatusReply.success(Ipv4.parse("10.1.0.2")));
        NetworkActor.Attach attach = n1.network.expectMessageClass(NetworkActor.Attach.class);
        assertEquals(kernel.path, attach.sandbox());
        assertEquals("10.1.0.2", attach.endpoint().ipv4Address());
        assertEquals("eth0", attach.endpoint().interfaceName());
        assertEquals(List.of(), kernel.configured, "nothing is configured before the pair is there");
        attach.replyTo().tell(StatusReply.ack());

        NetworkActor.Enable enable = n1.network.expectMessageClass(NetworkActor.Enable.class);
        assertEquals(containerId, enable.containerId());
        assertEquals(List.of(attach.peerName() + " -> eth0 10.1.0.2/24 via 10.1.0.1"), kernel.configured,
                "the port is enabled last, once the container side is configured");
        enable.replyTo().tell(StatusReply.ack());

        EndpointInfo endpoint = reply.receiveMessage().getValue();
        assertEquals("10.1.0.2", endpoint.ipv4Address());
        assertEquals(List.of(endpoint), inspect(sandbox));
        n1.pool.expectNoMessage(QUIET);
    }

    @Test
    void refusedAllocationIsTheCallersErrorAsThePoolWroteItAndNothingIsMade() {
        ActorRef<SandboxActor.Command> sandbox = created();
        Network n1 = new Network("n1", "10.1.0.0/24", "10.1.0.1");
        TestProbe<StatusReply<EndpointInfo>> reply = connect(sandbox, n1);

        n1.allocate().replyTo().tell(StatusReply.error(NetwharfException.forbidden("Address already in use: 10.1.0.9")));

        NetwharfException error = error(reply);
        assertEquals(NetwharfException.Kind.FORBIDDEN, error.kind());
        assertEquals("Address already in use: 10.1.0.9", error.getMessage(), "Docker's own message, untouched");
        n1.network.expectNoMessage(QUIET);
        n1.pool.expectNoMessage(Duration.ZERO);
        assertEquals(List.of(), inspect(sandbox));
    }

    @Test
    void failedAllocationNamesTheSagaAndTheStep() {
        ActorRef<SandboxActor.Command> sandbox = created();
        Network n1 = new Network("n1", "10.1.0.0/24", "10.1.0.1");
        TestProbe<StatusReply<EndpointInfo>> reply = connect(sandbox, n1);

        n1.allocate().replyTo().tell(StatusReply.error(new IllegalStateException("pool is broken")));

        NetwharfException error = error(reply);
        assertEquals(NetwharfException.Kind.INTERNAL, error.kind());
        assertEquals("connect container web to network n1: allocate an address: pool is broken", error.getMessage());
        n1.network.expectNoMessage(QUIET);
        assertEquals(List.of(), inspect(sandbox));
    }

    @Test
    void failedAttachReleasesTheAddress() {
        ActorRef<SandboxActor.Command> sandbox = created();
        Network n1 = new Network("n1", "10.1.0.0/24", "10.1.0.1");
        TestProbe<StatusReply<EndpointInfo>> reply = connect(sandbox, n1);
        n1.allocate().replyTo().tell(StatusReply.success(Ipv4.parse("10.1.0.2")));
        n1.network.expectMessageClass(NetworkActor.Attach.class).replyTo()
                .tell(StatusReply.error(NetwharfException.internal("attach to network n1: File exists", null)));

        PoolActor.Release release = n1.pool.expectMessageClass(PoolActor.Release.class);
        assertEquals(Ipv4.parse("10.1.0.2"), release.address());
        reply.expectNoMessage(QUIET); // the caller hears only once the undo is done
        release.replyTo().tell(StatusReply.ack());

        assertEquals("connect container web to network n1: attach the veth pair: attach to network n1: File exists",
                error(reply).getMessage());
        n1.network.expectNoMessage(QUIET); // the attach left nothing: no detach
        assertEquals(List.of(), kernel.configured);
        assertEquals(List.of(), inspect(sandbox));
    }

    @Test
    void failedConfigurationDetachesThePairThenReleasesTheAddress() {
        kernel.failConfigure = new KernelException("rename nw0123 to eth0", Errno.EEXIST.number, null);
        ActorRef<SandboxActor.Command> sandbox = created();
        Network n1 = new Network("n1", "10.1.0.0/24", "10.1.0.1");
        TestProbe<StatusReply<EndpointInfo>> reply = connect(sandbox, n1);
        n1.allocate().replyTo().tell(StatusReply.success(Ipv4.parse("10.1.0.2")));
        n1.network.expectMessageClass(NetworkActor.Attach.class).replyTo().tell(StatusReply.ack());

        undoneWithPairDeleted(n1, "10.1.0.2");

        NetwharfException error = error(reply);
        assertTrue(error.getMessage().startsWith("connect container web to network n1: configure the interface inside the namespace: "
                + "rename nw0123 to eth0"), error.getMessage());
        assertEquals(List.of(), inspect(sandbox));
    }

    @Test
    void failedEnableDetachesThePairThenReleasesTheAddress() {
        ActorRef<SandboxActor.Command> sandbox = created();
        Network n1 = new Network("n1", "10.1.0.0/24", "10.1.0.1");
        TestProbe<StatusReply<EndpointInfo>> reply = connect(sandbox, n1);
        n1.allocate().replyTo().tell(StatusReply.success(Ipv4.parse("10.1.0.2")));
        n1.network.expectMessageClass(NetworkActor.Attach.class).replyTo().tell(StatusReply.ack());
        n1.network.expectMessageClass(NetworkActor.Enable.class).replyTo()
                .tell(StatusReply.error(new KernelException("set link veth0 up", Errno.ENODEV.number, null)));

        undoneWithPairDeleted(n1, "10.1.0.2");

        NetwharfException error = error(reply);
        assertTrue(error.getMessage().startsWith("connect container web to network n1: enable the bridge port: set link veth0 up"),
                error.getMessage());
        assertEquals(List.of(), inspect(sandbox));
    }

    @Test
    void failedUndoStillAnswersTheOriginalErrorAndLogsWhatIsLeft() {
        ActorRef<SandboxActor.Command> sandbox = created();
        Network n1 = new Network("n1", "10.1.0.0/24", "10.1.0.1");
        TestProbe<StatusReply<EndpointInfo>> reply = connect(sandbox, n1);
        n1.allocate().replyTo().tell(StatusReply.success(Ipv4.parse("10.1.0.2")));
        NetworkActor.Attach attach = n1.network.expectMessageClass(NetworkActor.Attach.class);
        attach.replyTo().tell(StatusReply.ack());
        n1.network.expectMessageClass(NetworkActor.Enable.class).replyTo().tell(StatusReply.error(new IllegalStateException("port stuck")));
        NetworkActor.Detach detach = n1.network.expectMessageClass(NetworkActor.Detach.class);

        LoggingTestKit.error("undoing the failed step 'enable the bridge port' failed at 'detach the veth pair': bridge gone; "
                        + "left behind: the veth pair " + attach.endpoint().hostInterfaceName() + " on network n1, and its address")
                .expect(testKit.system(), () -> {
                    detach.replyTo().tell(StatusReply.error(new IllegalStateException("bridge gone")));
                    return null;
                });

        assertEquals("connect container web to network n1: enable the bridge port: port stuck", error(reply).getMessage());
        n1.pool.expectNoMessage(QUIET); // the address may still be on the pair: it stays allocated
    }

    @Test
    void failedReleaseInAnUndoIsLoggedWithTheAddressLeft() {
        ActorRef<SandboxActor.Command> sandbox = created();
        Network n1 = new Network("n1", "10.1.0.0/24", "10.1.0.1");
        TestProbe<StatusReply<EndpointInfo>> reply = connect(sandbox, n1);
        n1.allocate().replyTo().tell(StatusReply.success(Ipv4.parse("10.1.0.2")));
        n1.network.expectMessageClass(NetworkActor.Attach.class).replyTo().tell(StatusReply.error(new IllegalStateException("no bridge")));
        PoolActor.Release release = n1.pool.expectMessageClass(PoolActor.Release.class);

        LoggingTestKit.error("failed at 'release the address': pool stopped; left behind: its address, still allocated in network n1")
                .expect(testKit.system(), () -> {
                    release.replyTo().tell(StatusReply.error(new IllegalStateException("pool stopped")));
                    return null;
                });

        assertEquals("connect container web to network n1: attach the veth pair: no bridge", error(reply).getMessage());
    }

    @Test
    void connectWithoutANamespaceIsRefused() {
        kernel.failCreate = new KernelException("create netns x", Errno.EPERM.number, null);
        ActorRef<SandboxActor.Command> sandbox = testKit.spawn(SandboxActor.create(kernel, containerId, "web", ASK_TIMEOUT));
        TestProbe<StatusReply<String>> created = testKit.createTestProbe();
        sandbox.tell(new SandboxActor.Create(created.ref()));
        assertTrue(created.receiveMessage().isError());

        Network n1 = new Network("n1", "10.1.0.0/24", "10.1.0.1");
        assertEquals(NetwharfException.Kind.CONFLICT, error(connect(sandbox, n1)).kind());
        n1.pool.expectNoMessage(QUIET);
        assertEquals(StatusReply.ack(), destroy(sandbox).receiveMessage()); // nothing to delete
    }

    // ---- ordering ---------------------------------------------------------------------------------------------

    @Test
    void aCommandWaitsForTheSagaBeforeItAndThenRunsInOrder() {
        ActorRef<SandboxActor.Command> sandbox = created();
        Network n1 = new Network("n1", "10.1.0.0/24", "10.1.0.1");
        Network n2 = new Network("n2", "10.2.0.0/24", "10.2.0.1");
        TestProbe<StatusReply<EndpointInfo>> first = connect(sandbox, n1);
        TestProbe<StatusReply<EndpointInfo>> second = connect(sandbox, n2);
        TestProbe<List<EndpointInfo>> inspected = testKit.createTestProbe();
        sandbox.tell(new SandboxActor.Inspect(inspected.ref()));

        n1.allocate().replyTo().tell(StatusReply.success(Ipv4.parse("10.1.0.2")));
        NetworkActor.Attach attach = n1.network.expectMessageClass(NetworkActor.Attach.class);
        n2.pool.expectNoMessage(QUIET);
        inspected.expectNoMessage(Duration.ZERO);
        attach.replyTo().tell(StatusReply.ack());
        NetworkActor.Enable enable = n1.network.expectMessageClass(NetworkActor.Enable.class);
        n2.pool.expectNoMessage(QUIET);
        enable.replyTo().tell(StatusReply.ack());
        assertEquals("eth0", first.receiveMessage().getValue().interfaceName());

        // Then the second saga, then the inspection, which sees the first endpoint only.
        n2.allocate().replyTo().tell(StatusReply.success(Ipv4.parse("10.2.0.2")));
        NetworkActor.Attach attach2 = n2.network.expectMessageClass(NetworkActor.Attach.class);
        assertEquals("eth1", attach2.endpoint().interfaceName());
        inspected.expectNoMessage(QUIET);
        attach2.replyTo().tell(StatusReply.ack());
        n2.network.expectMessageClass(NetworkActor.Enable.class).replyTo().tell(StatusReply.ack());
        assertEquals("eth1", second.receiveMessage().getValue().interfaceName());
        assertEquals(2, inspected.receiveMessage().size(), "the inspection came after both connects");
        assertEquals(List.of(attach.peerName() + " -> eth0 10.1.0.2/24 via 10.1.0.1", attach2.peerName() + " -> eth1 10.2.0.2/24"),
                kernel.configured, "one default route, through the first network");
    }

    @Test
    void sagasOfDifferentSandboxesRunConcurrently() {
        ActorRef<SandboxActor.Command> one = created();
        FakeKernel otherKernel = new FakeKernel();
        ActorRef<SandboxActor.Command> other = testKit.spawn(SandboxActor.create(otherKernel, Ids.newId(), "db", ASK_TIMEOUT));
        TestProbe<StatusReply<String>> created = testKit.createTestProbe();
        other.tell(new SandboxActor.Create(created.ref()));
        assertTrue(created.receiveMessage().isSuccess());
        Network n1 = new Network("n1", "10.1.0.0/24", "10.1.0.1");

        connect(one, n1);
        PoolActor.Allocate forOne = n1.allocate();
        connect(other, n1);
        PoolActor.Allocate forOther = n1.allocate(); // while the first saga still waits for its address
        forOther.replyTo().tell(StatusReply.success(Ipv4.parse("10.1.0.3")));
        assertEquals("10.1.0.3", n1.network.expectMessageClass(NetworkActor.Attach.class).endpoint().ipv4Address());
        forOne.replyTo().tell(StatusReply.success(Ipv4.parse("10.1.0.2")));
        assertEquals("10.1.0.2", n1.network.expectMessageClass(NetworkActor.Attach.class).endpoint().ipv4Address());
    }

    // ---- disconnect -------------------------------------------------------------------------------------------

    @Test
    void failedDisconnectKeepsTheEndpointAndItsAddressAndCanBeRetried() {
        ActorRef<SandboxActor.Command> sandbox = created();
        Network n1 = new Network("n1", "10.1.0.0/24", "10.1.0.1");
        EndpointInfo endpoint = connected(sandbox, n1, "10.1.0.2");

        TestProbe<StatusReply<Done>> reply = disconnect(sandbox, n1);
        NetworkActor.Detach detach = n1.network.expectMessageClass(NetworkActor.Detach.class);
        assertTrue(detach.deleteVeth());
        detach.replyTo().tell(StatusReply.error(new KernelException("delete link " + endpoint.hostInterfaceName(), Errno.EBUSY.number, null)));

        NetwharfException error = error(reply);
        assertTrue(error.getMessage().startsWith("disconnect container web from network n1: detach the veth pair "
                + endpoint.hostInterfaceName() + ": delete link"), error.getMessage());
        n1.pool.expectNoMessage(QUIET); // the pair still holds the address
        assertEquals(List.of(endpoint), inspect(sandbox));

        TestProbe<StatusReply<Done>> retried = disconnect(sandbox, n1);
        n1.network.expectMessageClass(NetworkActor.Detach.class).replyTo().tell(StatusReply.ack());
        PoolActor.Release release = n1.pool.expectMessageClass(PoolActor.Release.class);
        assertEquals(Ipv4.parse("10.1.0.2"), release.address());
        release.replyTo().tell(StatusReply.ack());
        assertEquals(StatusReply.ack(), retried.receiveMessage());
        assertEquals(List.of(), inspect(sandbox));
    }

    // ---- destroy ----------------------------------------------------------------------------------------------

    @Test
    void destroyGoesOnAfterAFailureAndListsEveryOne() {
        ActorRef<SandboxActor.Command> sandbox = created();
        Network n1 = new Network("n1", "10.1.0.0/24", "10.1.0.1");
        Network n2 = new Network("n2", "10.2.0.0/24", "10.2.0.1");
        Network n3 = new Network("n3", "10.3.0.0/24", "10.3.0.1");
        EndpointInfo first = connected(sandbox, n1, "10.1.0.2");
        connected(sandbox, n2, "10.2.0.2");
        connected(sandbox, n3, "10.3.0.2");

        TestProbe<StatusReply<Done>> reply = destroy(sandbox);
        NetworkActor.Detach detach1 = n1.network.expectMessageClass(NetworkActor.Detach.class);
        NetworkActor.Detach detach2 = n2.network.expectMessageClass(NetworkActor.Detach.class);
        NetworkActor.Detach detach3 = n3.network.expectMessageClass(NetworkActor.Detach.class);
        assertFalse(detach1.deleteVeth(), "the pairs went with the namespace");
        assertEquals(List.of("delete " + Ids.shortId(containerId)), kernel.deleted);
        assertFalse(kernel.socketOpen, "the socket is closed before the namespace is deleted");
        detach1.replyTo().tell(StatusReply.error(new IllegalStateException("network n1 is stuck")));
        detach2.replyTo().tell(StatusReply.ack());
        detach3.replyTo().tell(StatusReply.ack());
        n2.pool.expectMessageClass(PoolActor.Release.class).replyTo().tell(StatusReply.error(new IllegalStateException("pool n2 is stuck")));
        n3.pool.expectMessageClass(PoolActor.Release.class).replyTo().tell(StatusReply.ack());

        NetwharfException error = error(reply);
        assertEquals("remove the sandbox of container web: 2 steps failed: leave network n1: detach the veth pair "
                + first.hostInterfaceName() + ": network n1 is stuck; leave network n2: release address 10.2.0.2: pool n2 is stuck",
                error.getMessage());
        assertEquals(1, error.getSuppressed().length);
        n1.pool.expectNoMessage(QUIET); // not detached: not released
        assertEquals(List.of("n1", "n2"), inspect(sandbox).stream().map(EndpointInfo::networkName).toList(),
                "what failed to leave is still known");

        // Retried: the namespace is gone already; only what is left is retried, then the actor stops.
        TestProbe<StatusReply<Done>> retried = destroy(sandbox);
        n1.network.expectMessageClass(NetworkActor.Detach.class).replyTo().tell(StatusReply.ack());
        n1.pool.expectMessageClass(PoolActor.Release.class).replyTo().tell(StatusReply.ack());
        n2.network.expectMessageClass(NetworkActor.Detach.class).replyTo().tell(StatusReply.ack()); // forgetting twice is harmless
        n2.pool.expectMessageClass(PoolActor.Release.class).replyTo().tell(StatusReply.ack());
        assertEquals(StatusReply.ack(), retried.receiveMessage());
        n3.network.expectNoMessage(QUIET);
        assertEquals(1, kernel.deleted.size(), "the namespace is deleted once");
        testKit.createTestProbe().expectTerminated(sandbox);
    }

    @Test
    void retriedDestroyAfterAFailedUnmountDeletesTheNamespaceAndOnlyThenReleases() {
        ActorRef<SandboxActor.Command> sandbox = created();
        Network n1 = new Network("n1", "10.1.0.0/24", "10.1.0.1");
        connected(sandbox, n1, "10.1.0.2");
        kernel.deleteFailures = 1;

        NetwharfException error = error(destroy(sandbox));
        assertTrue(error.getMessage().startsWith("remove the sandbox of container web: delete the namespace: delete netns "),
                error.getMessage());
        assertTrue(kernel.exists, "still mounted");
        assertFalse(kernel.socketOpen);
        n1.network.expectNoMessage(QUIET);
        n1.pool.expectNoMessage(Duration.ZERO); // never an address whose namespace still exists

        TestProbe<StatusReply<Done>> retried = destroy(sandbox);
        NetworkActor.Detach detach = n1.network.expectMessageClass(NetworkActor.Detach.class);
        assertFalse(kernel.exists, "the retry unmounted it");
        assertEquals(2, kernel.deleted.size());
        detach.replyTo().tell(StatusReply.ack());
        n1.pool.expectMessageClass(PoolActor.Release.class).replyTo().tell(StatusReply.ack());
        assertEquals(StatusReply.ack(), retried.receiveMessage());
        testKit.createTestProbe().expectTerminated(sandbox);
    }

    @Test
    void stoppingTheActorClosesItsSocket() {
        ActorRef<SandboxActor.Command> sandbox = created();
        assertTrue(kernel.socketOpen);
        testKit.stop(sandbox);
        assertFalse(kernel.socketOpen);
        assertTrue(kernel.exists, "stopping is not deleting: the namespace stays for a restarted runtime to find");
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    /** The undo of an endpoint whose pair was made: detach deleting the pair, then the address back. */
    private static void undoneWithPairDeleted(Network network, String address) {
        NetworkActor.Detach detach = network.network.expectMessageClass(NetworkActor.Detach.class);
        assertTrue(detach.deleteVeth());
        network.pool.expectNoMessage(Duration.ZERO); // not before the pair is gone
        detach.replyTo().tell(StatusReply.ack());
        PoolActor.Release release = network.pool.expectMessageClass(PoolActor.Release.class);
        assertEquals(Ipv4.parse(address), release.address());
        release.replyTo().tell(StatusReply.ack());
    }

    private ActorRef<SandboxActor.Command> created() {
        ActorRef<SandboxActor.Command> sandbox = testKit.spawn(SandboxActor.create(kernel, containerId, "web", ASK_TIMEOUT));
        TestProbe<StatusReply<String>> created = testKit.createTestProbe();
        sandbox.tell(new SandboxActor.Create(created.ref()));
        assertEquals(kernel.path.toString(), created.receiveMessage().getValue());
        return sandbox;
    }

    private EndpointInfo connected(ActorRef<SandboxActor.Command> sandbox, Network network, String address) {
        TestProbe<StatusReply<EndpointInfo>> reply = connect(sandbox, network);
        network.allocate().replyTo().tell(StatusReply.success(Ipv4.parse(address)));
        network.network.expectMessageClass(NetworkActor.Attach.class).replyTo().tell(StatusReply.ack());
        network.network.expectMessageClass(NetworkActor.Enable.class).replyTo().tell(StatusReply.ack());
        return reply.receiveMessage().getValue();
    }

    private static TestProbe<StatusReply<EndpointInfo>> connect(ActorRef<SandboxActor.Command> sandbox, Network network) {
        TestProbe<StatusReply<EndpointInfo>> reply = testKit.createTestProbe();
        sandbox.tell(new SandboxActor.Connect(network.handle(), EndpointSpec.DYNAMIC, reply.ref()));
        return reply;
    }

    private static TestProbe<StatusReply<Done>> disconnect(ActorRef<SandboxActor.Command> sandbox, Network network) {
        TestProbe<StatusReply<Done>> reply = testKit.createTestProbe();
        sandbox.tell(new SandboxActor.Disconnect(network.handle(), reply.ref()));
        return reply;
    }

    private static TestProbe<StatusReply<Done>> destroy(ActorRef<SandboxActor.Command> sandbox) {
        TestProbe<StatusReply<Done>> reply = testKit.createTestProbe();
        sandbox.tell(new SandboxActor.Destroy(reply.ref()));
        return reply;
    }

    private static List<EndpointInfo> inspect(ActorRef<SandboxActor.Command> sandbox) {
        TestProbe<List<EndpointInfo>> reply = testKit.createTestProbe();
        sandbox.tell(new SandboxActor.Inspect(reply.ref()));
        return reply.receiveMessage();
    }

    private static NetwharfException error(TestProbe<? extends StatusReply<?>> reply) {
        StatusReply<?> answer = reply.receiveMessage();
        assertTrue(answer.isError(), "expected an error, got " + answer);
        assertSame(NetwharfException.class, answer.getError().getClass(), answer.getError().toString());
        return (NetwharfException) answer.getError();
    }

    /** A network as the sandbox sees it: its settings, a probe for its owner and one for its pool. */
    private static final class Network {
        final TestProbe<NetworkActor.Command> network = testKit.createTestProbe();
        final TestProbe<PoolActor.Command> pool = testKit.createTestProbe();
        final NetworkInfo info;

        Network(String name, String subnet, String gateway) {
            info = new NetworkInfo(Ids.newId(), name, "bridge", "br-" + name, subnet, gateway, null, 1500, true, true, false,
                    false, Map.of(), Map.of(), Instant.now(), Map.of());
        }

        NetworkHandle handle() {
            return new NetworkHandle(info, network.ref(), pool.ref());
        }

        PoolActor.Allocate allocate() {
            return pool.expectMessageClass(PoolActor.Allocate.class);
        }
    }

    /** The namespace as a few fields; any step can be made to fail. */
    private static final class FakeKernel implements SandboxKernel {
        final Path path = Path.of("/run/netwharf/netns/fake");
        final List<String> configured = Collections.synchronizedList(new ArrayList<>());
        final List<String> deleted = Collections.synchronizedList(new ArrayList<>());
        volatile RuntimeException failCreate;
        volatile RuntimeException failConfigure;
        volatile int deleteFailures;
        volatile boolean exists;
        volatile boolean socketOpen;

        @Override
        public Namespace create(String name) {
            if (failCreate != null) {
                throw failCreate;
            }
            exists = true;
            return open(name);
        }

        @Override
        public Namespace open(String name) {
            socketOpen = true;
            return new Namespace() {
                @Override
                public Path path() {
                    return path;
                }

                @Override
                public void configure(String peerName, String interfaceName, int address, int prefixLength, Integer gateway) {
                    if (!socketOpen) {
                        throw new IllegalStateException("netlink socket is closed");
                    }
                    if (failConfigure != null) {
                        throw failConfigure;
                    }
                    configured.add(peerName + " -> " + interfaceName + " " + Ipv4.format(address) + "/" + prefixLength
                            + (gateway == null ? "" : " via " + Ipv4.format(gateway)));
                }

                @Override
                public List<io.netwharf.protocol.rtnetlink.LinkStatistics> statistics() {
                    return List.of(); // the sagas read no counters
                }

                @Override
                public void close() {
                    socketOpen = false;
                }
            };
        }

        @Override
        public void delete(String name) {
            deleted.add("delete " + name);
            if (!exists) {
                throw new KernelException("delete netns " + name, Errno.ENOENT.number, "no such namespace");
            }
            if (deleteFailures > 0) {
                deleteFailures--;
                throw new KernelException("delete netns " + name + " (unmount)", Errno.EBUSY.number, null);
            }
            exists = false;
        }
    }
}
