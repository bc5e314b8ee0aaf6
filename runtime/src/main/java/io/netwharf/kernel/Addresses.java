package io.netwharf.kernel;

import io.netwharf.protocol.netlink.IpText;
import io.netwharf.protocol.netlink.AddressFamily;
import io.netwharf.protocol.netlink.Netlink;
import io.netwharf.protocol.netlink.NetlinkRequest;
import io.netwharf.protocol.rtnetlink.AddressMessage;
import io.netwharf.protocol.rtnetlink.Rtnetlink;

import java.net.InetAddress;
import java.util.List;

/** IPv4 and IPv6 addresses: changes as static operations, queries on an instance bound to one socket. */
public final class Addresses {
    private final NetlinkSocket socket;

    public Addresses(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** Adds {@code ip/prefixLength} to link {@code index} (named {@code linkName} in errors); EEXIST if it is there. */
    public static NetlinkOperation add(String linkName, int index, InetAddress ip, int prefixLength) {
        return new NetlinkOperation("add address " + IpText.format(ip) + "/" + prefixLength + " to " + linkName,
                new NetlinkRequest(Rtnetlink.RTM_NEWADDR, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, AddressMessage.of(index, ip, prefixLength)));
    }

    public static NetlinkOperation delete(String linkName, int index, InetAddress ip, int prefixLength) {
        return new NetlinkOperation("delete address " + IpText.format(ip) + "/" + prefixLength + " from " + linkName,
                new NetlinkRequest(Rtnetlink.RTM_DELADDR, 0, AddressMessage.of(index, ip, prefixLength)));
    }

    /** Every address of the family (AF_UNSPEC for both) on every link. */
    public List<AddressMessage> list(int family) {
        AddressMessage filter = new AddressMessage(family, 0, 0, 0, 0, null, null, null, null, null);
        return socket.dump(new NetlinkOperation("list addresses", new NetlinkRequest(Rtnetlink.RTM_GETADDR, Netlink.NLM_F_DUMP, filter)),
                AddressMessage::decode);
    }

    public List<AddressMessage> list() {
        return list(AddressFamily.AF_UNSPEC);
    }

    /** The addresses on link {@code index}. */
    public List<AddressMessage> listOn(int index) {
        return list().stream().filter(a -> a.index() == index).toList();
    }
}
