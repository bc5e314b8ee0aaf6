package io.netwharf.network;

import io.netwharf.actor.Teardown;
import io.netwharf.ipam.AddressPool;
import io.netwharf.ipam.Ipv4Subnet;
import io.netwharf.ipam.PoolBase;
import io.netwharf.ipam.Taken;
import io.netwharf.kernel.HostKernel;
import io.netwharf.kernel.KernelException;
import io.netwharf.kernel.LinkMarks;
import io.netwharf.kernel.Links;
import io.netwharf.kernel.NetlinkSocket;
import io.netwharf.kernel.Netns;
import io.netwharf.protocol.model.EndpointInfo;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.netlink.Errno;
import io.netwharf.protocol.netlink.HardwareAddress;
import io.netwharf.protocol.rtnetlink.LinkData;
import io.netwharf.protocol.rtnetlink.LinkMessage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A network whose endpoints are links on one parent link of the host, each made straight inside its container's
 * namespace: macvlan and ipvlan. Addresses come from the network's pool as on a bridge network; there is no bridge,
 * no gateway address on the host (the gateway is a router on the parent's segment) and no firewall rule. Without a
 * parent, the network gets a bridge of its own as parent (this kernel has no dummy links, which Docker uses), so its
 * containers reach each other and nothing else.
 */
public abstract class ParentLinkDriver implements NetworkDriver {
    private final HostKernel kernel;
    private final String kind;
    /** Opened by {@link #create}, on the network's actor: the runtime that makes the driver makes no kernel call. */
    private NetlinkSocket socket;
    /** Where each endpoint's link is (namespace and the name it was made under), to delete it from there. */
    private final Map<String, Placed> placed = new HashMap<>();
    private NetworkInfo info;
    private int parentIndex;
    private boolean ownParent;

    private record Placed(Path sandbox, String createdName) {}

    protected ParentLinkDriver(HostKernel kernel, String kind) {
        this.kernel = kernel;
        this.kind = kind;
    }

    /** The link data that makes an endpoint of this kind, in the network's mode. */
    protected abstract LinkData linkData(Map<String, String> options);

    /** Whether endpoints take the MAC the runtime gives them (an ipvlan link always has its parent's). */
    protected abstract boolean takesMac();

    @Override
    public Created create(NetworkDefinition definition, List<Taken> taken, List<PoolBase> candidates) {
        socket = kernel.openHostSocket();
        Links links = new Links(socket);
        String parent = definition.link();
        ownParent = !definition.options().containsKey(NetworkDefinition.PARENT);
        Optional<LinkMessage> existing = links.find(parent);
        if (!ownParent && existing.isEmpty()) {
            throw NetwharfException.badParameter("-o parent interface was not found on the host: " + parent);
        }
        if (ownParent && existing.isPresent()) {
            throw NetwharfException.conflict("cannot make link " + parent + " as the parent of network " + definition.name()
                    + ": it exists");
        }
        Ipv4Subnet subnet = definition.subnet() != null ? definition.subnet()
                : HostSubnets.chooseFree(definition, candidates, taken, socket);
        int gateway = definition.gateway() != null ? definition.gateway() : subnet.firstUsable();
        AddressPool pool = new AddressPool(subnet, gateway, definition.ipRange(), Set.copyOf(definition.auxiliaryAddresses().values()));
        try {
            if (ownParent) {
                socket.execute(Links.createBridge(parent, null, null, LinkData.Bridge.forContainers()));
                socket.executeAll(List.of(Links.setAlias(parent, LinkMarks.network(definition.id())), Links.setUp(parent, true)));
            }
            LinkMessage parentLink = links.get(parent);
            parentIndex = parentLink.index();
            probe(parent, definition.options());
            info = definition.made(parent, subnet, gateway, parentLink.mtu() == null ? definition.mtu() : parentLink.mtu(), true, false);
            return new Created(info, pool);
        } catch (RuntimeException e) {
            if (ownParent) {
                links.deleteQuietly(parent);
            }
            throw e;
        }
    }

    /**
     * Makes and deletes one link of this kind on the parent, in the host namespace: where the kernel has no such
     * links (this one has no ipvlan), the network is refused at creation, in words, with nothing left behind.
     */
    private void probe(String parent, Map<String, String> options) {
        String name = "nwprobe" + Long.toHexString(System.nanoTime() & 0xffffffL);
        try {
            socket.execute(Links.createOnParent(name, parent, parentIndex, null, null, null, linkData(options)));
        } catch (KernelException e) {
            if (e.is(Errno.EOPNOTSUPP)) {
                throw NetwharfException.forbidden("this kernel has no " + kind + " support: it refuses " + kind
                        + " links (\"Unknown device type\"); load the " + kind + " module or use another driver");
            }
            throw e;
        }
        socket.execute(Links.delete(name));
    }

    /**
     * Makes the link straight inside the container's namespace, then marks it ({@link LinkMarks#endpoint}) from a
     * socket of that namespace, the only one that reaches it by name there (the kernel ignores an alias in the
     * request that creates a link); a failed mark deletes the link again.
     */
    @Override
    public void attach(EndpointInfo endpoint, String peerName, HardwareAddress mac, Netns sandbox) {
        try (NetlinkSocket inside = kernel.sandboxes().openSocket(sandbox)) {
            socket.execute(Links.createOnParent(peerName, info.bridge(), parentIndex, sandbox, null, takesMac() ? mac : null,
                    linkData(info.options())));
            try {
                inside.execute(Links.setAlias(peerName, LinkMarks.endpoint(endpoint.containerId(), endpoint.networkId())));
            } catch (RuntimeException e) {
                new Links(inside).deleteQuietly(peerName);
                throw e;
            }
        }
        placed.put(endpoint.containerId(), new Placed(sandbox.path(), peerName));
    }

    @Override
    public void enable(EndpointInfo endpoint) {
        // Nothing on the host side: the link came up with the container's side.
    }

    /**
     * The link lives in the container's namespace only: deleted from there, under the name it was made with (when the
     * rename to ethN failed, ethN may be another network's interface) or else its new name. A namespace already gone
     * took the link with it.
     */
    @Override
    public void detach(EndpointInfo endpoint, boolean deleteLink) {
        Placed where = placed.get(endpoint.containerId());
        if (deleteLink && where != null && Files.exists(where.sandbox())) {
            try (Netns sandbox = Netns.open(where.sandbox()); NetlinkSocket inside = kernel.sandboxes().openSocket(sandbox)) {
                Links links = new Links(inside);
                for (String name : List.of(where.createdName(), endpoint.interfaceName())) {
                    Optional<LinkMessage> link = links.find(name);
                    if (link.isPresent() && kind.equals(link.get().kind())) {
                        inside.execute(Links.delete(name));
                        break;
                    }
                }
            }
        }
        placed.remove(endpoint.containerId());
    }

    @Override
    public void remove() {
        Teardown teardown = new Teardown("remove network " + info.name());
        if (ownParent) {
            teardown.step("delete its parent link " + info.bridge(), () -> new Links(socket).deleteIfPresent(info.bridge()));
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
}
