package io.netwharf.cluster;

import io.netwharf.actor.Asks;
import io.netwharf.ipam.AddressPool;
import io.netwharf.ipam.PoolActor;
import io.netwharf.network.overlay.OverlayFabric;
import io.netwharf.protocol.model.EndpointInfo;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.runtime.RuntimeActor;
import io.netwharf.store.Change;
import io.netwharf.store.Store;

import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The cluster as the overlay driver and the runtime see it ({@link OverlayFabric}), for one node: the directory of
 * overlay networks and endpoints ({@link OverlayDirectory}), and the cluster's address leases ({@link LeaseKeeper}, a
 * singleton, and a {@link NodeAddresses} per overlay network).
 */
public final class ClusterFabric implements OverlayFabric {
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(20);

    private final ActorSystem<?> system;
    private final String underlayAddress;
    private final int vxlanPort;
    private final ActorRef<OverlayDirectory.Command> directory;
    private final ActorRef<LeaseKeeper.Command> leaseKeeper;
    private final Store store;
    /** The store's settings at start: each overlay network's address blocks on this node, held before a restart. */
    private final Map<String, String> storedSettings;

    private ClusterFabric(ActorSystem<?> system, String underlayAddress, int vxlanPort, Store store) {
        this.system = system;
        this.underlayAddress = underlayAddress;
        this.vxlanPort = vxlanPort;
        this.store = store;
        this.storedSettings = store.durable() ? store.load().settings() : Map.of();
        this.directory = system.systemActorOf(OverlayDirectory.create(underlayAddress), "netwharf-overlay-directory", Props.empty());
        this.leaseKeeper = ClusterSingleton.get(system).init(SingletonActor.of(LeaseKeeper.create(), "netwharf-lease-keeper"));
    }

    /**
     * The fabric of this node of {@code system}'s cluster (its provider must be {@code cluster}); the VXLAN links'
     * local end is the node's own cluster address.
     */
    public static ClusterFabric start(ActorSystem<?> system, int vxlanPort, Store store) {
        if (system.settings().config().getString("pekko.cluster.downing-provider-class").isEmpty()) {
            LoggerFactory.getLogger(ClusterFabric.class).warn("this cluster has no downing provider: a node that crashes is never "
                    + "downed, so its overlay endpoints stay programmed everywhere and a partition is never resolved; lay "
                    + "ClusterSettings.clusterDefaults() over the actor system's configuration for the split brain resolver");
        }
        return new ClusterFabric(system, Cluster.get(system).selfMember().address().host().get(), vxlanPort, store);
    }

    /** Whether {@code system} is a cluster node (its provider is {@code cluster}). */
    public static boolean isClustered(ActorSystem<?> system) {
        return "cluster".equals(system.settings().config().getString("pekko.actor.provider"));
    }

    /** From now on the runtime hears of the cluster's networks and endpoints. */
    public void attach(ActorRef<RuntimeActor.Command> runtime) {
        directory.tell(new OverlayDirectory.Attach(runtime));
    }

    @Override
    public String node() {
        return OverlayDirectory.nodeName(Cluster.get(system).selfMember().address());
    }

    @Override
    public String underlayAddress() {
        return underlayAddress;
    }

    @Override
    public int vxlanPort() {
        return vxlanPort;
    }

    @Override
    public Behavior<PoolActor.Command> addresses(NetworkInfo network, AddressPool pool) {
        return NodeAddresses.create(network, pool, leaseKeeper, node(), store, storedSettings.get(NodeAddresses.settingKey(network.id())));
    }

    @Override
    public CompletionStage<Done> announce(NetworkInfo network) {
        return Asks.askWithStatus(directory, replyTo -> new OverlayDirectory.Announce(network, replyTo), ASK_TIMEOUT, system.scheduler());
    }

    @Override
    public CompletionStage<Done> withdraw(String networkId) {
        leaseKeeper.tell(new LeaseKeeper.Forget(networkId));
        return Asks.askWithStatus(directory, replyTo -> new OverlayDirectory.Withdraw(networkId, replyTo), ASK_TIMEOUT, system.scheduler());
    }

    /** The record of this node's address blocks of the network. */
    @Override
    public void removedHere(String networkId) {
        store.apply(new Change.PutSetting(NodeAddresses.settingKey(networkId), null));
    }

    @Override
    public void publish(EndpointInfo endpoint) {
        directory.tell(new OverlayDirectory.Publish(endpoint));
    }

    @Override
    public void unpublish(EndpointInfo endpoint) {
        directory.tell(new OverlayDirectory.Unpublish(endpoint));
    }
}
