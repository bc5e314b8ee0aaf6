package io.netwharf.network.bridge;

import io.netwharf.actor.Teardown;
import io.netwharf.firewall.Firewall;
import io.netwharf.firewall.NetworkRules;
import io.netwharf.ipam.AddressPool;
import io.netwharf.ipam.Ipv4;
import io.netwharf.ipam.Ipv4Subnet;
import io.netwharf.ipam.PoolBase;
import io.netwharf.ipam.Taken;
import io.netwharf.kernel.Addresses;
import io.netwharf.kernel.HostKernel;
import io.netwharf.kernel.KernelException;
import io.netwharf.kernel.LinkMarks;
import io.netwharf.kernel.Links;
import io.netwharf.kernel.NetlinkOperation;
import io.netwharf.kernel.NetlinkSocket;
import io.netwharf.kernel.Netns;
import io.netwharf.kernel.VethEndpoint;
import io.netwharf.network.HostSubnets;
import io.netwharf.network.NetworkDefinition;
import io.netwharf.network.NetworkDriver;
import io.netwharf.protocol.model.EndpointInfo;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.netlink.AddressFamily;
import io.netwharf.protocol.netlink.Errno;
import io.netwharf.protocol.netlink.HardwareAddress;
import io.netwharf.protocol.rtnetlink.AddressMessage;
import io.netwharf.protocol.rtnetlink.LinkData;
import io.netwharf.protocol.rtnetlink.LinkMessage;

import java.net.Inet4Address;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A bridge network: a Linux bridge with the gateway address, the network's firewall rules, and for each endpoint a
 * veth pair with the host end on the bridge (a port) and the peer made straight in the container's namespace. Works
 * on a netlink socket of its own in the host namespace.
 */
public final class BridgeDriver implements NetworkDriver {
    /**
     * The ports a Linux bridge holds: port numbers are 10 bits (BR_MAX_PORTS = 1024) and number 0 is reserved, so
     * the kernel refuses the 1,024th port with EXFULL. Counted here so the refusal comes before any kernel work.
     */
    public static final int MAX_PORTS = 1023;

    private final HostKernel kernel;
    private final Firewall firewall;
    /** Opened by {@link #create}, on the network's actor: the runtime that makes the driver makes no kernel call. */
    private NetlinkSocket socket;
    private NetworkInfo info;
    private int bridgeIndex;
    private int ports;
    private boolean rulesRemoved;

    public BridgeDriver(HostKernel kernel, Firewall firewall) {
        this.kernel = kernel;
        this.firewall = firewall;
    }

    /**
     * Creates the bridge (or adopts one of that name, keeping its IPv4 address when the definition names no subnet),
     * marks it as the network's ({@link LinkMarks#network}), gives it the gateway address, brings it up and installs
     * the network's firewall rules. On failure, whatever this call changed is changed back: a bridge it made is
     * deleted, an adopted one gets its alias back, loses the address it was given and goes down again if it was down.
     */
    @Override
    public Created create(NetworkDefinition definition, List<Taken> taken, List<PoolBase> candidates) {
        firewall.checkEnforceable(definition.name(), definition.icc(), definition.internal());
        socket = kernel.openHostSocket();
        Links links = new Links(socket);
        String bridge = definition.link();
        Optional<LinkMessage> existing = links.find(bridge);
        if (existing.isPresent() && !"bridge".equals(existing.get().kind())) {
            throw NetwharfException.forbidden("cannot use " + bridge + " as the bridge of network " + definition.name()
                    + ": it exists and is a " + (existing.get().kind() == null ? "plain" : existing.get().kind()) + " interface");
        }
        Ipv4Subnet subnet = definition.subnet();
        Integer gateway = definition.gateway();
        boolean hasGatewayAddress = false;
        if (existing.isPresent()) {
            Optional<AddressMessage> kept = new Addresses(socket).listOn(existing.get().index()).stream()
                    .filter(a -> a.family() == AddressFamily.AF_INET).findFirst();
            if (kept.isPresent() && subnet == null) {
                gateway = Ipv4.fromInet((Inet4Address) kept.get().ip());
                subnet = Ipv4Subnet.containing(gateway, kept.get().prefixLength());
                hasGatewayAddress = true;
            }
        }
        if (subnet == null) {
            subnet = HostSubnets.chooseFree(definition, candidates, taken, socket);
        }
        if (gateway == null) {
            gateway = subnet.firstUsable();
        }
        // Before any kernel change: a subnet the pool cannot take must leave no bridge and no rule behind.
        AddressPool pool = new AddressPool(subnet, gateway, definition.ipRange(), Set.copyOf(definition.auxiliaryAddresses().values()));
        // Each kernel step's undo, newest first: on a later failure, what this call changed is changed back.
        Deque<Undo> undo = new ArrayDeque<>();
        try {
            if (existing.isEmpty()) {
                socket.execute(Links.createBridge(bridge, definition.mtu(), null, LinkData.Bridge.forContainers()));
                undo.push(new Undo("delete bridge " + bridge, () -> links.deleteIfPresent(bridge))); // its address goes with it
            }
            // The mark after the bridge is known to be this network's: sent in one batch with the creation, it would
            // land on someone else's bridge when the creation fails with EEXIST. An adopted bridge is netwharf's now.
            socket.execute(Links.setAlias(bridge, LinkMarks.network(definition.id())));
            if (existing.isPresent()) {
                NetlinkOperation restore = Links.setAlias(bridge, existing.get().alias() == null ? "" : existing.get().alias());
                undo.push(new Undo("give bridge " + bridge + " its alias back", () -> socket.execute(restore)));
            }
            bridgeIndex = links.get(bridge).index();
            if (!hasGatewayAddress) {
                boolean added = addGatewayAddress(socket, bridge, bridgeIndex, gateway, subnet);
                if (added && existing.isPresent()) {
                    NetlinkOperation delete = Addresses.delete(bridge, bridgeIndex, Ipv4.toInet(gateway), subnet.prefixLength());
                    undo.push(new Undo("remove address " + Ipv4.format(gateway) + " from bridge " + bridge, () -> socket.execute(delete)));
                }
            }
            if (existing.isEmpty() || !existing.get().isUp()) {
                socket.execute(Links.setUp(bridge, true));
                if (existing.isPresent()) {
                    undo.push(new Undo("bring bridge " + bridge + " down again", () -> socket.execute(Links.setUp(bridge, false))));
                }
            }
            info = definition.made(bridge, subnet, gateway, definition.mtu(), definition.icc(), definition.masquerade());
            firewall.addNetwork(rules()); // one atomic batch: when it fails, none of its chains or elements exist
            return new Created(info, pool);
        } catch (RuntimeException e) {
            throw undone(definition.name(), e, undo);
        }
    }

