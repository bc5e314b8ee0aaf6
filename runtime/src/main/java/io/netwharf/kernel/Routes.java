package io.netwharf.kernel;

import io.netwharf.protocol.netlink.IpText;
import io.netwharf.protocol.netlink.AddressFamily;
import io.netwharf.protocol.netlink.Netlink;
import io.netwharf.protocol.netlink.NetlinkRequest;
import io.netwharf.protocol.rtnetlink.RouteMessage;
import io.netwharf.protocol.rtnetlink.Rtnetlink;

import java.util.List;

/** Routes: changes as static operations, queries on an instance bound to one socket. */
public final class Routes {
    private final NetlinkSocket socket;

    public Routes(NetlinkSocket socket) {
        this.socket = socket;
    }

    public static NetlinkOperation add(RouteMessage route) {
        return new NetlinkOperation("add route " + describe(route),
                new NetlinkRequest(Rtnetlink.RTM_NEWROUTE, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, route));
    }

    public static NetlinkOperation delete(RouteMessage route) {
        return new NetlinkOperation("delete route " + describe(route), new NetlinkRequest(Rtnetlink.RTM_DELROUTE, 0, route));
    }

    /** Every route of the family (AF_UNSPEC for both) in every table. */
    public List<RouteMessage> list(int family) {
        RouteMessage filter = new RouteMessage(family, 0, 0, 0, 0, 0, 0, 0, 0, null, null, null, null, null);
        return socket.dump(new NetlinkOperation("list routes", new NetlinkRequest(Rtnetlink.RTM_GETROUTE, Netlink.NLM_F_DUMP, filter)),
                RouteMessage::decode);
    }

    /** The main table, IPv4 and IPv6: what a new subnet must not overlap. */
    public List<RouteMessage> mainTable() {
        return list(AddressFamily.AF_UNSPEC).stream().filter(r -> r.table() == Rtnetlink.RT_TABLE_MAIN).toList();
    }

    static String describe(RouteMessage r) {
        String destination = r.isDefault() ? "default" : r.destination() == null ? "?" : IpText.format(r.destination()) + "/" + r.destinationLength();
        return destination + (r.gateway() == null ? "" : " via " + IpText.format(r.gateway()))
                + (r.outputInterface() == null ? "" : " dev " + r.outputInterface());
    }
}
