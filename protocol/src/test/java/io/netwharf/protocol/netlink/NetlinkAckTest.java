package io.netwharf.protocol.netlink;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** NLMSG_ERROR replies, built byte by byte as the kernel's netlink_ack() lays them out. */
class NetlinkAckTest {
    private static final int RTM_NEWLINK = 16;
    private static final NetlinkHeader REQUEST = new NetlinkHeader(36, RTM_NEWLINK, 0x605, 7, 0);

    /** An NLMSG_ERROR: nlmsghdr, int error, the echoed request (header + {@code echoedPayload}), then {@code tlvs}. */
    private static NetlinkMessage errorMessage(int flags, int error, NetlinkHeader request, byte[] echoedPayload, byte[] tlvs) {
        ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
        b.putInt(0).putShort((short) Netlink.NLMSG_ERROR).putShort((short) flags).putInt(request.sequence()).putInt(1234);
        b.putInt(error);
        b.putInt(request.length()).putShort((short) request.type()).putShort((short) request.flags()).putInt(request.sequence())
                .putInt(request.portId());
        b.put(echoedPayload);
        while (b.position() % 4 != 0) {
            b.put((byte) 0);
        }
        b.put(tlvs);
        b.putInt(0, b.position());
        List<NetlinkMessage> messages = NetlinkMessage.parseAll(b.flip());
        assertEquals(1, messages.size());
        return messages.get(0);
    }

    /** One nlattr with its padding. */
    private static byte[] tlv(int type, byte[] value) {
        int length = 4 + value.length;
        ByteBuffer b = ByteBuffer.allocate(Netlink.align(length)).order(ByteOrder.nativeOrder());
        b.putShort((short) length).putShort((short) type).put(value);
        return b.array();
    }

    private static byte[] text(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        return java.util.Arrays.copyOf(bytes, bytes.length + 1); // NUL-terminated, as the kernel sends it
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void cappedErrorWithExtendedAckText() {
        NetlinkMessage m = errorMessage(Netlink.NLM_F_CAPPED | Netlink.NLM_F_ACK_TLVS, -17, REQUEST, new byte[0],
                tlv(Netlink.NLMSGERR_ATTR_MSG, text("some text")));
        NetlinkAck ack = NetlinkAck.decode(m);
        assertEquals(17, ack.errno());
        assertFalse(ack.ok());
        assertEquals("some text", ack.message());
        assertNull(ack.attributeOffset());
        assertEquals(REQUEST, ack.requestHeader());
        assertEquals("File exists (EEXIST)", Errno.describe(ack.errno()));
    }

    @Test
    void successAckIsOk() {
        NetlinkAck ack = NetlinkAck.decode(errorMessage(Netlink.NLM_F_CAPPED, 0, REQUEST, new byte[0], new byte[0]));
        assertTrue(ack.ok());
        assertEquals(0, ack.errno());
        assertNull(ack.message());
        assertNull(ack.attributeOffset());
        assertEquals(REQUEST, ack.requestHeader());
    }

    @Test
    void uncappedErrorSkipsTheEchoedRequestBeforeItsTlvs() {
        // The whole 36-byte request comes back; its payload looks like attributes but must not be read as TLVs.
        byte[] payload = concat(new byte[16], tlv(Netlink.NLMSGERR_ATTR_MSG, text("no")));
        NetlinkHeader request = new NetlinkHeader(16 + payload.length, RTM_NEWLINK, 0x605, 7, 0);
        NetlinkAck ack = NetlinkAck.decode(errorMessage(Netlink.NLM_F_ACK_TLVS, -22, request, payload,
                concat(tlv(Netlink.NLMSGERR_ATTR_MSG, text("mtu less than device minimum")), tlv(Netlink.NLMSGERR_ATTR_OFFS, u32(36)))));
        assertEquals(22, ack.errno());
        assertEquals("mtu less than device minimum", ack.message());
        assertEquals(36, ack.attributeOffset());
        assertEquals(request, ack.requestHeader());
    }

    @Test
    void uncappedErrorWithAnUnalignedRequestFindsTheTlvsAfterThePadding() {
        byte[] payload = new byte[17]; // request length 33, echoed in 36 bytes
        NetlinkHeader request = new NetlinkHeader(33, RTM_NEWLINK, 0x605, 7, 0);
        NetlinkAck ack = NetlinkAck.decode(errorMessage(Netlink.NLM_F_ACK_TLVS, -1, request, payload,
                tlv(Netlink.NLMSGERR_ATTR_MSG, text("padded"))));
        assertEquals(1, ack.errno());
        assertEquals("padded", ack.message());
    }

    @Test
    void uncappedErrorWithoutTlvsIgnoresTheEchoedPayload() {
        byte[] payload = tlv(Netlink.NLMSGERR_ATTR_MSG, text("not an extack"));
        NetlinkHeader request = new NetlinkHeader(16 + payload.length, RTM_NEWLINK, 0x605, 7, 0);
        NetlinkAck ack = NetlinkAck.decode(errorMessage(0, -95, request, payload, new byte[0]));
        assertEquals(95, ack.errno());
        assertNull(ack.message());
    }

    @Test
    void positiveErrorReadsTheSame() {
        assertEquals(17, NetlinkAck.decode(errorMessage(Netlink.NLM_F_CAPPED, 17, REQUEST, new byte[0], new byte[0])).errno());
    }

    @Test
    void echoedRequestLongerThanTheReplyIsRejected() {
        NetlinkHeader request = new NetlinkHeader(400, RTM_NEWLINK, 0x605, 7, 0);
        NetlinkMessage m = errorMessage(Netlink.NLM_F_ACK_TLVS, -22, request, new byte[0], tlv(Netlink.NLMSGERR_ATTR_MSG, text("x")));
        String message = assertThrows(NetlinkFormatException.class, () -> NetlinkAck.decode(m)).getMessage();
        assertTrue(message.contains("400"), message);
    }

    @Test
    void decodingAnotherTypeIsAProgrammingError() {
        ByteBuffer b = ByteBuffer.allocate(36).order(ByteOrder.nativeOrder());
        b.putInt(0, 36).putShort(4, (short) Netlink.NLMSG_DONE);
        NetlinkMessage done = NetlinkMessage.parseAll(b).get(0);
        assertThrows(IllegalArgumentException.class, () -> NetlinkAck.decode(done));
    }
}
