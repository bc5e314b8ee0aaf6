package io.netwharf.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import io.netwharf.protocol.netlink.HardwareAddress;
import io.netwharf.protocol.rtnetlink.LinkData;
import io.netwharf.protocol.rtnetlink.LinkMessage;
import io.netwharf.protocol.rtnetlink.Rtnetlink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two "hosts" (the sandbox's host namespace, A, and a second one, B) joined by an underlay veth pair, 10.99.0.1/24 and
 * 10.99.0.2/24; on each a bridge, a vxlan link on it (VNI 4242, port 4789, learning off, ARP proxy on, MTU 1500 − 50)
 * and a "container" namespace with 10.200.0.x/24 on the bridge. The containers reach each other exactly while the
 * forwarding and neighbour entries are programmed. Observed from outside with ping, ip and bridge.
 */
class VxlanOverlayTest extends KernelTest {
    private static final int VNI = 4242;
    private static final int UNDERLAY_MTU = 1500;
    private static final int A_UNDERLAY = 0x0A630001; // 10.99.0.1
    private static final int B_UNDERLAY = 0x0A630002; // 10.99.0.2
    private static final int C_A = 0x0AC80002; // 10.200.0.2, on host A
    private static final int C_B = 0x0AC80003; // 10.200.0.3, on host B
    private static final String BRIDGE = "br-ov";
    private static final String VXLAN = "vx-ov";

    /** One side: its namespace's socket, the vxlan's index, and its container's MAC. */
    record Host(Netns netns, NetlinkSocket socket, int vxlanIndex, HardwareAddress containerMac) {
        Neighbours neighbours() {
            return new Neighbours(socket);
        }

        Links links() {
            return new Links(socket);
        }
    }

    private Host a;
    private Host b;

    @BeforeEach
    void twoHostsOnAnUnderlay() throws Exception {
        Netns hostB = box.netns.create("hostB");
        NetlinkSocket socketB = box.socket(hostB);
        socketB.execute(Links.setUp("lo", true));
        box.run(Links.createVeth("ul0", "ul0", hostB, UNDERLAY_MTU, null));
        box.run(Addresses.add("ul0", box.links.get("ul0").index(), inet(A_UNDERLAY), 24), Links.setUp("ul0", true));
        socketB.executeAll(List.of(Addresses.add("ul0", new Links(socketB).get("ul0").index(), inet(B_UNDERLAY), 24), Links.setUp("ul0", true)));
        a = host(box.host, box.socket, A_UNDERLAY, "cA", C_A);
        b = host(hostB, socketB, B_UNDERLAY, "cB", C_B);
    }

    @AfterEach
    void closeHostB() {
        b.netns.close(); // the sandbox deletes the namespace itself
    }

    /** The bridge, the vxlan link on it (created down, checked, then up) and one container. */
    private Host host(Netns netns, NetlinkSocket socket, int underlay, String container, int containerIp) throws Exception {
        Links links = new Links(socket);
        socket.execute(Links.createBridge(BRIDGE, null, null, LinkData.Bridge.forContainers()));
        int bridge = links.get(BRIDGE).index();
        socket.execute(Links.createVxlan(VXLAN, LinkData.Vxlan.forOverlay(VNI, inet(underlay), Rtnetlink.VXLAN_PORT_IANA),
                UNDERLAY_MTU - 50, BRIDGE, bridge));
        LinkMessage vxlan = links.get(VXLAN);
        assertFalse(vxlan.isUp(), "created down");
        assertEquals(bridge, vxlan.master(), "enslaved to the bridge in the creating request");
        socket.executeAll(List.of(Links.setAddrGenMode(VXLAN, Rtnetlink.IN6_ADDR_GEN_MODE_NONE), Links.setUp(VXLAN, true),
                Links.setUp(BRIDGE, true)));
        HardwareAddress mac;
        try (NetnsDirectory.ConnectedNetns c = box.netns.createConnected(container)) {
            socket.executeAll(VethEndpoint.hostSide("v" + container, "eth0", c.netns(), BRIDGE, bridge, UNDERLAY_MTU - 50, null, false, null));
            LinkMessage eth0 = new Links(c.socket()).get("eth0");
            List<NetlinkOperation> inside = new ArrayList<>(List.of(Links.setUp("lo", true)));
            inside.addAll(VethEndpoint.containerSide("eth0", eth0.index(), "eth0", inet(containerIp), 24, null, false));
            c.socket().executeAll(inside);
            socket.execute(VethEndpoint.enableHostSide("v" + container));
            mac = eth0.address();
        }
        return new Host(netns, socket, links.get(VXLAN).index(), mac);
    }

    /** On {@code on}: the forwarding entry to {@code remote}'s container via {@code remote}'s underlay, and its neighbour entry. */
    private static List<NetlinkOperation> program(Host on, Host remote, int remoteUnderlay, int remoteIp) {
        return List.of(Neighbours.addForwarding(VXLAN, on.vxlanIndex, remote.containerMac, remoteUnderlay),
                Neighbours.addNeighbour(VXLAN, on.vxlanIndex, remoteIp, remote.containerMac));
    }

    private static List<NetlinkOperation> unprogram(Host on, Host remote, int remoteIp) {
        return List.of(Neighbours.deleteForwarding(VXLAN, on.vxlanIndex, remote.containerMac),
                Neighbours.deleteBridgeForwarding(VXLAN, on.vxlanIndex, remote.containerMac),
                Neighbours.deleteNeighbour(VXLAN, on.vxlanIndex, remoteIp));
    }

    @Test
    void containersReachEachOtherExactlyWhileTheEntriesAreProgrammed() {
        assertTrue(box.ping(box.host, "10.99.0.2"), "the underlay works");
        assertFalse(box.ping("cA", "10.200.0.3"), "no entries: nothing is flooded to the other host");

        // The vxlan's own entries and the neighbour entries suffice: the bridge floods to its vxlan port what it does not know.
        a.socket.executeAll(program(a, b, B_UNDERLAY, C_B));
        b.socket.executeAll(program(b, a, A_UNDERLAY, C_A));
        assertTrue(box.ping("cA", "10.200.0.3"), "A → B over the overlay");
        assertTrue(box.ping("cB", "10.200.0.2"), "B → A over the overlay");
        tcpConnect("cB", "cA", "10.200.0.2");

        // Programming again is no error (replace), and the dumps show exactly what was programmed: nothing learned.
        a.socket.executeAll(program(a, b, B_UNDERLAY, C_B));
        assertEquals(List.of(new Neighbours.Forwarding(b.containerMac, B_UNDERLAY, Rtnetlink.NUD_PERMANENT)), a.neighbours().forwarding(a.vxlanIndex));
        assertEquals(List.of(new Neighbours.Forwarding(a.containerMac, A_UNDERLAY, Rtnetlink.NUD_PERMANENT)), b.neighbours().forwarding(b.vxlanIndex));
        assertEquals(List.of(new Neighbours.Neighbour(C_B, b.containerMac, Rtnetlink.NUD_PERMANENT)), a.neighbours().neighbours(a.vxlanIndex));
        JsonNode fdb = box.ipJson(a.netns, "neigh", "show", "dev", VXLAN); // ip's own view of the neighbour entry
        assertEquals(1, fdb.size());
        assertEquals("10.200.0.3", fdb.get(0).get("dst").asText());
        assertEquals(b.containerMac.toString(), fdb.get(0).get("lladdr").asText());
        List<String> selfEntries = bridgeFdbSelf(a.netns);
        assertEquals(List.of(b.containerMac + " dst 10.99.0.2"), selfEntries);

        // The bridge's own static entry is accepted too, and listed as the bridge's (NUD_NOARP: "static").
        a.socket.execute(Neighbours.addBridgeForwarding(VXLAN, a.vxlanIndex, b.containerMac));
        a.socket.execute(Neighbours.addBridgeForwarding(VXLAN, a.vxlanIndex, b.containerMac));
        assertTrue(a.neighbours().bridgeForwarding(a.vxlanIndex).contains(new Neighbours.Forwarding(b.containerMac, null, Rtnetlink.NUD_NOARP)));
        assertTrue(box.ping("cA", "10.200.0.3"), "still reachable with the bridge's entry");

        // Deleting cuts the path; deleting again (all in one batch) is no error.
        a.socket.executeAll(unprogram(a, b, C_B));
        b.socket.executeAll(unprogram(b, a, C_A));
        assertEquals(List.of(), a.neighbours().forwarding(a.vxlanIndex));
        assertEquals(List.of(), a.neighbours().neighbours(a.vxlanIndex));
        assertFalse(a.neighbours().bridgeForwarding(a.vxlanIndex).stream()
                .anyMatch(f -> f.mac().equals(b.containerMac) && f.state() == Rtnetlink.NUD_NOARP));
        assertFalse(box.ping("cA", "10.200.0.3"), "entries deleted: A no longer reaches B");
        assertFalse(box.ping("cB", "10.200.0.2"), "entries deleted: B no longer reaches A");
        a.socket.executeAll(unprogram(a, b, C_B));
        b.socket.executeAll(unprogram(b, a, C_A));
    }

    @Test
    void nothingIsLearnedFromAnAddressNobodyProgrammed() throws Exception {
        // B knows A's container; A knows nothing of B's. B's container sends to A: A's vxlan receives frames from
        // B's MAC at 10.99.0.2 and, with learning off, must not turn them into an entry.
        b.socket.executeAll(program(b, a, A_UNDERLAY, C_A));
        assertFalse(box.ping("cB", "10.200.0.2"), "A cannot answer: it has no entry for B's container");
        assertEquals(List.of(), a.neighbours().forwarding(a.vxlanIndex));
        assertEquals(List.of(), bridgeFdbSelf(a.netns));
        assertEquals(List.of(new Neighbours.Forwarding(a.containerMac, A_UNDERLAY, Rtnetlink.NUD_PERMANENT)), b.neighbours().forwarding(b.vxlanIndex));
    }

    @Test
    void aDumpedVxlanLinkDecodesItsOptions() throws Exception {
        LinkMessage read = a.links().get(VXLAN);
        assertEquals("vxlan", read.kind());
        assertEquals(UNDERLAY_MTU - 50, read.mtu());
        LinkData.Vxlan data = (LinkData.Vxlan) read.data();
        assertEquals(new LinkData.Vxlan(VNI, InetAddress.getByName("10.99.0.1"), 4789, false, true), data);
        // The same link in a dump of every link, as reconciliation reads it after a restart.
        assertTrue(a.links().list().stream().anyMatch(l -> VXLAN.equals(l.name()) && data.equals(l.data())));
        // And as ip sees it.
        JsonNode link = box.ipJson(a.netns, "-d", "link", "show", VXLAN).get(0);
        JsonNode info = link.get("linkinfo").get("info_data");
        assertEquals(VNI, info.get("id").asInt());
        assertEquals("10.99.0.1", info.get("local").asText());
        assertEquals(4789, info.get("port").asInt());
        assertEquals(BRIDGE, link.get("master").asText());
        assertEquals(UNDERLAY_MTU - 50, link.get("mtu").asInt());
    }

    /** {@code bridge fdb show dev vx-ov self} on {@code ns}: "mac dst ip" of each vxlan entry that has a remote. */
    private List<String> bridgeFdbSelf(Netns ns) {
        String out = KernelSandbox.command(List.of("nsenter", "--net=" + ns.path(), "bridge", "-j", "fdb", "show", "dev", VXLAN));
        List<String> entries = new ArrayList<>();
        try {
            for (JsonNode e : new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.isBlank() ? "[]" : out)) {
                if (e.has("dst")) {
                    entries.add(e.get("mac").asText() + " dst " + e.get("dst").asText());
                }
            }
        } catch (java.io.IOException e) {
            throw new AssertionError("bridge -j printed no JSON: " + out, e);
        }
        return entries;
    }

    /** A TCP connection from {@code client} to a listener in {@code server} at {@code address}, through python3. */
    private void tcpConnect(String client, String server, String address) {
        String listen = "import socket;s=socket.socket();s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1);"
                + "s.bind(('" + address + "',7777));s.listen(1);s.settimeout(10);c,_=s.accept();c.sendall(b'overlay');c.close()";
        try {
            Process listener = new ProcessBuilder("nsenter", "--net=" + box.netns.pathOf(server), "python3", "-c", listen).start();
            try {
                String connect = "import socket,time\nfor i in range(50):\n  try:\n    c=socket.create_connection(('" + address
                        + "',7777),timeout=2);break\n  except ConnectionRefusedError:\n    time.sleep(0.1)\nprint(c.recv(16).decode())";
                String out = KernelSandbox.command(List.of("nsenter", "--net=" + box.netns.pathOf(client), "python3", "-c", connect));
                assertEquals("overlay", out.strip());
            } finally {
                listener.destroy();
                listener.waitFor();
            }
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static InetAddress inet(int ipv4) throws java.net.UnknownHostException {
        return InetAddress.getByAddress(new byte[] {(byte) (ipv4 >>> 24), (byte) (ipv4 >>> 16), (byte) (ipv4 >>> 8), (byte) ipv4});
    }
}
