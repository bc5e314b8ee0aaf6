package io.netwharf.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import io.netwharf.protocol.netlink.HardwareAddress;
import io.netwharf.protocol.rtnetlink.LinkData;
import io.netwharf.protocol.rtnetlink.LinkMessage;
import io.netwharf.protocol.rtnetlink.Rtnetlink;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Link operations against the real kernel (root; inside a throwaway namespace), checked with {@code ip -j}. */
class LinksTest extends KernelTest {

    @Test
    void bridgeWithMtuMacOptionsAndAddress() throws Exception {
        HardwareAddress mac = HardwareAddress.parse("02:42:0a:00:00:01");
        box.socket.execute(Links.createBridge("nwtest0", 1450, mac, LinkData.Bridge.forContainers()));
        int index = box.links.get("nwtest0").index();
        box.run(Addresses.add("link " + index, index, InetAddress.getByName("10.77.0.1"), 16));
        box.run(Links.setUp("nwtest0", true));

        JsonNode link = box.ipJson(box.host, "-d", "link", "show", "nwtest0").get(0);
        assertEquals(1450, link.get("mtu").asInt());
        assertEquals("02:42:0a:00:00:01", link.get("address").asText());
        assertEquals("bridge", link.get("linkinfo").get("info_kind").asText());
        assertEquals(0, link.get("linkinfo").get("info_data").get("stp_state").asInt());
        assertEquals(0, link.get("linkinfo").get("info_data").get("forward_delay").asInt());
        assertTrue(link.get("flags").toString().contains("\"UP\""));
        JsonNode addr = box.ipJson(box.host, "addr", "show", "dev", "nwtest0").get(0).get("addr_info");
        assertEquals("10.77.0.1", addr.get(0).get("local").asText());
        assertEquals(16, addr.get(0).get("prefixlen").asInt());
        assertEquals("10.77.255.255", addr.get(0).get("broadcast").asText());

        LinkMessage read = box.links.get("nwtest0");
        assertEquals("bridge", read.kind());
        assertEquals(1450, read.mtu());
        assertEquals(mac, read.address());
        assertEquals(0, ((LinkData.Bridge) read.data()).stpState());
    }

    @Test
    void vethPeerIsCreatedStraightInsideAnotherNamespace() throws Exception {
        Netns c1 = box.netns.create("c1");
        try (c1) {
            box.run(Links.createVeth("vh-c1", "eth0", c1, null, null));
            assertTrue(box.linkNames(box.host).contains("vh-c1"));
            assertFalse(box.linkNames(box.host).contains("eth0"), "the peer never appears on the host side");
            assertTrue(box.linkNames(c1).contains("eth0"));
            JsonNode hostEnd = box.ipJson(box.host, "-d", "link", "show", "vh-c1").get(0);
            assertEquals("veth", hostEnd.get("linkinfo").get("info_kind").asText());
            assertEquals("veth", box.links.get("vh-c1").kind());
        }
    }

    @Test
    void masterUpDownMtuMacRenameAddrGenModeMoveAndDelete() throws Exception {
        box.run(Links.createBridge("br-a", null, null, LinkData.Bridge.forContainers()));
        box.run(Links.createVeth("va", "vb", null, null, null));
        int bridge = box.links.get("br-a").index();

        box.links.setMaster("va", "br-a");
        assertEquals("br-a", box.ipJson(box.host, "link", "show", "va").get(0).get("master").asText());
        assertEquals(bridge, box.links.get("va").master());
        box.run(Links.setNoMaster("va"));
        assertNull(box.ipJson(box.host, "link", "show", "va").get(0).get("master"));

        box.run(Links.setAddrGenMode("va", Rtnetlink.IN6_ADDR_GEN_MODE_NONE));
        assertEquals(Rtnetlink.IN6_ADDR_GEN_MODE_NONE, box.links.get("va").addrGenMode());
        assertEquals("none", box.ipJson(box.host, "-d", "link", "show", "va").get(0).get("inet6_addr_gen_mode").asText());

        box.run(Links.setMtu("va", 1280));
        box.run(Links.setMac("va", HardwareAddress.parse("02:00:00:00:aa:01")));
        JsonNode va = box.ipJson(box.host, "link", "show", "va").get(0);
        assertEquals(1280, va.get("mtu").asInt());
        assertEquals("02:00:00:00:aa:01", va.get("address").asText());

        box.links.rename("va", "va-renamed");
        assertTrue(box.linkNames(box.host).contains("va-renamed"));
        assertFalse(box.linkNames(box.host).contains("va"));

        box.run(Links.setUp("va-renamed", true));
        box.run(Links.setUp("vb", true));
        assertTrue(box.links.get("va-renamed").isUp());
        box.run(Links.setUp("va-renamed", false));
        assertFalse(box.links.get("va-renamed").isUp());
        assertFalse(box.ipJson(box.host, "link", "show", "va-renamed").get(0).get("flags").toString().contains("\"UP\""));

        int index = box.links.get("vb").index();
        assertEquals("vb", box.links.get(index).name());

        try (Netns other = box.netns.create("other")) {
            box.run(Links.moveTo("vb", other));
            assertFalse(box.linkNames(box.host).contains("vb"));
            assertTrue(box.linkNames(other).contains("vb"));
        }

        box.run(Links.delete("va-renamed"));
        box.run(Links.delete("br-a"));
        assertEquals(java.util.List.of("lo"), box.linkNames(box.host));
        assertEquals(1, box.links.list().size());
    }

    @Test
    void listMatchesWhatIpSees() {
        box.run(Links.createBridge("br-l", null, null, LinkData.Bridge.forContainers()));
        box.run(Links.createVeth("vl0", "vl1", null, null, null));
        var ours = box.links.list().stream().map(l -> l.index() + ":" + l.name()).sorted().toList();
        var theirs = new java.util.ArrayList<String>();
        box.ipJson(box.host, "link", "show").forEach(l -> theirs.add(l.get("ifindex").asInt() + ":" + l.get("ifname").asText()));
        theirs.sort(null);
        assertEquals(theirs, ours);
    }
}
