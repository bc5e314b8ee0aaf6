package io.netwharf.firewall;

import io.netwharf.kernel.Addresses;
import io.netwharf.kernel.KernelSandbox;
import io.netwharf.kernel.KernelTest;
import io.netwharf.kernel.Links;
import io.netwharf.kernel.NetnsDirectory;
import io.netwharf.kernel.Nftables;
import io.netwharf.kernel.Routes;
import io.netwharf.kernel.Sysctl;
import io.netwharf.protocol.rtnetlink.RouteMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules against real traffic, all between namespaces the test makes. In the test's "host" namespace, with
 * forwarding on: bridge br-a (10.201.0.1/24) with containers a1 and a2, bridge br-b (10.202.0.1/24) with b1, and
 * an uplink to a namespace "wan" (192.0.2.2/24) standing for the outside world. wan has no route back to the
 * containers' subnets, so only masqueraded traffic gets answers from it, unless a test gives it one. Every check
 * is made both ways, without the rule and with it, so each can fail.
 */
class FirewallTrafficTest extends KernelTest {
    private static final String A1 = "10.201.0.2";
    private static final String A2 = "10.201.0.3";
    private static final String B1 = "10.202.0.2";
    private static final String GATEWAY_A = "10.201.0.1";
    private static final String WAN = "192.0.2.2";

    private Firewall firewall;
    private NetnsDirectory.ConnectedNetns wan;

    @BeforeEach
    void twoNetworksAndAnUplink() throws Exception {
        new Sysctl(KernelSandbox.THREADS).write(box.host, "net/ipv4/ip_forward", "1");
        int brA = box.bridge("br-a", GATEWAY_A, 24);
        int brB = box.bridge("br-b", "10.202.0.1", 24);
        box.container("a1", "vha1", "br-a", brA, A1, 24, GATEWAY_A);
        box.container("a2", "vha2", "br-a", brA, A2, 24, GATEWAY_A);
        box.container("b1", "vhb1", "br-b", brB, B1, 24, "10.202.0.1");

        wan = box.netns.createConnected("wan");
        box.run(Links.createVeth("uplink", "eth0", wan.netns(), null, null));
        int uplink = box.links.get("uplink").index();
        box.run(Addresses.add("uplink", uplink, InetAddress.getByName("192.0.2.1"), 24), Links.setUp("uplink", true));
        int eth0 = new Links(wan.socket()).get("eth0").index();
        wan.socket().executeAll(List.of(Links.setUp("lo", true), Addresses.add("eth0", eth0, InetAddress.getByName(WAN), 24),
                Links.setUp("eth0", true)));

        firewall = new NftablesFirewall(new Nftables(KernelSandbox.THREADS), box.host);
        firewall.setUp();
    }

    @Test
    void networksAreIsolatedFromEachOther() {
        assertTrue(box.ping("a1", B1), "without rules the host routes between the bridges");
        NetworkRules a = new NetworkRules("a", "br-a", "10.201.0.0/24", true, false, false);
        firewall.addNetwork(a);
        firewall.addNetwork(new NetworkRules("b", "br-b", "10.202.0.0/24", true, false, false));
        assertFalse(box.ping("a1", B1));
        assertFalse(box.ping("b1", A1));
        assertTrue(box.ping("a1", A2), "inside one network all is well");
        assertTrue(box.ping("a1", GATEWAY_A));

        firewall.removeNetwork(a);
        assertTrue(box.ping("a1", B1), "removing a network removes its isolation, and b no longer counts br-a as a netwharf bridge");
    }

    @Test
    void iccOffSeparatesContainersOnOneBridgeButNotFromTheGateway() {
        NetworkRules a = new NetworkRules("a", "br-a", "10.201.0.0/24", false, false, false);
        assertTrue(box.ping("a1", A2), "without rules the bridge switches between its ports");
        firewall.addNetwork(a);
        assertFalse(box.ping("a1", A2));
        assertFalse(box.ping("a2", A1));
        assertTrue(box.ping("a1", GATEWAY_A));
        assertTrue(box.ping("a2", GATEWAY_A));

        firewall.removeNetwork(a);
        firewall.addNetwork(new NetworkRules("a", "br-a", "10.201.0.0/24", true, false, false));
        assertTrue(box.ping("a1", A2), "with ICC on, containers on one bridge talk");
    }

    @Test
    void anInternalNetworkReachesNothingOutsideItsBridge() throws Exception {
        // Give wan a route back, so traffic from the containers gets answers without masquerading.
        int eth0 = new Links(wan.socket()).get("eth0").index();
        wan.socket().execute(Routes.add(RouteMessage.onLink(InetAddress.getByName("10.200.0.0"), 14, eth0).via(InetAddress.getByName("192.0.2.1"))));
        assertTrue(box.ping("a1", WAN), "without rules a1 reaches the outside");
        assertTrue(box.ping("wan", A1), "and the outside reaches a1");

        firewall.addNetwork(new NetworkRules("a", "br-a", "10.201.0.0/24", true, true, true));
        firewall.addNetwork(new NetworkRules("b", "br-b", "10.202.0.0/24", true, false, false));
        assertFalse(box.ping("a1", WAN));
        assertFalse(box.ping("wan", A1));
        assertFalse(box.ping("a1", B1));
        assertTrue(box.ping("a1", A2), "its own bridge still works");
        assertTrue(box.ping("a1", GATEWAY_A));
        assertTrue(box.ping("b1", WAN), "a network that is not internal still reaches the outside");
    }

    @Test
    void masqueradeLetsTrafficOutBehindTheHostsAddress() {
        assertFalse(box.ping("a1", WAN), "without masquerade wan cannot answer: it has no route to the containers");
        firewall.addNetwork(new NetworkRules("a", "br-a", "10.201.0.0/24", true, true, false));
        firewall.addNetwork(new NetworkRules("b", "br-b", "10.202.0.0/24", true, false, false));
        assertTrue(box.ping("a1", WAN), "masqueraded behind 192.0.2.1");
        assertFalse(box.ping("b1", WAN), "b is not masqueraded");
    }

    @AfterEach
    void closeUplink() {
        wan.close();
    }
}
