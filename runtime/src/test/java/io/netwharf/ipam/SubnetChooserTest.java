package io.netwharf.ipam;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SubnetChooser on dockerd's default pools and what a typical host has taken. Random cases: SubnetChooserProperties. */
class SubnetChooserTest {
    private static final List<PoolBase> DEFAULTS = AddressPoolsSpec.dockerDefaults();

    private static Ipv4Subnet net(String text) {
        return Ipv4Subnet.parse(text);
    }

    @Test
    void nothingTakenGivesTheFirstCandidate() {
        assertEquals(net("172.17.0.0/16"), SubnetChooser.choose(DEFAULTS, List.of()));
    }

    @Test
    void skipsTakenSubnets() {
        List<Taken> taken = List.of(
                Taken.route(net("172.17.0.0/16"), "docker0"),
                Taken.address(Ipv4.parse("172.18.0.1"), 16, "eth1"));
        assertEquals(net("172.19.0.0/16"), SubnetChooser.choose(DEFAULTS, taken));
    }

    @Test
    void aSmallerTakenSubnetRulesOutTheCandidateHoldingIt() {
        List<Taken> taken = List.of(
                Taken.route(net("172.17.0.0/16"), "docker0"),
                Taken.network(net("172.18.0.0/16"), "foo"),
                Taken.route(net("172.19.5.0/24"), "eth0"));
        assertEquals(net("172.20.0.0/16"), SubnetChooser.choose(DEFAULTS, taken));
    }

    @Test
    void aSlash32AddressTakesOnlyItself() {
        Taken address = Taken.address(Ipv4.parse("172.17.3.4"), 32, "eth0");
        assertEquals(net("172.17.3.4/32"), address.subnet());
        List<PoolBase> slash24s = List.of(new PoolBase(net("172.17.3.0/24"), 32));
        assertEquals(net("172.17.3.0/32"), SubnetChooser.choose(slash24s, List.of(address)));
        assertEquals(net("172.18.0.0/16"), SubnetChooser.choose(DEFAULTS, List.of(address)));
    }

    @Test
    void unrelatedSubnetsAreNoObstacle() {
        List<Taken> taken = List.of(Taken.route(net("10.0.0.0/8"), "eth0"), Taken.address(Ipv4.parse("192.168.1.7"), 24, "wlan0"));
        assertEquals(net("172.17.0.0/16"), SubnetChooser.choose(DEFAULTS, taken));
    }

    @Test
    void theDefaultRouteIsIgnored() {
        List<Taken> taken = List.of(Taken.route(net("0.0.0.0/0"), "eth0"), Taken.route(net("172.17.0.0/16"), "docker0"));
        assertEquals(net("172.18.0.0/16"), SubnetChooser.choose(DEFAULTS, taken));
    }

    @Test
    void aCoveringRouteSendsTheChoiceTo192168() {
        List<Taken> taken = List.of(Taken.route(net("172.16.0.0/12"), "vpn0"), Taken.address(Ipv4.parse("192.168.1.7"), 24, "wlan0"));
        assertEquals(net("192.168.16.0/20"), SubnetChooser.choose(DEFAULTS, taken));
    }

    @Test
    void whenAllAreTakenTheErrorListsEveryCandidateAndItsCollision() {
        List<Taken> taken = new ArrayList<>();
        taken.add(Taken.route(net("0.0.0.0/0"), "eth0"));
        for (int second = 17; second <= 31; second++) {
            taken.add(Taken.network(Ipv4Subnet.of(172 << 24 | second << 16, 16), "net" + second));
        }
        taken.add(Taken.route(net("192.168.0.0/17"), "vpn0"));
        taken.add(Taken.address(Ipv4.parse("192.168.200.1"), 17, "eth1"));
        taken.add(Taken.address(Ipv4.parse("192.168.200.1"), 32, "eth2"));

        NoFreeSubnetException e = assertThrows(NoFreeSubnetException.class, () -> SubnetChooser.choose(DEFAULTS, taken));
        List<String> lines = e.getMessage().lines().toList();
        assertEquals("no free subnet for a new network: each of the 31 candidates of the address pools overlaps something"
                + " on the host or another network:", lines.get(0));
        assertEquals(32, lines.size());
        assertEquals("  172.17.0.0/16: network \"net17\" (172.17.0.0/16)", lines.get(1));
        assertEquals("  172.31.0.0/16: network \"net31\" (172.31.0.0/16)", lines.get(15));
        assertEquals("  192.168.0.0/20: route 192.168.0.0/17 dev vpn0", lines.get(16));
        assertEquals("  192.168.112.0/20: route 192.168.0.0/17 dev vpn0", lines.get(23));
        assertEquals("  192.168.128.0/20: address 192.168.200.1/17 on eth1", lines.get(24));
        assertEquals("  192.168.192.0/20: address 192.168.200.1/17 on eth1; address 192.168.200.1/32 on eth2", lines.get(28));
        assertEquals("  192.168.240.0/20: address 192.168.200.1/17 on eth1", lines.get(31));
        assertTrue(lines.stream().noneMatch(l -> l.contains("eth0")), "the default route is never blamed");
    }

    @Test
    void longListsAreCutShort() {
        List<PoolBase> tenSlash24s = List.of(new PoolBase(net("10.0.0.0/8"), 24));
        NoFreeSubnetException e = assertThrows(NoFreeSubnetException.class,
                () -> SubnetChooser.choose(tenSlash24s, List.of(Taken.route(net("10.0.0.0/8"), "eth0"))));
        List<String> lines = e.getMessage().lines().toList();
        assertTrue(lines.get(0).contains("each of the 65536 candidates"), lines.get(0));
        assertEquals(1 + SubnetChooser.LISTED_CANDIDATES + 1, lines.size());
        assertEquals("  10.0.255.0/24: route 10.0.0.0/8 dev eth0", lines.get(SubnetChooser.LISTED_CANDIDATES));
        assertEquals("  ... and 65280 more, each overlapping something too", lines.get(lines.size() - 1));
    }

    @Test
    void noPoolsIsAnErrorOfItsOwn() {
        assertEquals("no free subnet for a new network: no address pools are configured",
                assertThrows(NoFreeSubnetException.class, () -> SubnetChooser.choose(List.of(), List.of())).getMessage());
    }
}
