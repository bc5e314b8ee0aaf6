package io.netwharf.kernel;

import io.netwharf.protocol.netlink.Errno;
import io.netwharf.protocol.netlink.HardwareAddress;
import io.netwharf.protocol.netlink.Netlink;
import io.netwharf.protocol.netlink.NetlinkRequest;
import io.netwharf.protocol.rtnetlink.LinkData;
import io.netwharf.protocol.rtnetlink.LinkMessage;
import io.netwharf.protocol.rtnetlink.LinkStatistics;
import io.netwharf.protocol.rtnetlink.Rtnetlink;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Links: each change is a static {@link NetlinkOperation}, to send alone ({@link NetlinkSocket#execute}) or
 * several in one datagram ({@link NetlinkSocket#executeAll}); an instance, bound to one socket and so to that
 * socket's namespace, answers queries. Links are named by their name; the kernel looks the name up.
 */
public final class Links {
    private static final int CREATE = Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL;

    private final NetlinkSocket socket;

    public Links(NetlinkSocket socket) {
        this.socket = socket;
    }

    // ---- operations, for batches ----

    /** A bridge, down, with the given MTU and MAC (null: the kernel's choice) and options. */
    public static NetlinkOperation createBridge(String name, Integer mtu, HardwareAddress mac, LinkData.Bridge options) {
        String what = "create bridge " + name;
        checkName(what, name);
        LinkMessage link = LinkMessage.builder().name(name).mtu(mtu).address(mac).kind("bridge").data(options).build();
        return new NetlinkOperation(what, new NetlinkRequest(Rtnetlink.RTM_NEWLINK, CREATE, link));
    }

    /**
     * A veth pair, both ends down: {@code name} here and {@code peerName} created straight inside {@code peerNetns}
     * (null: here too), so the peer never appears in this namespace.
     */
    public static NetlinkOperation createVeth(String name, String peerName, Netns peerNetns, Integer mtu, HardwareAddress peerMac) {
        String what = "create veth " + name + " peer " + peerName + (peerNetns == null ? "" : " in " + peerNetns);
        return new NetlinkOperation(what, new NetlinkRequest(Rtnetlink.RTM_NEWLINK, CREATE,
                veth(what, name, LinkMessage.builder().mtu(mtu), peerName, peerNetns, mtu, peerMac)));
    }

    /**
     * A veth pair whose end {@code name} is created already attached to {@code bridge}, in one request; both ends
     * stay down, the peer inside {@code peerNetns}. Bringing the host end up last, once the peer is up, makes the
     * bridge's port come up once: every port state change walks all the bridge's ports, and a port created up
     * changes state three times (up, no carrier, carrier).
     */
    public static NetlinkOperation createVethOnBridge(String name, String peerName, Netns peerNetns, Integer mtu, HardwareAddress peerMac,
                                                      String bridge, int bridgeIndex) {
        String what = "create veth " + name + " on bridge " + bridge + " peer " + peerName + (peerNetns == null ? "" : " in " + peerNetns);
        LinkMessage.Builder hostEnd = LinkMessage.builder().mtu(mtu).master(bridgeIndex);
        return new NetlinkOperation(what, new NetlinkRequest(Rtnetlink.RTM_NEWLINK, CREATE,
                veth(what, name, hostEnd, peerName, peerNetns, mtu, peerMac)));
    }

    /**
     * A link of {@code data}'s kind (macvlan, ipvlan) on the parent link {@code parentIndex} of this namespace, created
     * down and straight inside {@code netns} (null: here), so it never appears here. It carries {@code netns}'
     * descriptor: send the operation while that Netns is open. {@code mac} null: the kernel's choice (an ipvlan takes
     * its parent's).
     */
    public static NetlinkOperation createOnParent(String name, String parent, int parentIndex, Netns netns, Integer mtu,
                                                  HardwareAddress mac, LinkData data) {
        String kind = data instanceof LinkData.Ipvlan ? "ipvlan" : "macvlan";
        String what = "create " + kind + " " + name + " on " + parent + (netns == null ? "" : " in " + netns);
        checkName(what, name);
        LinkMessage link = LinkMessage.builder().name(name).mtu(mtu).address(mac).link(parentIndex)
                .netnsFd(netns == null ? null : netns.fd())
                .kind(kind).data(data).build();
        return new NetlinkOperation(what, new NetlinkRequest(Rtnetlink.RTM_NEWLINK, CREATE, link));
    }

    /**
     * A vxlan link, down, created already attached to {@code bridge} in the same request (the kernel takes IFLA_MASTER
     * on creation, as for a veth). {@code mtu} is the underlay's less the 50 bytes of VXLAN encapsulation over IPv4.
     */
    public static NetlinkOperation createVxlan(String name, LinkData.Vxlan data, Integer mtu, String bridge, int bridgeIndex) {
        String what = "create vxlan " + name + (data.vni() == null ? "" : " id " + data.vni()) + " on bridge " + bridge;
        checkName(what, name);
        LinkMessage link = LinkMessage.builder().name(name).mtu(mtu).master(bridgeIndex).kind("vxlan").data(data).build();
        return new NetlinkOperation(what, new NetlinkRequest(Rtnetlink.RTM_NEWLINK, CREATE, link));
    }

    /** The peer carries {@code peerNetns}' descriptor: send the operation while that Netns is open. */
    private static LinkMessage veth(String what, String name, LinkMessage.Builder hostEnd, String peerName, Netns peerNetns, Integer mtu,
                                    HardwareAddress peerMac) {
        checkName(what, name);
        checkName(what, peerName);
        LinkMessage peer = LinkMessage.builder().name(peerName).mtu(mtu).address(peerMac)
                .netnsFd(peerNetns == null ? null : peerNetns.fd()).build();
        return hostEnd.name(name).kind("veth").data(new LinkData.Veth(peer)).build();
    }

    public static NetlinkOperation setMaster(String name, String master, int masterIndex) {
        return set("set master of " + name + " to " + master, name, b -> b.master(masterIndex));
    }

    public static NetlinkOperation setNoMaster(String name) {
        return set("remove " + name + " from its master", name, b -> b.master(0));
    }

    public static NetlinkOperation setUp(String name, boolean up) {
        return set("set " + name + (up ? " up" : " down"), name, b -> b.up(up));
    }

    /**
     * Lets bridge port {@code name} send frames back out of itself (the bridge's hairpin mode, {@code bridge link set
     * hairpin on}): a container reaching its own published port through the host's address sends its packet to the
     * host, which forwards it, DNATed, back to the port it came from.
     */
    public static NetlinkOperation setHairpin(String name, boolean on) {
        String what = "set hairpin mode of bridge port " + name + (on ? " on" : " off");
        checkName(what, name);
        // RTM_NEWLINK on an existing link, as ip link's "type bridge_slave": RTM_SETLINK ignores IFLA_LINKINFO.
        LinkMessage link = LinkMessage.builder().name(name).slaveKind("bridge").hairpin(on).build();
        return new NetlinkOperation(what, new NetlinkRequest(Rtnetlink.RTM_NEWLINK, 0, link));
    }

    public static NetlinkOperation setMtu(String name, int mtu) {
        return set("set mtu of " + name + " to " + mtu, name, b -> b.mtu(mtu));
    }

    public static NetlinkOperation setMac(String name, HardwareAddress mac) {
        return set("set address of " + name + " to " + mac, name, b -> b.address(mac));
    }

    /**
     * Sets a link's alias (ip link's {@code alias}), as netwharf marks its links ({@link LinkMarks}); empty removes it.
     * A request of its own: the kernel ignores an alias in the request that creates a link (tried on this kernel).
     */
    public static NetlinkOperation setAlias(String name, String alias) {
        String what = "set alias of " + name + " to '" + alias + "'";
        int bytes = alias.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > Rtnetlink.MAX_ALIAS_BYTES || alias.indexOf(0) >= 0) {
            throw new KernelException(what, Errno.EINVAL.number, "an alias is at most " + Rtnetlink.MAX_ALIAS_BYTES
                    + " bytes without NUL; this one is " + bytes + (alias.indexOf(0) >= 0 ? " and holds a NUL" : ""));
        }
        return set(what, name, b -> b.alias(alias));
    }

    /** IN6_ADDR_GEN_MODE_NONE turns off IPv6 link-local autoconfiguration; set it before the link goes up. */
    public static NetlinkOperation setAddrGenMode(String name, int mode) {
        return set("set IPv6 address generation mode of " + name + " to " + mode, name, b -> b.addrGenMode(mode));
    }

    public static NetlinkOperation moveTo(String name, Netns target) {
        return set("move " + name + " to " + target, name, b -> b.netnsFd(target.fd()));
    }

    /** Renames a link; the kernel may refuse (EBUSY) while it is up. */
    public static NetlinkOperation rename(int index, String oldName, String newName) {
        String what = "rename " + oldName + " to " + newName;
        checkName(what, newName);
        LinkMessage link = LinkMessage.builder().index(index).name(newName).build();
        return new NetlinkOperation(what, new NetlinkRequest(Rtnetlink.RTM_SETLINK, 0, link));
    }

    public static NetlinkOperation delete(String name) {
        String what = "delete link " + name;
        checkName(what, name);
        return new NetlinkOperation(what, new NetlinkRequest(Rtnetlink.RTM_DELLINK, 0, LinkMessage.builder().name(name).build()));
    }

    private static NetlinkOperation set(String what, String name, UnaryOperator<LinkMessage.Builder> change) {
        checkName(what, name);
        LinkMessage link = change.apply(LinkMessage.builder().name(name)).build();
        return new NetlinkOperation(what, new NetlinkRequest(Rtnetlink.RTM_SETLINK, 0, link));
    }

    /** Refuses, before the kernel sees it, a name the kernel would refuse: empty, over 15 bytes, '/', ':' or space. */
    static void checkName(String what, String name) {
        if (name == null || name.isEmpty()) {
            throw new KernelException(what, Errno.EINVAL.number, "interface name is empty");
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > Rtnetlink.MAX_INTERFACE_NAME_BYTES) {
            throw new KernelException(what, Errno.EINVAL.number,
                    "interface name '" + name + "' is " + bytes + " bytes, the kernel allows at most " + Rtnetlink.MAX_INTERFACE_NAME_BYTES);
        }
        if (name.equals(".") || name.equals("..") || name.chars().anyMatch(c -> c == '/' || c == ':' || Character.isWhitespace(c) || c == 0)) {
            throw new KernelException(what, Errno.EINVAL.number, "interface name '" + name + "' holds '/', ':', a space or is '.' or '..'");
        }
    }

    // ---- changes that first look a name up ----

    /** Deletes a link; one already gone is fine (a retried removal). */
    public void deleteIfPresent(String name) {
        try {
            socket.execute(delete(name));
        } catch (KernelException e) {
            if (!e.is(Errno.ENODEV)) {
                throw e;
            }
        }
    }

    /** Deletes a link while undoing a failure: whatever goes wrong here, the failure being undone is what is reported. */
    public void deleteQuietly(String name) {
        try {
            socket.execute(delete(name));
        } catch (KernelException ignored) {
            // ENODEV: already gone; anything else is reported by the failure that brought us here
        }
    }

    /** Attaches {@code name} to the bridge {@code master}. */
    public void setMaster(String name, String master) {
        socket.execute(setMaster(name, master, get(master).index()));
    }

    /** Renames a link (down, or the kernel may refuse). */
    public void rename(String oldName, String newName) {
        socket.execute(rename(get(oldName).index(), oldName, newName));
    }

    // ---- queries ----

    /** The link named {@code name}, or empty when there is none. */
    public Optional<LinkMessage> find(String name) {
        checkName("get link " + name, name);
        try {
            return Optional.of(socket.query(new NetlinkOperation("get link " + name,
                    new NetlinkRequest(Rtnetlink.RTM_GETLINK, 0, LinkMessage.builder().name(name).build())), LinkMessage::decode));
        } catch (KernelException e) {
            if (e.is(Errno.ENODEV)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The link named {@code name}; ENODEV when there is none. */
    public LinkMessage get(String name) {
        return find(name).orElseThrow(() -> new KernelException("get link " + name, Errno.ENODEV.number, null));
    }

    /** The link with index {@code index}; ENODEV when there is none. */
    public LinkMessage get(int index) {
        return socket.query(new NetlinkOperation("get link with index " + index,
                new NetlinkRequest(Rtnetlink.RTM_GETLINK, 0, LinkMessage.builder().index(index).build())), LinkMessage::decode);
    }

    /** Every link's name and counters (a container's network I/O for {@code docker stats}). */
    public List<LinkStatistics> statistics() {
        return socket.dump(new NetlinkOperation("read link counters", new NetlinkRequest(Rtnetlink.RTM_GETLINK, Netlink.NLM_F_DUMP,
                LinkMessage.builder().build())), LinkStatistics::decode);
    }

    public List<LinkMessage> list() {
        return socket.dump(new NetlinkOperation("list links", new NetlinkRequest(Rtnetlink.RTM_GETLINK, Netlink.NLM_F_DUMP,
                LinkMessage.builder().build())), LinkMessage::decode);
    }
}
