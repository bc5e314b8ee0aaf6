package io.netwharf.network.overlay;

import io.netwharf.ipam.AddressPool;
import io.netwharf.ipam.PoolActor;
import io.netwharf.protocol.model.EndpointInfo;
import io.netwharf.protocol.model.NetworkInfo;

import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.Behavior;

import java.util.concurrent.CompletionStage;

/**
 * What the overlay driver and the runtime need of the cluster, implemented above them (io.netwharf.cluster) so that
 * the network layer knows nothing of Pekko Cluster: this node's underlay end, the cluster-wide address allocation
 * of an overlay network, and the publication of networks and endpoints to the other nodes.
 */
public interface OverlayFabric {
    /** The VXLAN links' port: Docker's and the IANA's 4789 unless --vxlan-port says otherwise. */
    int DEFAULT_VXLAN_PORT = 4789;

    /** This node's name in the cluster (its cluster address, host:port). */
    String node();

    /** This node's underlay address, dotted: the local end of every VXLAN link, where the other nodes send. */
    String underlayAddress();

    int vxlanPort();

    /**
     * The owner of the network's addresses on this node, in {@link PoolActor}'s protocol, handing out addresses that no
     * other node hands out. {@code pool} is the network's subnet with the addresses this node's restored endpoints hold
     * already taken.
     */
    Behavior<PoolActor.Command> addresses(NetworkInfo network, AddressPool pool);

    /** Makes the network known to every node; completes once a majority of the nodes have it. */
    CompletionStage<Done> announce(NetworkInfo network);

    /** The network is gone: every node removes it. */
    CompletionStage<Done> withdraw(String networkId);

    /** The network was removed on this node (by a user here, or because the cluster removed it): what this node kept of it goes. */
    void removedHere(String networkId);

    /** The endpoint is up on this node: every other node programs its VXLAN link and answers its names. */
    void publish(EndpointInfo endpoint);

    /** The endpoint left this node. */
    void unpublish(EndpointInfo endpoint);
}
