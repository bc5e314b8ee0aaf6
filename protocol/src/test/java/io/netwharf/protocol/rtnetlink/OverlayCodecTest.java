package io.netwharf.protocol.rtnetlink;

import io.netwharf.protocol.netlink.AddressFamily;
import io.netwharf.protocol.netlink.HardwareAddress;
import io.netwharf.protocol.netlink.MessageWriter;
import io.netwharf.protocol.netlink.Netlink;
import io.netwharf.protocol.netlink.NetlinkFormatException;
import io.netwharf.protocol.netlink.NetlinkMessage;
import io.netwharf.protocol.netlink.NetlinkRequest;
import org.junit.jupiter.api.Test;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The overlay's wire details: a vxlan's IFLA_INFO_DATA and the ndmsg of fdb and neighbour entries, byte by byte. */
class OverlayCodecTest {
    private static final HardwareAddress MAC = HardwareAddress.parse("02:42:0a:c8:00:02");

    @Test
    void vxlanDataIsTheAttributesIpLinkSends() throws Exception {
        MessageWriter w = new MessageWriter(64);
        LinkData.Vxlan.forOverlay(0x123456, InetAddress.getByName("10.99.0.1"), 4789).encode(w);
        ByteBuffer b = w.written();
        // IFLA_VXLAN_ID u32 (native order), LOCAL 4 bytes, PORT 2 bytes big-endian, LEARNING u8, PROXY u8; each padded to 4.
        assertEquals(8 + 8 + 8 + 8 + 8, b.remaining());
        assertEquals(8, b.getShort(0));
        assertEquals(Rtnetlink.IFLA_VXLAN_ID, b.getShort(2));
        assertEquals(0x123456, b.getInt(4));
        assertEquals(Rtnetlink.IFLA_VXLAN_LOCAL, b.getShort(10));
        assertArrayEquals(new byte[] {10, 99, 0, 1}, slice(b, 12, 4));
        assertEquals(6, b.getShort(16));
        assertEquals(Rtnetlink.IFLA_VXLAN_PORT, b.getShort(18));
        assertArrayEquals(new byte[] {0x12, (byte) 0xb5}, slice(b, 20, 2), "4789 in network byte order, whatever the machine's");
        assertEquals(Rtnetlink.IFLA_VXLAN_LEARNING, b.getShort(26));
        assertEquals(0, b.get(28));
        assertEquals(Rtnetlink.IFLA_VXLAN_PROXY, b.getShort(34));
        assertEquals(1, b.get(36));
    }

    @Test
    void vxlanLinkRoundTripsThroughLinkInfo() throws Exception {
        LinkData.Vxlan data = LinkData.Vxlan.forOverlay(42, InetAddress.getByName("10.99.0.2"), 4789);
        LinkMessage link = LinkMessage.builder().name("vx-42").mtu(1450).master(3).kind("vxlan").data(data).build();
        LinkMessage back = (LinkMessage) roundTrip(new NetlinkRequest(Rtnetlink.RTM_NEWLINK, Netlink.NLM_F_CREATE, link));
        assertEquals(link, back);
        assertEquals(42, ((LinkData.Vxlan) back.data()).vni());
        assertEquals(false, ((LinkData.Vxlan) back.data()).learning());
    }

