package io.netwharf.cluster;

import io.netwharf.protocol.model.EndpointInfo;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.runtime.RuntimeActor;
import io.netwharf.store.Store;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two cluster nodes in this JVM on 127.0.0.1 (Artery TCP), each with its overlay directory and a probe standing in
 * for its runtime: a network announced on one is listed on the other, with the same id; an endpoint published on one
 * reaches the other's runtime (and not its own); once its node is downed, the other runtime no longer gets it; a
 * withdrawn network leaves the list. Serialization between the nodes is the real one (Jackson). No root needed.
 */
class OverlayDirectoryTest {
    private final List<ActorSystem<?>> systems = new ArrayList<>();

    @AfterEach
    void stop() {
        systems.forEach(ActorTestKit::shutdown);
    }

    @Test
    void networksAndEndpointsCrossNodesAndADownedNodesEndpointsAreWithdrawn() throws Exception {
        int portA = ClusterNodes.freePort();
        int portB = ClusterNodes.freePort();
        ActorSystem<?> a = node(portA, portA);
        ActorSystem<?> b = node(portB, portA);
        ClusterNodes.awaitUp(a, 2);
        ClusterFabric fabricA = ClusterFabric.start(a, 4789, Store.none());
        ClusterFabric fabricB = ClusterFabric.start(b, 4789, Store.none());
        TestProbe<RuntimeActor.Command> runtimeA = TestProbe.create(a);
        TestProbe<RuntimeActor.Command> runtimeB = TestProbe.create(b);
        fabricA.attach(runtimeA.ref());
        fabricB.attach(runtimeB.ref());
        runtimeA.expectMessageClass(RuntimeActor.ClusterEndpoints.class);
        runtimeB.expectMessageClass(RuntimeActor.ClusterEndpoints.class);

        NetworkInfo network = new NetworkInfo("f".repeat(64), "ov1", "overlay", "ov-ffffffffffff", "10.0.9.0/24", "10.0.9.1", null,
                Map.of(), 1450, true, false, true, true, false, Map.of("team", "a"),
                Map.of("com.docker.network.driver.overlay.vxlanid_list", "4097"), Instant.parse("2026-12-05T10:00:00Z"), Map.of());
        fabricA.announce(network).toCompletableFuture().get();
        RuntimeActor.ClusterNetworks listed = awaitNetworks(runtimeB, 1);
        assertEquals(List.of(network), listed.networks());

        EndpointInfo endpoint = new EndpointInfo("e".repeat(64), network.id(), "ov1", "c".repeat(64), "eth0", "veth1234567",
                "02:42:0a:00:09:02", "10.0.9.2", 24, "10.0.9.1", List.of("web"), List.of("box", "web"));
        fabricA.publish(endpoint);
        RuntimeActor.ClusterEndpoints seen = awaitEndpoints(runtimeB, 1);
        assertEquals(endpoint, seen.endpoints().get(0).endpoint());
        assertEquals("127.0.0.1:" + portA, seen.endpoints().get(0).node());
        assertEquals("127.0.0.1", seen.endpoints().get(0).underlayAddress());

        // A's node is downed (as the split brain resolver would once it is unreachable): B no longer gets its endpoints.
        Cluster.get(b).manager().tell(new Down(Cluster.get(a).selfMember().address()));
        awaitEndpoints(runtimeB, 0);

        // Once A is removed, B alone is the majority that a withdrawal needs.
        Address gone = Cluster.get(a).selfMember().address();
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (isMember(b, gone) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        fabricB.withdraw(network.id()).toCompletableFuture().get();
        awaitNetworks(runtimeB, 0);
    }

    private static boolean isMember(ActorSystem<?> system, Address address) {
        for (Member member : Cluster.get(system).state().getMembers()) {
            if (member.address().equals(address)) {
                return true;
            }
        }
        return false;
    }

    private static RuntimeActor.ClusterNetworks awaitNetworks(TestProbe<RuntimeActor.Command> runtime, int count) {
        return await(runtime, RuntimeActor.ClusterNetworks.class, n -> n.networks().size() == count, count + " networks");
    }

    private static RuntimeActor.ClusterEndpoints awaitEndpoints(TestProbe<RuntimeActor.Command> runtime, int count) {
        return await(runtime, RuntimeActor.ClusterEndpoints.class, e -> e.endpoints().size() == count, count + " endpoints");
    }

    /** The first message of {@code kind} that {@code wanted} accepts, within 20 s; the runtime hears every change. */
    private static <T extends RuntimeActor.Command> T await(TestProbe<RuntimeActor.Command> runtime, Class<T> kind, Predicate<T> wanted,
                                                            String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            RuntimeActor.Command m = runtime.receiveMessage(Duration.ofSeconds(20));
            if (kind.isInstance(m) && wanted.test(kind.cast(m))) {
                return kind.cast(m);
            }
        }
        throw new AssertionError("no list of " + what);
    }

    private ActorSystem<?> node(int port, int seedPort) {
        ActorSystem<Void> system = ClusterNodes.node(port, seedPort, ConfigFactory.empty());
        systems.add(system);
        return system;
    }


}
