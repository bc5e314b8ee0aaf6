package io.netwharf.network.overlay;

import io.netwharf.actor.Teardown;
import io.netwharf.firewall.Firewall;
import io.netwharf.ipam.AddressPool;
import io.netwharf.ipam.Ipv4;
import io.netwharf.ipam.PoolActor;
import io.netwharf.ipam.PoolBase;
import io.netwharf.ipam.Taken;
import io.netwharf.kernel.Addresses;
import io.netwharf.kernel.HostKernel;
import io.netwharf.kernel.Links;
import io.netwharf.kernel.Neighbours;
import io.netwharf.kernel.NetlinkSocket;
import io.netwharf.kernel.Netns;
import io.netwharf.network.NetworkDefinition;
import io.netwharf.network.NetworkDriver;
import io.netwharf.network.RemoteEndpoint;
import io.netwharf.network.bridge.BridgeDriver;
import io.netwharf.protocol.model.EndpointInfo;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.netlink.AddressFamily;
import io.netwharf.protocol.netlink.HardwareAddress;
import io.netwharf.protocol.rtnetlink.AddressMessage;
import io.netwharf.protocol.rtnetlink.LinkData;

import org.apache.pekko.actor.typed.Behavior;

import java.net.Inet4Address;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An overlay network on this node: a bridge as a bridge network's (internal: the overlay reaches nothing outside),
 * with a VXLAN link as one more port, whose VNI is the network's on every node. Nothing is learned and nothing is
 * flooded: for each endpoint on another node, the VXLAN link gets a forwarding entry (its MAC is behind that node's
 * underlay address) and a neighbour entry (its IPv4 address has that MAC), which the link's ARP proxy answers
 * from. Endpoints of this node are published to the others through the {@link OverlayFabric}.
 */
public final class OverlayDriver implements NetworkDriver {
    private final HostKernel kernel;
    private final OverlayFabric fabric;
    private final BridgeDriver bridge;
    private NetlinkSocket socket;
    private NetworkInfo info;
    private String vxlan;
    private int vxlanIndex;
    /** The other nodes' endpoints as programmed on the VXLAN link, by {@link RemoteEndpoint#key()}. */
    private final Map<String, RemoteEndpoint> programmed = new HashMap<>();

    public OverlayDriver(HostKernel kernel, Firewall firewall, OverlayFabric fabric) {
        this.kernel = kernel;
        this.fabric = fabric;
        this.bridge = new BridgeDriver(kernel, firewall);
    }

    /** The MTU of the link that carries {@code underlayAddress} (dotted) on this host: the overlay's less 50. */
    public static int underlayMtu(HostKernel kernel, String underlayAddress) {
        try (NetlinkSocket socket = kernel.openHostSocket()) {
            int address = Ipv4.parse(underlayAddress);
            for (AddressMessage a : new Addresses(socket).list(AddressFamily.AF_INET)) {
                if (Ipv4.fromInet((Inet4Address) a.ip()) == address) {
                    return new Links(socket).get(a.index()).mtu();
                }
            }
        }
        throw NetwharfException.badParameter("the cluster address " + underlayAddress + " is on no link of this host: overlay "
                + "networks send their traffic from it (--cluster-bind)");
    }

    /** The VXLAN link of network {@code networkId}: {@code vx-} and the short id, as the bridge is {@code ov-}. */
    static String vxlanName(String networkId) {
        return "vx-" + networkId.substring(0, 12);
    }

