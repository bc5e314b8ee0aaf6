package io.netwharf.network;

import io.netwharf.ipam.Ipv4;
import io.netwharf.ipam.Ipv4Subnet;
import io.netwharf.ipam.PoolBase;
import io.netwharf.ipam.SubnetChooser;
import io.netwharf.ipam.Taken;
import io.netwharf.kernel.Addresses;
import io.netwharf.kernel.Links;
import io.netwharf.kernel.NetlinkSocket;
import io.netwharf.kernel.Routes;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.netlink.AddressFamily;
import io.netwharf.protocol.rtnetlink.AddressMessage;
import io.netwharf.protocol.rtnetlink.LinkMessage;
import io.netwharf.protocol.rtnetlink.RouteMessage;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The IPv4 subnets the host already uses, read from the kernel: every route in the main table but the default
 * route, and every address on any interface. A new network's subnet must overlap none of them.
 */
public final class HostSubnets {
    private HostSubnets() {}

    public static List<Taken> survey(NetlinkSocket socket) {
        Map<Integer, String> names = new Links(socket).list().stream()
                .collect(Collectors.toMap(LinkMessage::index, LinkMessage::name, (a, b) -> a));
        Function<Integer, String> nameOf = index -> index == null ? "?" : names.getOrDefault(index, "#" + index);
        List<Taken> taken = new ArrayList<>();
        for (RouteMessage route : new Routes(socket).mainTable()) {
            if (route.family() == AddressFamily.AF_INET && !route.isDefault() && route.destination() instanceof Inet4Address destination) {
                taken.add(Taken.route(Ipv4Subnet.containing(Ipv4.fromInet(destination), route.destinationLength()),
                        nameOf.apply(route.outputInterface())));
            }
        }
        for (AddressMessage address : new Addresses(socket).list(AddressFamily.AF_INET)) {
            if (address.ip() instanceof Inet4Address ip) {
                taken.add(Taken.address(Ipv4.fromInet(ip), address.prefixLength(), nameOf.apply(address.index())));
            }
        }
        return taken;
    }

    /**
     * A subnet for {@code definition}, which names none: the first of {@code candidates} that overlaps neither
     * {@code taken} (the other networks) nor a route or address of the host that {@code socket} is in.
     */
    public static Ipv4Subnet chooseFree(NetworkDefinition definition, List<PoolBase> candidates, List<Taken> taken, NetlinkSocket socket) {
        List<Taken> all = new ArrayList<>(taken);
        all.addAll(survey(socket));
        try {
            return SubnetChooser.choose(candidates, all);
        } catch (RuntimeException e) {
            throw NetwharfException.forbidden("network " + definition.name() + ": " + e.getMessage());
        }
    }
}
