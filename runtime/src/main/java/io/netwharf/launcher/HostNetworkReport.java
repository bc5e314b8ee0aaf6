package io.netwharf.launcher;

import io.netwharf.protocol.netlink.IpText;
import io.netwharf.kernel.Addresses;
import io.netwharf.kernel.Links;
import io.netwharf.kernel.NetlinkSocket;
import io.netwharf.kernel.Routes;
import io.netwharf.protocol.netlink.AddressFamily;
import io.netwharf.protocol.rtnetlink.AddressMessage;
import io.netwharf.protocol.rtnetlink.LinkMessage;
import io.netwharf.protocol.rtnetlink.RouteMessage;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Prints the links, addresses and main-table routes of the namespace it runs in, read over rtnetlink. Reads only. */
public final class HostNetworkReport {
    private HostNetworkReport() {}

    public static void print(PrintStream out) {
        try (NetlinkSocket socket = NetlinkSocket.open()) {
            List<LinkMessage> links = new Links(socket).list();
            Map<Integer, String> names = links.stream().collect(Collectors.toMap(LinkMessage::index, LinkMessage::name, (a, b) -> a));
            Function<Integer, String> name = i -> i == null ? "-" : names.getOrDefault(i, "#" + i);

            out.println("links");
            for (LinkMessage l : links) {
                out.printf("  %-4d %-16s %-8s mtu %-6s %-5s %s%s%n", l.index(), l.name(), l.kind() == null ? "" : l.kind(), l.mtu(),
                        l.isUp() ? "UP" : "DOWN", l.address() == null ? "" : l.address(),
                        l.master() == null ? "" : "  master " + name.apply(l.master()));
            }
            out.println("addresses");
            for (AddressMessage a : new Addresses(socket).list()) {
                out.printf("  %-16s %s/%d%n", name.apply(a.index()), IpText.format(a.ip()), a.prefixLength());
            }
            out.println("routes (main table)");
            for (RouteMessage r : new Routes(socket).mainTable()) {
                String destination = r.isDefault() ? "default" : IpText.format(r.destination()) + "/" + r.destinationLength();
                out.printf("  %-6s %-28s%s dev %s%n", r.family() == AddressFamily.AF_INET6 ? "inet6" : "inet", destination,
                        r.gateway() == null ? "" : " via " + IpText.format(r.gateway()), name.apply(r.outputInterface()));
            }
        }
    }
}
