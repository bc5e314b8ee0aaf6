package io.netwharf.protocol.rtnetlink;

import io.netwharf.protocol.netlink.MessageWriter;
import io.netwharf.protocol.netlink.Netlink;
import io.netwharf.protocol.netlink.NetlinkRequest;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** IFLA_IFALIAS: read as the kernel sends it (NUL-terminated), written as iproute2 writes it (no NUL). */
class LinkAliasTest {
    private static final int IFINFOMSG = 16;

    /** An ifinfomsg for index 7 followed by the given attributes, as a kernel reply's payload. */
    private static ByteBuffer reply(byte[]... attributes) {
        MessageWriter w = new MessageWriter(64);
        w.u8(0).u8(0).u16(1).u32(7).u32(0).u32(0);
        for (byte[] a : attributes) {
            w.raw(a);
        }
        return w.written();
    }

    /** One attribute: header, value, padding to 4 bytes. */
    private static byte[] attribute(int type, byte[] value) {
        int length = 4 + value.length;
        ByteBuffer b = ByteBuffer.allocate((length + 3) & ~3).order(ByteOrder.nativeOrder());
        b.putShort((short) length).putShort((short) type).put(value);
        return b.array();
    }

    private static byte[] nulTerminated(String s) {
        byte[] text = s.getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(text, text.length + 1);
    }

    @Test
    void aliasTheKernelSendsIsRead() {
        LinkMessage link = LinkMessage.decode(reply(attribute(Rtnetlink.IFLA_IFNAME, nulTerminated("vh1")),
                attribute(Rtnetlink.IFLA_IFALIAS, nulTerminated("netwharf endpoint c1 n1"))));
        assertEquals("vh1", link.name());
        assertEquals("netwharf endpoint c1 n1", link.alias());
    }

    @Test
    void noAliasAttributeIsNull() {
        assertNull(LinkMessage.decode(reply(attribute(Rtnetlink.IFLA_IFNAME, nulTerminated("vh1")))).alias());
    }

    @Test
    void aliasIsWrittenWithoutItsNul() {
        String alias = "é".repeat(127) + "x"; // 255 bytes: the most the kernel takes
        byte[] bytes = Wire.encode(new NetlinkRequest(Rtnetlink.RTM_SETLINK, 0, LinkMessage.builder().index(3).alias(alias).build()), 1);
        ByteBuffer attr = ByteBuffer.wrap(bytes, Netlink.HEADER_LENGTH + IFINFOMSG, 4).order(ByteOrder.nativeOrder());
        assertEquals(4 + 255, Short.toUnsignedInt(attr.getShort()), "nla_len: the header and the alias' bytes, no NUL");
        assertEquals(Rtnetlink.IFLA_IFALIAS, attr.getShort());
        byte[] value = Arrays.copyOfRange(bytes, Netlink.HEADER_LENGTH + IFINFOMSG + 4, Netlink.HEADER_LENGTH + IFINFOMSG + 4 + 255);
        assertArrayEquals(alias.getBytes(StandardCharsets.UTF_8), value);
        assertEquals(alias, ((LinkMessage) Wire.decodeAll(bytes).get(0)).alias());
    }

    @Test
    void emptyAliasIsSentAsAnEmptyAttribute() {
        byte[] bytes = Wire.encode(new NetlinkRequest(Rtnetlink.RTM_SETLINK, 0, LinkMessage.builder().index(3).alias("").build()), 1);
        assertEquals(Netlink.HEADER_LENGTH + IFINFOMSG + 4, bytes.length);
        assertEquals(Rtnetlink.IFLA_IFALIAS, ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).getShort(Netlink.HEADER_LENGTH + IFINFOMSG + 2));
    }
}
