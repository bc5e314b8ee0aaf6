package io.netwharf.kernel;

import io.netwharf.protocol.netlink.AddressFamily;
import io.netwharf.protocol.netlink.Errno;
import io.netwharf.protocol.netlink.HardwareAddress;
import io.netwharf.protocol.netlink.IpText;
import io.netwharf.protocol.netlink.Netlink;
import io.netwharf.protocol.netlink.NetlinkRequest;
import io.netwharf.protocol.rtnetlink.NeighbourMessage;
import io.netwharf.protocol.rtnetlink.Rtnetlink;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * What an overlay programs for each remote endpoint on its vxlan link: the forwarding entry (MAC → remote host, in
 * the vxlan's own fdb), optionally the bridge's entry for that MAC (so the bridge sends it to the vxlan port without
 * flooding), and the neighbour entry (IP → MAC, from which the vxlan answers ARP itself). Changes are static
 * operations, for batches; queries are on an instance bound to one socket, as {@link Links} and {@link Routes}.
 *
 * <p>Every change is idempotent, so reconciliation can repeat it: adding replaces what is there (NLM_F_REPLACE), and
 * deleting what is absent succeeds (ENOENT is ignored). IPv4 addresses are {@code int}s in network order
 * (10.99.0.2 is {@code 0x0A630002}), as the runtime's address pools hold them.
 */
public final class Neighbours {
    private static final int CREATE_OR_REPLACE = Netlink.NLM_F_CREATE | Netlink.NLM_F_REPLACE;

    private final NetlinkSocket socket;

    public Neighbours(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** An entry of a vxlan's own fdb: frames to {@code mac} go to the host at {@code remoteIpv4} (null: none). */
    public record Forwarding(HardwareAddress mac, Integer remoteIpv4, int state) {}

    /** An entry of the neighbour table: {@code ipv4} is at {@code mac}; {@code state} is NUD_*. */
    public record Neighbour(int ipv4, HardwareAddress mac, int state) {}

    // ---- operations, for batches ----

    /** The vxlan link's entry "frames to {@code mac} go, encapsulated, to the host at {@code remoteIpv4}". */
    public static NetlinkOperation addForwarding(String link, int linkIndex, HardwareAddress mac, int remoteIpv4) {
        return new NetlinkOperation("add forwarding entry " + mac + " dst " + format(remoteIpv4) + " to " + link,
                new NetlinkRequest(Rtnetlink.RTM_NEWNEIGH, CREATE_OR_REPLACE, NeighbourMessage.forwarding(linkIndex, mac, inet(remoteIpv4),
                        Rtnetlink.NUD_PERMANENT, Rtnetlink.NTF_SELF)));
    }

    /** Removes the vxlan link's entry for {@code mac}, whatever its remote; one already gone is fine. */
    public static NetlinkOperation deleteForwarding(String link, int linkIndex, HardwareAddress mac) {
        return new NetlinkOperation("delete forwarding entry " + mac + " from " + link,
                new NetlinkRequest(Rtnetlink.RTM_DELNEIGH, 0, NeighbourMessage.forwarding(linkIndex, mac, null, 0, Rtnetlink.NTF_SELF)))
                .ignoring(Errno.ENOENT);
    }

    /**
     * The bridge's static entry "{@code mac} is behind port {@code link}" (bridge fdb's {@code master static}: NUD_NOARP,
     * as the bridge's NUD_PERMANENT means a local address). Without it the bridge floods frames to a remote MAC to
     * every port until it learns the MAC from a reply; with it the first frame already goes to the vxlan port only.
     */
    public static NetlinkOperation addBridgeForwarding(String link, int linkIndex, HardwareAddress mac) {
        return new NetlinkOperation("add bridge forwarding entry " + mac + " to port " + link,
                new NetlinkRequest(Rtnetlink.RTM_NEWNEIGH, CREATE_OR_REPLACE, NeighbourMessage.forwarding(linkIndex, mac, null,
                        Rtnetlink.NUD_NOARP, Rtnetlink.NTF_MASTER)));
    }

    /** Removes the bridge's entry for {@code mac} on port {@code link}; one already gone is fine. */
    public static NetlinkOperation deleteBridgeForwarding(String link, int linkIndex, HardwareAddress mac) {
        return new NetlinkOperation("delete bridge forwarding entry " + mac + " from port " + link,
                new NetlinkRequest(Rtnetlink.RTM_DELNEIGH, 0, NeighbourMessage.forwarding(linkIndex, mac, null, 0, Rtnetlink.NTF_MASTER)))
                .ignoring(Errno.ENOENT);
    }

    /** The permanent neighbour entry "{@code ipv4} is at {@code mac}" on {@code link} (a vxlan link answers ARP from it). */
    public static NetlinkOperation addNeighbour(String link, int linkIndex, int ipv4, HardwareAddress mac) {
        return new NetlinkOperation("add neighbour " + format(ipv4) + " lladdr " + mac + " to " + link,
                new NetlinkRequest(Rtnetlink.RTM_NEWNEIGH, CREATE_OR_REPLACE,
                        NeighbourMessage.neighbour(linkIndex, inet(ipv4), mac, Rtnetlink.NUD_PERMANENT)));
    }

    /** Removes the neighbour entry of {@code ipv4} from {@code link}; one already gone is fine. */
    public static NetlinkOperation deleteNeighbour(String link, int linkIndex, int ipv4) {
        return new NetlinkOperation("delete neighbour " + format(ipv4) + " from " + link,
                new NetlinkRequest(Rtnetlink.RTM_DELNEIGH, 0, NeighbourMessage.neighbour(linkIndex, inet(ipv4), null, 0)))
                .ignoring(Errno.ENOENT);
    }

    // ---- queries ----

    /** The vxlan link {@code linkIndex}'s own fdb entries (NTF_SELF), not its bridge's entries for it. */
    public List<Forwarding> forwarding(int linkIndex) {
        return dumpForwarding(linkIndex).stream().filter(m -> m.has(Rtnetlink.NTF_SELF))
                .map(m -> new Forwarding(m.linkAddress(), m.destination() instanceof Inet4Address a ? fromInet(a) : null, m.state()))
                .toList();
    }

    /**
     * The bridge's fdb entries for port {@code linkIndex}: those programmed with {@link #addBridgeForwarding}, those the
     * bridge learned from frames coming in through the port, and the port's own address. The kernel marks them with
     * NDA_MASTER, not with the NTF_MASTER flag a request uses.
     */
    public List<Forwarding> bridgeForwarding(int linkIndex) {
        return dumpForwarding(linkIndex).stream().filter(m -> m.master() != null && !m.has(Rtnetlink.NTF_SELF))
                .map(m -> new Forwarding(m.linkAddress(), null, m.state())).toList();
    }

    /** The IPv4 neighbour entries on link {@code linkIndex}. */
    public List<Neighbour> neighbours(int linkIndex) {
        // Without strict checking the kernel does not filter an AF_INET dump by ndm_ifindex: filter here.
        return socket.dump(new NetlinkOperation("list neighbours", new NetlinkRequest(Rtnetlink.RTM_GETNEIGH, Netlink.NLM_F_DUMP,
                        NeighbourMessage.filter(AddressFamily.AF_INET, 0))), NeighbourMessage::decode).stream()
                .filter(m -> m.index() == linkIndex && m.destination() instanceof Inet4Address)
                .map(m -> new Neighbour(fromInet((Inet4Address) m.destination()), m.linkAddress(), m.state())).toList();
    }

    /** Every AF_BRIDGE entry on port {@code linkIndex}: the kernel's fdb dump takes the ndmsg's index as the port. */
    private List<NeighbourMessage> dumpForwarding(int linkIndex) {
        return socket.dump(new NetlinkOperation("list forwarding entries of link " + linkIndex, new NetlinkRequest(Rtnetlink.RTM_GETNEIGH,
                        Netlink.NLM_F_DUMP, NeighbourMessage.filter(AddressFamily.AF_BRIDGE, linkIndex))), NeighbourMessage::decode).stream()
                .filter(m -> m.family() == AddressFamily.AF_BRIDGE && m.index() == linkIndex).toList();
    }

    // The kernel layer sits below ipam (which has Ipv4): these few lines are its own.
    private static InetAddress inet(int ipv4) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (ipv4 >>> 24), (byte) (ipv4 >>> 16), (byte) (ipv4 >>> 8), (byte) ipv4});
        } catch (UnknownHostException e) {
            throw new AssertionError("four bytes are always an IPv4 address", e);
        }
    }

    private static int fromInet(Inet4Address address) {
        byte[] b = address.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    private static String format(int ipv4) {
        return IpText.format(inet(ipv4));
    }
}
