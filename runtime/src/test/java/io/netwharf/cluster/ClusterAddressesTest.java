package io.netwharf.cluster;

import io.netwharf.actor.Asks;
import io.netwharf.ipam.AddressPool;
import io.netwharf.ipam.Ipv4;
import io.netwharf.ipam.Ipv4Subnet;
import io.netwharf.ipam.PoolActor;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.store.Store;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cluster-wide addresses with three nodes in this JVM on 127.0.0.1 (Artery TCP, real serialization between them),
 * each with its owner of one overlay network's addresses: 3 × 100 allocations at once give 300 distinct addresses,
 * each in a /26 block that no other node hands out from; a static address in another node's block is refused; with
 * two of the three nodes gone, the last one still hands out addresses from its blocks but is refused a new block (no
 * majority). No root needed.
 */
class ClusterAddressesTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    /**
     * A network made after the lease keeper started: one made before, when the keeper finds no leases at all, waits
     * {@link LeaseKeeper#SETTLING} for its nodes to claim their blocks again (a restart of the whole cluster).
     */
    private static final NetworkInfo NETWORK = new NetworkInfo("a".repeat(64), "ov1", "overlay", "ov-aaaaaaaaaaaa", "10.0.8.0/22", "10.0.8.1",
            null, Map.of(), 1450, true, false, true, true, false, Map.of(), Map.of(), Instant.now().plusSeconds(60), Map.of());
    private final List<ActorSystem<?>> systems = new ArrayList<>();

    @AfterEach
    void stop() {
        systems.forEach(ActorTestKit::shutdown);
    }

    @Test
    void threeNodesHandOutDistinctAddressesFromTheirOwnBlocksAndAMinorityGetsNoNewBlock() throws Exception {
        int seed = ClusterNodes.freePort();
        List<ActorRef<PoolActor.Command>> owners = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ActorSystem<?> system = node(i == 0 ? seed : ClusterNodes.freePort(), seed);
            ClusterFabric fabric = ClusterFabric.start(system, 4789, Store.none());
            owners.add(system.systemActorOf(fabric.addresses(NETWORK, pool()), "addresses", Props.empty()));
        }
        ClusterNodes.awaitUp(systems.get(0), 3);

        List<CompletableFuture<Integer>> all = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            for (int n = 0; n < 3; n++) {
                all.add(allocate(n, owners.get(n), null));
            }
        }
        Map<Integer, Set<Ipv4Subnet>> blocksOf = new HashMap<>();
        Set<Integer> addresses = new HashSet<>();
        for (int i = 0; i < all.size(); i++) {
            int address = all.get(i).get();
            assertTrue(addresses.add(address), Ipv4.format(address) + " handed out twice");
            blocksOf.computeIfAbsent(i % 3, n -> new HashSet<>()).add(Ipv4Subnet.containing(address, 26));
        }
        assertEquals(300, addresses.size());
        for (int n = 0; n < 3; n++) {
            for (int m = n + 1; m < 3; m++) {
                Set<Ipv4Subnet> shared = new HashSet<>(blocksOf.get(n));
                shared.retainAll(blocksOf.get(m));
                assertEquals(Set.of(), shared, "nodes " + n + " and " + m + " hand out from the same blocks");
            }
        }

        // A static address in a block node 1 holds, asked on node 0: refused, naming the holder.
        int ofNode1 = blocksOf.get(1).iterator().next().network() + 60;
        ExecutionException refused = assertThrows(ExecutionException.class, () -> allocate(0, owners.get(0), ofNode1).get());
        assertTrue(refused.getCause().getMessage().contains("is leased to node 127.0.0.1:"), refused.getCause().getMessage());

        // Nodes 1 and 2 crash: node 0 is alone, a minority of the three.
        ActorTestKit.shutdown(systems.get(1));
        ActorTestKit.shutdown(systems.get(2));
        awaitUnreachable(systems.get(0), 2);
        // Whatever its blocks still have is handed out; beyond that, no new block without a majority.
        Set<Integer> more = new HashSet<>();
        ExecutionException noMajority = null;
        for (int i = 0; i < 200 && noMajority == null; i++) {
            try {
                more.add(allocate(0, owners.get(0), null).get());
            } catch (ExecutionException e) {
                noMajority = e;
            }
        }
        assertTrue(noMajority != null, "a minority node was given a new block");
        assertTrue(noMajority.getCause().getMessage().contains("majority"), noMajority.getCause().getMessage());
        for (int address : more) {
            assertTrue(blocksOf.get(0).contains(Ipv4Subnet.containing(address, 26)), Ipv4.format(address) + " is not in node 0's blocks");
            assertTrue(addresses.add(address), Ipv4.format(address) + " handed out twice");
        }
    }

    private static AddressPool pool() {
        return new AddressPool(Ipv4Subnet.parse(NETWORK.subnet()), Ipv4.parse(NETWORK.gateway()), null);
    }

    private CompletableFuture<Integer> allocate(int node, ActorRef<PoolActor.Command> owner, Integer requested) {
        return Asks.<PoolActor.Command, Integer>askWithStatus(owner, replyTo -> new PoolActor.Allocate(requested, replyTo), TIMEOUT,
                systems.get(node).scheduler()).toCompletableFuture();
    }

    /** Terminated without leaving the cluster, as a crash: the others see it unreachable, not gone. */
    private ActorSystem<?> node(int port, int seedPort) {
        ActorSystem<Void> system = ClusterNodes.node(port, seedPort, ConfigFactory.parseString("pekko.coordinated-shutdown.run-by-actor-system-terminate = off"));
        systems.add(system);
        return system;
    }


    private static void awaitUnreachable(ActorSystem<?> system, int members) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (Cluster.get(system).state().getUnreachable().size() == members) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(members + " members did not become unreachable");
    }

}