    @Override
    public Created create(NetworkDefinition definition, List<Taken> taken, List<PoolBase> candidates) {
        Created created = bridge.create(definition, taken, candidates);
        info = created.info();
        vxlan = vxlanName(definition.id());
        try {
            socket = kernel.openHostSocket();
            Links links = new Links(socket);
            int vni = OverlayOptions.vniOf(info);
            if (links.find(vxlan).isEmpty()) { // else made by an earlier run, kept with its entries
                int bridgeIndex = links.get(info.bridge()).index();
                socket.execute(Links.createVxlan(vxlan, new LinkData.Vxlan(vni, Ipv4.toInet(Ipv4.parse(fabric.underlayAddress())),
                        fabric.vxlanPort(), false, true), info.mtu(), info.bridge(), bridgeIndex));
            }
            socket.execute(Links.setUp(vxlan, true));
            vxlanIndex = links.get(vxlan).index();
        } catch (RuntimeException e) {
            Teardown teardown = new Teardown("undo the creation of overlay network " + definition.name());
            teardown.step("delete VXLAN link " + vxlan, () -> new Links(socket).deleteIfPresent(vxlan));
            teardown.step("remove its bridge", bridge::remove);
            try {
                teardown.finish();
            } catch (NetwharfException leftover) {
                e.addSuppressed(leftover);
            }
            throw e;
        }
        return created;
    }

    @Override
    public Behavior<PoolActor.Command> addressOwner(NetworkInfo network, AddressPool pool) {
        return fabric.addresses(network, pool);
    }

    @Override
    public void attach(EndpointInfo endpoint, String peerName, HardwareAddress mac, Netns sandbox) {
        bridge.attach(endpoint, peerName, mac, sandbox);
    }

    @Override
    public void adopt(EndpointInfo endpoint) {
        bridge.adopt(endpoint);
        fabric.publish(endpoint);
    }

    /** The port comes up, then the other nodes hear of the endpoint. */
    @Override
    public void enable(EndpointInfo endpoint) {
        bridge.enable(endpoint);
        fabric.publish(endpoint);
    }

    @Override
    public void detach(EndpointInfo endpoint, boolean deleteLink) {
        fabric.unpublish(endpoint);
        bridge.detach(endpoint, deleteLink);
    }

    /**
     * Programs the difference: entries of endpoints gone (or moved, or readdressed) are deleted, new ones added. Each
     * entry is added with replace semantics and deleting an absent one succeeds, so a set given again is harmless.
     */
    @Override
    public void remoteEndpoints(List<RemoteEndpoint> endpoints) {
        Map<String, RemoteEndpoint> wanted = new HashMap<>();
        endpoints.stream().filter(e -> e.endpoint().macAddress() != null && e.endpoint().ipv4Address() != null)
                .forEach(e -> wanted.put(e.key(), e));
        for (RemoteEndpoint old : List.copyOf(programmed.values())) {
            RemoteEndpoint now = wanted.get(old.key());
            if (now == null || !now.equals(old)) {
                unprogram(old);
                programmed.remove(old.key());
            }
        }
        for (RemoteEndpoint endpoint : wanted.values()) {
            if (!programmed.containsKey(endpoint.key())) {
                program(endpoint);
                programmed.put(endpoint.key(), endpoint);
            }
        }
    }

    private void program(RemoteEndpoint remote) {
        HardwareAddress mac = HardwareAddress.parse(remote.endpoint().macAddress());
        socket.executeAll(List.of(
                Neighbours.addForwarding(vxlan, vxlanIndex, mac, Ipv4.parse(remote.underlayAddress())),
                Neighbours.addNeighbour(vxlan, vxlanIndex, Ipv4.parse(remote.endpoint().ipv4Address()), mac)));
    }

    private void unprogram(RemoteEndpoint remote) {
        HardwareAddress mac = HardwareAddress.parse(remote.endpoint().macAddress());
        socket.executeAll(List.of(
                Neighbours.deleteNeighbour(vxlan, vxlanIndex, Ipv4.parse(remote.endpoint().ipv4Address())),
                Neighbours.deleteForwarding(vxlan, vxlanIndex, mac)));
    }

    /** The VXLAN link (its entries go with it), then the bridge and its rules. */
    @Override
    public void remove() {
        Teardown teardown = new Teardown("remove overlay network " + info.name());
        teardown.step("delete VXLAN link " + vxlan, () -> new Links(socket).deleteIfPresent(vxlan));
        teardown.step("remove its bridge", bridge::remove);
        teardown.finish();
        programmed.clear();
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.close();
            socket = null;
        }
        bridge.close();
    }
}
