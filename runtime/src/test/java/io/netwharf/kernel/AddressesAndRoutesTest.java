package io.netwharf.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import io.netwharf.protocol.netlink.AddressFamily;
import io.netwharf.protocol.rtnetlink.AddressMessage;
import io.netwharf.protocol.rtnetlink.RouteMessage;
import io.netwharf.protocol.rtnetlink.LinkData;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Addresses (IPv4 and IPv6) and routes against the real kernel (root; throwaway namespace), checked with {@code ip -j}. */
class AddressesAndRoutesTest extends KernelTest {
    private int bridge;

    @BeforeEach
    void makeBridge() {
        box.run(Links.createBridge("br-r", null, null, LinkData.Bridge.forContainers()));
        box.run(Links.setUp("br-r", true));
        bridge = box.links.get("br-r").index();
    }

    @Test
    void addListAndDeleteIpv4AndIpv6Addresses() throws Exception {
        InetAddress v4 = InetAddress.getByName("10.66.1.1");
        InetAddress v6 = InetAddress.getByName("fd00:66::1");
        box.run(Addresses.add("link " + bridge, bridge, v4, 24));
        box.run(Addresses.add("link " + bridge, bridge, v6, 64));

        List<String> seen = new ArrayList<>();
        box.ipJson(box.host, "addr", "show", "dev", "br-r").get(0).get("addr_info")
                .forEach(a -> seen.add(a.get("local").asText() + "/" + a.get("prefixlen").asInt()));
        assertTrue(seen.containsAll(List.of("10.66.1.1/24", "fd00:66::1/64")), seen.toString());

        List<AddressMessage> ours = box.addresses.listOn(bridge);
        assertTrue(ours.stream().anyMatch(a -> a.ip().equals(v4) && a.prefixLength() == 24 && a.family() == AddressFamily.AF_INET));
        assertTrue(ours.stream().anyMatch(a -> a.ip().equals(v6) && a.prefixLength() == 64 && a.family() == AddressFamily.AF_INET6));
        assertTrue(box.addresses.list(AddressFamily.AF_INET).stream().allMatch(a -> a.family() == AddressFamily.AF_INET));

        box.run(Addresses.delete("link " + bridge, bridge, v4, 24));
        box.run(Addresses.delete("link " + bridge, bridge, v6, 64));
        JsonNode left = box.ipJson(box.host, "addr", "show", "dev", "br-r").get(0).get("addr_info");
        left.forEach(a -> assertTrue(a.get("local").asText().startsWith("fe80"), "only a link-local may remain: " + a));
    }

    @Test
    void defaultRouteViaGatewayOnLinkRouteAndMainTable() throws Exception {
        box.run(Addresses.add("link " + bridge, bridge, InetAddress.getByName("10.66.1.1"), 24));
        RouteMessage onLink = RouteMessage.onLink(InetAddress.getByName("10.99.0.0"), 16, bridge);
        RouteMessage defaultRoute = RouteMessage.defaultVia(InetAddress.getByName("10.66.1.254"), bridge);
        RouteMessage viaGateway = RouteMessage.onLink(InetAddress.getByName("10.98.0.0"), 16, bridge).via(InetAddress.getByName("10.66.1.5"));
        box.run(Routes.add(onLink));
        box.run(Routes.add(defaultRoute));
        box.run(Routes.add(viaGateway));

        List<String> ipSees = new ArrayList<>();
        box.ipJson(box.host, "route", "show").forEach(r -> ipSees.add(r.get("dst").asText() + (r.has("gateway") ? " via " + r.get("gateway").asText() : "")));
        assertTrue(ipSees.containsAll(List.of("10.99.0.0/16", "default via 10.66.1.254", "10.98.0.0/16 via 10.66.1.5", "10.66.1.0/24")), ipSees.toString());

        List<String> ours = box.routes.mainTable().stream().filter(r -> r.family() == AddressFamily.AF_INET)
                .map(r -> (r.isDefault() ? "default" : r.destination().getHostAddress() + "/" + r.destinationLength())
                        + (r.gateway() == null ? "" : " via " + r.gateway().getHostAddress()))
                .toList();
        assertEquals(ipSees.stream().sorted().toList(), ours.stream().sorted().toList());

        box.run(Routes.delete(defaultRoute));
        box.run(Routes.delete(onLink));
        List<String> after = new ArrayList<>();
        box.ipJson(box.host, "route", "show").forEach(r -> after.add(r.get("dst").asText()));
        assertEquals(List.of("10.66.1.0/24", "10.98.0.0/16").stream().sorted().toList(), after.stream().sorted().toList());
    }
}