    @Test
    void vxlanRefusesWhatTheKernelWould() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> new LinkData.Vxlan(1 << 24, null, null, null, null));
        assertThrows(IllegalArgumentException.class, () -> new LinkData.Vxlan(1, InetAddress.getByName("fd00::1"), null, null, null));
        assertThrows(IllegalArgumentException.class, () -> new LinkData.Vxlan(1, null, 65536, null, null));
    }

    @Test
    void vxlanPortOfWrongSizeIsAFormatError() {
        MessageWriter w = new MessageWriter(64);
        int start = w.beginMessage(Rtnetlink.RTM_NEWLINK, 0, 1, 0);
        w.u8(0).u8(0).u16(0).u32(0).u32(0).u32(0);
        int info = w.beginNested(Rtnetlink.IFLA_LINKINFO);
        w.attrString(Rtnetlink.IFLA_INFO_KIND, "vxlan");
        int data = w.beginNested(Rtnetlink.IFLA_INFO_DATA);
        w.attrU32(Rtnetlink.IFLA_VXLAN_PORT, 4789);
        w.endNested(data);
        w.endNested(info);
        w.endMessage(start);
        NetlinkMessage m = NetlinkMessage.parseAll(w.written()).get(0);
        assertThrows(NetlinkFormatException.class, () -> LinkMessage.decode(m.payload()));
    }

    @Test
    void forwardingEntryIsAnAfBridgeNdmsgWithAnIpv4Remote() throws Exception {
        NeighbourMessage fdb = NeighbourMessage.forwarding(7, MAC, InetAddress.getByName("10.99.0.2"), Rtnetlink.NUD_PERMANENT, Rtnetlink.NTF_SELF);
        byte[] bytes = Wire.encode(new NetlinkRequest(Rtnetlink.RTM_NEWNEIGH, Netlink.NLM_F_CREATE | Netlink.NLM_F_REPLACE, fdb), 9);
        ByteBuffer b = Wire.buffer(bytes);
        int ndmsg = Netlink.HEADER_LENGTH;
        assertEquals(Netlink.HEADER_LENGTH + 12 + 8 + 12, bytes.length);
        assertEquals(AddressFamily.AF_BRIDGE, b.get(ndmsg));
        assertEquals(7, b.getInt(ndmsg + 4));
        assertEquals(Rtnetlink.NUD_PERMANENT, b.getShort(ndmsg + 8));
        assertEquals(Rtnetlink.NTF_SELF, b.get(ndmsg + 10));
        assertEquals(Rtnetlink.NDA_DST, b.getShort(ndmsg + 12 + 2));
        assertArrayEquals(new byte[] {10, 99, 0, 2}, slice(b, ndmsg + 16, 4));
        assertEquals(10, b.getShort(ndmsg + 20));
        assertEquals(Rtnetlink.NDA_LLADDR, b.getShort(ndmsg + 22));
        assertArrayEquals(MAC.bytes(), slice(b, ndmsg + 24, 6));

        NeighbourMessage back = (NeighbourMessage) Wire.decodeAll(bytes).get(0);
        assertEquals(fdb, back);
        assertEquals(InetAddress.getByName("10.99.0.2"), back.destination(), "read by its size in an AF_BRIDGE message");
    }

    @Test
    void forwardingRemoteMayBeIpv6AndStaysIpv6() throws Exception {
        InetAddress mapped = Inet6Address.getByAddress(null, mappedBytes(), -1); // ::ffff:10.0.0.1
        NeighbourMessage fdb = NeighbourMessage.forwarding(7, MAC, mapped, Rtnetlink.NUD_PERMANENT, Rtnetlink.NTF_SELF);
        NeighbourMessage back = (NeighbourMessage) roundTrip(new NetlinkRequest(Rtnetlink.RTM_NEWNEIGH, 0, fdb));
        assertInstanceOf(Inet6Address.class, back.destination());
        assertEquals(fdb, back);
    }

    @Test
    void neighbourEntryIsAnAfInetNdmsg() throws Exception {
        NeighbourMessage n = NeighbourMessage.neighbour(7, InetAddress.getByName("10.200.0.3"), MAC, Rtnetlink.NUD_PERMANENT);
        assertEquals(AddressFamily.AF_INET, n.family());
        assertEquals(n, roundTrip(new NetlinkRequest(Rtnetlink.RTM_NEWNEIGH, Netlink.NLM_F_CREATE | Netlink.NLM_F_REPLACE, n)));
    }

    @Test
    void remoteOfAnyOtherSizeIsAFormatError() {
        MessageWriter w = new MessageWriter(64);
        int start = w.beginMessage(Rtnetlink.RTM_NEWNEIGH, 0, 1, 0);
        w.u8(AddressFamily.AF_BRIDGE).u8(0).u16(0).u32(7).u16(Rtnetlink.NUD_PERMANENT).u8(Rtnetlink.NTF_SELF).u8(0);
        w.attrBytes(Rtnetlink.NDA_DST, new byte[] {10, 99, 0});
        w.endMessage(start);
        NetlinkMessage m = NetlinkMessage.parseAll(w.written()).get(0);
        assertThrows(NetlinkFormatException.class, () -> NeighbourMessage.decode(m.payload()));
        assertThrows(NetlinkFormatException.class, () -> NeighbourMessage.decode(ByteBuffer.allocate(11).order(ByteOrder.nativeOrder())));
    }

    private static byte[] mappedBytes() {
        byte[] b = new byte[16];
        b[10] = (byte) 0xff;
        b[11] = (byte) 0xff;
        b[12] = 10;
        b[15] = 1;
        return b;
    }

    private static Object roundTrip(NetlinkRequest request) {
        return Wire.decodeAll(Wire.encode(request, 1)).get(0);
    }

    private static byte[] slice(ByteBuffer b, int offset, int length) {
        byte[] out = new byte[length];
        b.get(offset, out);
        return out;
    }
}
