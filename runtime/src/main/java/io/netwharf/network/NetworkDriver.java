package io.netwharf.network;

import io.netwharf.ipam.AddressPool;
import io.netwharf.ipam.PoolActor;
import io.netwharf.ipam.PoolBase;
import io.netwharf.ipam.Taken;
import io.netwharf.kernel.Netns;
import io.netwharf.protocol.model.EndpointInfo;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.protocol.netlink.HardwareAddress;

import org.apache.pekko.actor.typed.Behavior;

import java.util.List;

/**
 * The kernel side of one network, as netavark's {@code NetworkDriver} and libnetwork's drivers: make and remove the
 * network, and put an endpoint's link into a container's namespace and take it out again. One instance per network,
 * called only by that network's {@link NetworkActor}, one message at a time, on the bridge dispatcher; it may keep
 * kernel state of its own (a netlink socket, link indexes). Every step either completes or leaves nothing of itself
 * behind, and names what failed in its exception.
 */
public interface NetworkDriver {
    /**
     * Makes the network in the kernel (or adopts what is there, as the bridge driver adopts an existing bridge),
     * choosing a subnet that overlaps {@code taken} and the host's when the definition names none. Undo:
     * {@link #remove()}.
     */
    Created create(NetworkDefinition definition, List<Taken> taken, List<PoolBase> candidates);

    /**
     * Makes the endpoint's link, down, straight inside the namespace {@code sandbox} under the temporary name
     * {@code peerName}, with {@code mac}. Undo: {@link #detach} with {@code deleteLink}.
     */
    void attach(EndpointInfo endpoint, String peerName, HardwareAddress mac, Netns sandbox);

    /** Takes over an endpoint a restart found in place, made by an earlier run: nothing is changed in the kernel. */
    default void adopt(EndpointInfo endpoint) {}

    /** The endpoint's last step, once the container side is configured (the bridge brings its port up). */
    void enable(EndpointInfo endpoint);

    /**
     * Takes the endpoint away: deletes its link when {@code deleteLink}, else (its namespace went, and the kernel
     * took the link with it) only forgets it.
     */
    void detach(EndpointInfo endpoint, boolean deleteLink);

    /**
     * Removes the network from the kernel. Goes on after a failing step and throws one exception naming every
     * failure; what was removed stays removed, so calling it again finishes the job.
     */
    void remove();

    /**
     * The owner of the addresses {@link #create} gave in {@link Created#pool()} (restored addresses taken): one
     * {@link PoolActor} of this node's, unless the network's addresses are shared with other nodes (overlay).
     */
    default Behavior<PoolActor.Command> addressOwner(NetworkInfo network, AddressPool pool) {
        return PoolActor.create(pool);
    }

    /**
     * The endpoints other nodes of the cluster have on this network, all of them, each time they change; only the
     * overlay driver has any.
     */
    default void remoteEndpoints(List<RemoteEndpoint> endpoints) {}

    /** Releases what the driver holds (its netlink socket): its actor has stopped. */
    void close();

    /** What {@link #create} made: the network as it now is, and its address pool (null: it hands out no addresses). */
    record Created(NetworkInfo info, AddressPool pool) {}
}
