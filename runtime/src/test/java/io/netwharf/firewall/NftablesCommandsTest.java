package io.netwharf.firewall;

import io.netwharf.protocol.model.PortBinding;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The nft text of each change (no root needed); the kernel tests check what the kernel makes of it. */
class NftablesCommandsTest {
    private static final NetworkRules PLAIN = new NetworkRules("a", "br-a", "10.201.0.0/24", true, true, false);

    @Test
    void aNetworkIsItsChainsThenTheElementsThatLeadToThem() {
        assertEquals("""
                create chain ip netwharf from-br-a
                add rule ip netwharf from-br-a oifname != "br-a" oifname @bridges drop
                create chain ip netwharf to-br-a
                create chain ip netwharf nat-br-a
                add rule ip netwharf nat-br-a oifname != "br-a" masquerade
                create element ip netwharf bridges { "br-a" }
                create element ip netwharf subnets { 10.201.0.0/24 }
                create element ip netwharf from_bridge { "br-a" : jump from-br-a }
                create element ip netwharf to_bridge { "br-a" : jump to-br-a }
                create element ip netwharf masquerade_from { 10.201.0.0/24 : jump nat-br-a }
                """, NftablesCommands.addNetwork(PLAIN));
    }

    @Test
    void removalDeletesTheElementsBeforeTheChains() {
        assertEquals("""
                delete element ip netwharf bridges { "br-a" }
                delete element ip netwharf subnets { 10.201.0.0/24 }
                delete element ip netwharf from_bridge { "br-a" }
                delete element ip netwharf to_bridge { "br-a" }
                delete element ip netwharf masquerade_from { 10.201.0.0/24 }
                flush chain ip netwharf from-br-a
                delete chain ip netwharf from-br-a
                flush chain ip netwharf to-br-a
                delete chain ip netwharf to-br-a
                flush chain ip netwharf nat-br-a
                delete chain ip netwharf nat-br-a
                """, NftablesCommands.removeNetwork(PLAIN));
    }

    @Test
    void aContainersForwardsAreElementsOfTheTwoMapsCreatedInOneBatch() {
        PortForwards web = new PortForwards("web", "10.201.0.2", List.of(new PortBinding("", 8080, 80, "tcp"),
                new PortBinding("127.0.0.1", 5353, 53, "udp"), new PortBinding("0.0.0.0", 8443, 443, "tcp")));
        assertEquals("""
                create element ip netwharf published_any { tcp . 8080 : 10.201.0.2 . 80, tcp . 8443 : 10.201.0.2 . 443 }
                create element ip netwharf published_on { 127.0.0.1 . udp . 5353 : 10.201.0.2 . 53 }
                """, NftablesCommands.addForwards(web));
        assertEquals("""
                delete element ip netwharf published_any { tcp . 8080 : 10.201.0.2 . 80, tcp . 8443 : 10.201.0.2 . 443 }
                delete element ip netwharf published_on { 127.0.0.1 . udp . 5353 : 10.201.0.2 . 53 }
                """, NftablesCommands.removeForwards(web));
        assertEquals("protocol 'sctp' is not tcp or udp", NftablesCommands.problemWith(
                new PortForwards("x", "10.201.0.2", List.of(new PortBinding("", 80, 80, "sctp")))));
        assertEquals("host address '::' is not an IPv4 address", NftablesCommands.problemWith(
                new PortForwards("x", "10.201.0.2", List.of(new PortBinding("::", 80, 80, "tcp")))));
    }

    @Test
    void anInternalNetworkIsCutOffAndNeverMasqueraded() {
        String add = NftablesCommands.addNetwork(new NetworkRules("i", "br-i", "10.203.0.0/24", true, true, true));
        assertTrue(add.contains("add rule ip netwharf from-br-i oifname != \"br-i\" drop\n"), add);
        assertTrue(add.contains("add rule ip netwharf to-br-i iifname != \"br-i\" drop\n"), add);
        assertFalse(add.contains("masquerade"), add);
        assertFalse(NftablesCommands.removeNetwork(new NetworkRules("i", "br-i", "10.203.0.0/24", true, true, true)).contains("nat-"));
    }

    @Test
    void iccOffIsTheSubnetToItselfInTheBridgeTable() {
        NetworkRules noIcc = new NetworkRules("n", "br-n", "10.204.0.0/16", false, false, false);
        assertTrue(NftablesCommands.addNetwork(noIcc).contains("create element bridge netwharf icc_off { 10.204.0.0/16 . 10.204.0.0/16 }\n"));
        assertTrue(NftablesCommands.removeNetwork(noIcc).contains("delete element bridge netwharf icc_off { 10.204.0.0/16 . 10.204.0.0/16 }\n"));
        assertFalse(NftablesCommands.addNetwork(noIcc).contains("masquerade"));
    }

    @Test
    void setUpDropsWhateverWasThereInTheSameBatch() {
        String setUp = NftablesCommands.setUp();
        assertTrue(setUp.startsWith("add table ip netwharf\ndelete table ip netwharf\nadd table bridge netwharf\ndelete table bridge netwharf\n"));
        assertTrue(setUp.contains("table ip netwharf {") && setUp.contains("table bridge netwharf {"));
        assertEquals(NftablesCommands.tearDown(), setUp.substring(0, NftablesCommands.tearDown().length()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"br-a", "docker0", "nw_1.2", "a23456789012345"})
    void namesNftTakes(String bridge) {
        assertNull(NftablesCommands.problemWith(new NetworkRules("x", bridge, "10.0.0.0/8", true, false, false)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a234567890123456", "br a", "br\"a", "br;a", "br@a", "br{a}", "br\na"})
    void namesThatCannotGoIntoTheText(String bridge) {
        String problem = NftablesCommands.problemWith(new NetworkRules("x", bridge, "10.0.0.0/8", true, false, false));
        assertNotNull(problem);
        assertTrue(problem.startsWith("bridge name"), problem);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/8", "172.19.0.0/16", "192.168.1.0/24", "10.1.2.3/32", "0.0.0.0/0"})
    void subnetsNftTakes(String subnet) {
        assertNull(NftablesCommands.problemWith(new NetworkRules("x", "br-x", subnet, true, false, false)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0.0", "10.300.0.0/16", "10.0.0.0/33", "10.0.0.1/24", "fd00::/64", "10.0.0.0/24 }; flush ruleset; {",
            "010.0.0.0/8x", "10.0.0.0/-1"})
    void subnetsThatAreNotIpv4Cidrs(String subnet) {
        String problem = NftablesCommands.problemWith(new NetworkRules("x", "br-x", subnet, true, false, false));
        assertNotNull(problem);
        assertTrue(problem.startsWith("subnet '" + subnet + "'"), problem);
    }
}