    /** One kernel change of {@link #create} and how to take it back. */
    private record Undo(String name, Runnable step) {}

    /**
     * Runs every undo (going on after a failed one) and gives the error to throw: the creation's own, or, when
     * something could not be taken back, one that names both.
     */
    private static RuntimeException undone(String network, RuntimeException failure, Deque<Undo> undo) {
        Teardown teardown = new Teardown("undo the creation of network " + network);
        undo.forEach(u -> teardown.step(u.name(), u.step()));
        try {
            teardown.finish();
            return failure;
        } catch (NetwharfException leftover) {
            NetwharfException both = NetwharfException.internal(failure.getMessage() + "; " + leftover.getMessage(), failure);
            both.addSuppressed(leftover);
            return both;
        }
    }

    private NetworkRules rules() {
        return new NetworkRules(info.name(), info.bridge(), info.subnet(), info.icc(), info.masquerade(), info.internal());
    }

    @Override
    public void attach(EndpointInfo endpoint, String peerName, HardwareAddress mac, Netns sandbox) {
        if (ports >= MAX_PORTS) {
            throw NetwharfException.forbidden("network " + info.name() + " (bridge " + info.bridge() + ") already has "
                    + MAX_PORTS + " endpoints, the most a Linux bridge holds");
        }
        try {
            socket.executeAll(VethEndpoint.hostSide(endpoint.hostInterfaceName(), peerName, sandbox, info.bridge(), bridgeIndex,
                    info.mtu(), mac, false, LinkMarks.endpoint(endpoint.containerId(), endpoint.networkId())));
        } catch (RuntimeException e) {
            new Links(socket).deleteQuietly(endpoint.hostInterfaceName()); // the batch may have failed after the pair was made
            throw e;
        }
        ports++;
    }

    @Override
    public void adopt(EndpointInfo endpoint) {
        ports++;
    }

    @Override
    public void enable(EndpointInfo endpoint) {
        socket.execute(VethEndpoint.enableHostSide(endpoint.hostInterfaceName()));
    }

    @Override
    public void detach(EndpointInfo endpoint, boolean deleteLink) {
        if (deleteLink) {
            try {
                socket.execute(Links.delete(endpoint.hostInterfaceName()));
            } catch (KernelException e) {
                if (!e.is(Errno.ENODEV)) {
                    throw e;
                }
            }
        }
        ports--;
    }

    /** The firewall rules, then the bridge (the default network keeps its bridge for the next start). */
    @Override
    public void remove() {
        Teardown teardown = new Teardown("remove network " + info.name());
        if (!rulesRemoved) {
            rulesRemoved = teardown.step("remove its firewall rules", () -> firewall.removeNetwork(rules()));
        }
        if (!info.isDefault()) {
            teardown.step("delete bridge " + info.bridge(), () -> new Links(socket).deleteIfPresent(info.bridge()));
        }
        teardown.finish();
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.close();
            socket = null;
        }
    }

    /** Adds the gateway address; false when an adopted bridge already carried it (and it is not this call's to undo). */
    private static boolean addGatewayAddress(NetlinkSocket socket, String bridge, int index, int gateway, Ipv4Subnet subnet) {
        try {
            socket.execute(Addresses.add(bridge, index, Ipv4.toInet(gateway), subnet.prefixLength()));
            return true;
        } catch (KernelException e) {
            if (!e.is(Errno.EEXIST)) {
                throw e;
            }
            return false;
        }
    }
}
