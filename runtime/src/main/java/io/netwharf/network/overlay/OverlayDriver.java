package io.netwharf.network.overlay;

import io.netwharf.actor.Teardown;
import io.netwharf.firewall.Firewall;
import io.netwharf.ipam.AddressPool;
import io.netwharf.ipam.Ipv4;
import io.netwharf.ipam.Ipv4Subnet;
import io.netwharf.ipam.PoolActor;
import io.netwharf.ipam.PoolBase;
import io.netwharf.ipam.Taken;
import io.netwharf.kernel.Addresses;
import io.netwharf.kernel.HostKernel;
import io.netwharf.kernel.Links;
import io.netwharf.kernel.Neighbours;
import io.netwharf.kernel.NetlinkSocket;
import io.netwharf.kernel.Netns;
import io.netwharf.network.HostSubnets;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet4Address;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An overlay network on this node: a bridge as a bridge network's (internal: the overlay reaches nothing outside),
 * with a VXLAN link as one more port, whose VNI is the network's on every node. Nothing is learned and nothing is
 * flooded: for each endpoint on another node, the VXLAN link gets a forwarding entry (its MAC is behind that node's
 * underlay address) and a neighbour entry (its IPv4 address has that MAC), which the link's ARP proxy answers
 * from. Endpoints of this node are published to the others through the {@link OverlayFabric}.
 *
 * <p>Every node knows every overlay network, but the bridge and the VXLAN link exist only on a node while it has an
 * endpoint on the network (as Docker's overlay does): made with the first, removed with the last. A node without
 * one keeps only the other nodes' endpoints, to program when its first endpoint comes.
 */
public final class OverlayDriver implements NetworkDriver {
    private static final Logger LOG = LoggerFactory.getLogger(OverlayDriver.class);
    private final HostKernel kernel;
    private final Firewall firewall;
    private final OverlayFabric fabric;
    private NetlinkSocket socket;
    /** The network with its subnet and gateway decided, for the bridge driver to make each time it is needed. */
    private NetworkDefinition planned;
    private NetworkInfo info;
    private String vxlan;
    private int vxlanIndex;
    /** The bridge and its rules while this node has endpoints on the network; null without. */
    private BridgeDriver bridge;
    /** This node's endpoints on the network, by container id. */
    private final Set<String> local = new HashSet<>();
    /** The other nodes' endpoints, as last told. */
    private List<RemoteEndpoint> remote = List.of();
    /** The other nodes' endpoints as programmed on the VXLAN link, by {@link RemoteEndpoint#key()}. */
    private final Map<String, RemoteEndpoint> programmed = new HashMap<>();

    public OverlayDriver(HostKernel kernel, Firewall firewall, OverlayFabric fabric) {
        this.kernel = kernel;
        this.firewall = firewall;
        this.fabric = fabric;
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

    /**
     * Decides the subnet and gateway (as the bridge driver would) and changes nothing in the kernel, unless an earlier
     * run left the network's bridge: then it is taken over now, with its endpoints kept by a live restore.
     */
    @Override
    public Created create(NetworkDefinition definition, List<Taken> taken, List<PoolBase> candidates) {
        firewall.checkEnforceable(definition.name(), definition.icc(), definition.internal());
        socket = kernel.openHostSocket();
        Ipv4Subnet subnet = definition.subnet() != null ? definition.subnet() : HostSubnets.chooseFree(definition, candidates, taken, socket);
        int gateway = definition.gateway() != null ? definition.gateway() : subnet.firstUsable();
        AddressPool pool = new AddressPool(subnet, gateway, definition.ipRange(), Set.copyOf(definition.auxiliaryAddresses().values()));
        planned = definition.restored(subnet, gateway, definition.created());
        info = definition.made(definition.link(), subnet, gateway, definition.mtu(), definition.icc(), definition.masquerade());
        vxlan = vxlanName(definition.id());
        if (new Links(socket).find(info.bridge()).isPresent()) {
            makeInKernel();
        }
        return new Created(info, pool);
    }

    /** The bridge (with its address and rules), then the VXLAN link on it. */
    private void makeInKernel() {
        BridgeDriver made = new BridgeDriver(kernel, firewall);
        made.create(planned, List.of(), List.of());
        try {
            Links links = new Links(socket);
            if (links.find(vxlan).isEmpty()) { // else made by an earlier run, kept with its entries
                int bridgeIndex = links.get(info.bridge()).index();
                socket.execute(Links.createVxlan(vxlan, new LinkData.Vxlan(OverlayOptions.vniOf(info), Ipv4.toInet(Ipv4.parse(fabric.underlayAddress())),
                        fabric.vxlanPort(), false, true), info.mtu(), info.bridge(), bridgeIndex));
            }
            socket.execute(Links.setUp(vxlan, true));
            vxlanIndex = links.get(vxlan).index();
        } catch (RuntimeException e) {
            Teardown teardown = new Teardown("undo the creation of overlay network " + info.name() + " on this node");
            teardown.step("delete VXLAN link " + vxlan, () -> new Links(socket).deleteIfPresent(vxlan));
            teardown.step("remove its bridge", made::remove);
            try {
                teardown.finish();
            } catch (NetwharfException leftover) {
                e.addSuppressed(leftover);
            }
            made.close();
            throw e;
        }
        bridge = made;
    }

    /** The VXLAN link (its entries go with it), then the bridge and its rules. */
    private void removeFromKernel() {
        Teardown teardown = new Teardown("remove overlay network " + info.name() + " from this node");
        teardown.step("delete VXLAN link " + vxlan, () -> new Links(socket).deleteIfPresent(vxlan));
        teardown.step("remove its bridge", bridge::remove);
        teardown.finish();
        bridge.close();
        bridge = null;
        programmed.clear();
    }

    @Override
    public Behavior<PoolActor.Command> addressOwner(NetworkInfo network, AddressPool pool) {
        return fabric.addresses(network, pool);
    }

    /**
     * The first endpoint makes the bridge and the VXLAN link (when its own link fails, they go again), and has the
     * other nodes' endpoints programmed.
     */
    @Override
    public void attach(EndpointInfo endpoint, String peerName, HardwareAddress mac, Netns sandbox) {
        boolean first = bridge == null;
        if (first) {
            makeInKernel();
        }
        try {
            bridge.attach(endpoint, peerName, mac, sandbox);
        } catch (RuntimeException e) {
            if (local.isEmpty()) {
                try {
                    removeFromKernel();
                } catch (RuntimeException leftover) {
                    e.addSuppressed(leftover);
                }
            }
            throw e;
        }
        local.add(endpoint.containerId());
        if (first) {
            programOrLog();
        }
    }

    @Override
    public void adopt(EndpointInfo endpoint) {
        boolean first = bridge == null;
        if (first) {
            makeInKernel();
        }
        bridge.adopt(endpoint);
        local.add(endpoint.containerId());
        fabric.publish(endpoint);
        if (first) {
            programOrLog();
        }
    }

    /** As the network actor does with a failed change: the next one programs the whole set again. */
    private void programOrLog() {
        try {
            program();
        } catch (RuntimeException e) {
            LOG.error("network {}: the other nodes' endpoints are not all programmed: {}", info.name(), e.getMessage());
        }
    }

    /** The port comes up, then the other nodes hear of the endpoint. */
    @Override
    public void enable(EndpointInfo endpoint) {
        bridge.enable(endpoint);
        fabric.publish(endpoint);
    }

    /** The last endpoint takes the bridge and the VXLAN link with it. */
    @Override
    public void detach(EndpointInfo endpoint, boolean deleteLink) {
        fabric.unpublish(endpoint);
        bridge.detach(endpoint, deleteLink);
        local.remove(endpoint.containerId());
        if (local.isEmpty()) {
            removeFromKernel();
        }
    }

    /**
     * Programs the difference: entries of endpoints gone (or moved, or readdressed) are deleted, new ones added. Each
     * entry is added with replace semantics and deleting an absent one succeeds, so a set given again is harmless.
     */
    @Override
    public void remoteEndpoints(List<RemoteEndpoint> endpoints) {
        remote = List.copyOf(endpoints);
        if (bridge != null) {
            program();
        }
    }

    private void program() {
        Map<String, RemoteEndpoint> wanted = new HashMap<>();
        remote.stream().filter(e -> e.endpoint().macAddress() != null && e.endpoint().ipv4Address() != null)
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

    private void program(RemoteEndpoint endpoint) {
        HardwareAddress mac = HardwareAddress.parse(endpoint.endpoint().macAddress());
        socket.executeAll(List.of(
                Neighbours.addForwarding(vxlan, vxlanIndex, mac, Ipv4.parse(endpoint.underlayAddress())),
                Neighbours.addNeighbour(vxlan, vxlanIndex, Ipv4.parse(endpoint.endpoint().ipv4Address()), mac)));
    }

    private void unprogram(RemoteEndpoint remote) {
        HardwareAddress mac = HardwareAddress.parse(remote.endpoint().macAddress());
        socket.executeAll(List.of(
                Neighbours.deleteNeighbour(vxlan, vxlanIndex, Ipv4.parse(remote.endpoint().ipv4Address())),
                Neighbours.deleteForwarding(vxlan, vxlanIndex, mac)));
    }

    @Override
    public void remove() {
        if (bridge != null) {
            removeFromKernel();
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.close();
            socket = null;
        }
        if (bridge != null) {
            bridge.close();
        }
    }
}
