package io.netwharf.protocol.rtnetlink;

import io.netwharf.protocol.netlink.MessageWriter;
import io.netwharf.protocol.netlink.Netlink;
import io.netwharf.protocol.netlink.NetlinkAck;
import io.netwharf.protocol.netlink.NetlinkFormatException;
import io.netwharf.protocol.netlink.NetlinkMessage;
import io.netwharf.protocol.netlink.NetlinkRequest;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bytes that lie: whatever arrives, parsing and decoding either succeed or throw NetlinkFormatException with a
 * message that says where and how long — never another exception, never a loop.
 */
class MalformedInputTest {
    private static final Duration BOUND = Duration.ofSeconds(5);

    /** Parses and decodes every message; a NetlinkFormatException is an acceptable answer, anything else is not. */
    private static void parsesOrRejects(byte[] datagram) {
        try {
            Wire.decodeAll(datagram);
        } catch (NetlinkFormatException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
        }
    }

    // ---- properties ----

    @Property(tries = 200, edgeCases = EdgeCasesMode.NONE) // each try checks every prefix; edge cases come via the others
    void everyTruncationParsesOrIsRejected(@ForAll("datagrams") byte[] datagram) {
        assertTimeoutPreemptively(BOUND, () -> {
            for (int length = 0; length < datagram.length; length++) {
                byte[] prefix = java.util.Arrays.copyOf(datagram, length);
                parsesOrRejects(prefix);
                // Lengths cut too: a message that ends early must say so, not read on.
                if (length % Netlink.ALIGNMENT != 0) {
                    assertThrows(NetlinkFormatException.class, () -> Wire.decodeAll(prefix), "prefix of " + length + " bytes");
                }
            }
        });
    }

    @Property(tries = 1000)
    void corruptLengthFieldsParseOrAreRejected(@ForAll("datagrams") byte[] datagram, @ForAll("corruptions") List<Corruption> corruptions) {
        List<Wire.LengthField> fields = Wire.lengthFields(datagram);
        ByteBuffer b = Wire.buffer(datagram);
        for (Corruption c : corruptions) {
            Wire.LengthField f = fields.get(Math.floorMod(c.field, fields.size()));
            int value = c.value == null ? (f.width() == 4 ? b.getInt(f.offset()) : b.getShort(f.offset())) + c.delta : c.value;
            if (f.width() == 4) {
                b.putInt(f.offset(), value);
            } else {
                b.putShort(f.offset(), (short) value);
            }
        }
        assertTimeoutPreemptively(BOUND, () -> parsesOrRejects(datagram));
    }

    @Property(tries = 1000)
    void randomByteCorruptionsParseOrAreRejected(@ForAll("datagrams") byte[] datagram,
                                                 @ForAll @Size(min = 1, max = 4) List<@IntRange(min = 0, max = 100_000) Integer> positions,
                                                 @ForAll byte value) {
        for (int p : positions) {
            datagram[p % datagram.length] ^= (byte) (value == 0 ? 1 : value);
        }
        assertTimeoutPreemptively(BOUND, () -> parsesOrRejects(datagram));
    }

    /** A corruption of one length field: set to {@code value}, or, when it is null, moved by {@code delta}. */
    record Corruption(int field, Integer value, int delta) {}

    @Provide
    Arbitrary<List<Corruption>> corruptions() {
        Arbitrary<Integer> values = Arbitraries.oneOf(
                Arbitraries.of(0, 1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 19, 20, 0xfffc, 0xffff, 0x7ffffffc, 0x7fffffff, 0x80000000, -1),
                Arbitraries.integers());
        return Combinators.combine(Arbitraries.integers().greaterOrEqual(0), values.injectNull(0.5), Arbitraries.integers().between(-8, 8))
                .as(Corruption::new).list().ofMinSize(1).ofMaxSize(3);
    }

    /** One datagram of random requests and NLMSG_ERROR replies to them (with and without extended ACKs). */
    @Provide
    Arbitrary<byte[]> datagrams() {
        Arbitrary<byte[]> request = RoundTripTest.anyRequest().map(s -> Wire.encode(s.request(), s.sequence()));
        Arbitrary<byte[]> ack = Combinators.combine(Arbitraries.integers().between(0, 140), request, Arbitraries.of(true, false),
                Arbitraries.strings().ofMaxLength(40).injectNull(0.4), Arbitraries.integers().injectNull(0.6))
                .as(Wire::ack);
        return Arbitraries.oneOf(request, request, ack).list().ofMinSize(1).ofMaxSize(3).map(parts -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            parts.forEach(out::writeBytes);
            return out.toByteArray();
        });
    }

    // ---- specific lies, and what the error says ----

    private static byte[] link(LinkMessage m) {
        return Wire.encode(new NetlinkRequest(Rtnetlink.RTM_NEWLINK, 0, m), 1);
    }

    private static String rejected(byte[] datagram) {
        return assertThrows(NetlinkFormatException.class, () -> Wire.decodeAll(datagram)).getMessage();
    }

    private static void assertMentions(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), () -> "'" + message + "' should mention '" + part + "'");
        }
    }

    @Test
    void headerShorterThan16Bytes() {
        byte[] d = java.util.Arrays.copyOf(link(LinkMessage.builder().build()), 10);
        assertMentions(rejected(d), "truncated netlink header", "10 bytes", "offset 0");
    }

    @Test
    void nlmsgLenSmallerThanTheHeader() {
        byte[] d = link(LinkMessage.builder().name("eth0").build());
        Wire.buffer(d).putInt(0, 8);
        assertMentions(rejected(d), "offset 0", "claims length 8", "less than its own header");
        Wire.buffer(d).putInt(0, -1); // 0xffffffff: read unsigned, still rejected
        assertMentions(rejected(d), "claims length 4294967295");
    }

    @Test
    void nlmsgLenOfTheSecondMessageLargerThanTheBuffer() {
        byte[] first = link(LinkMessage.builder().name("a").build());
        byte[] second = link(LinkMessage.builder().name("b").build());
        byte[] d = concat(first, second);
        Wire.buffer(d).putInt(first.length, second.length + 4);
        assertMentions(rejected(d), "offset " + first.length, "claims length " + (second.length + 4), "only " + second.length + " bytes remain");
    }

    @Test
    void attributeLengthSmallerThanItsHeader() {
        byte[] d = link(LinkMessage.builder().name("eth0").build());
        Wire.buffer(d).putShort(32, (short) 3); // IFLA_IFNAME, right after nlmsghdr and ifinfomsg
        assertMentions(rejected(d), "attribute type " + Rtnetlink.IFLA_IFNAME, "offset 16", "claims length 3", "less than its own header");
    }

    @Test
    void attributeLengthPastTheEnd() {
        byte[] d = link(LinkMessage.builder().name("eth0").build()); // IFLA_IFNAME takes the last 12 bytes
        Wire.buffer(d).putShort(32, (short) 200);
        assertMentions(rejected(d), "offset 16", "claims length 200", "only 12 bytes remain");
    }

    @Test
    void truncatedAttributeHeader() {
        MessageWriter w = new MessageWriter(64);
        int start = w.beginMessage(Rtnetlink.RTM_NEWLINK, 0, 1, 0);
        w.zeros(LinkMessage.STRUCT_LENGTH).u16(8); // two bytes of an attribute header
        w.endMessage(start);
        byte[] d = java.util.Arrays.copyOf(Wire.bytes(w), 34); // without the padding, so the message ends after them
        Wire.buffer(d).putInt(0, 34);
        assertMentions(rejected(d), "truncated attribute header", "2 bytes", "offset 16");
    }

    @Test
    void threeByteIpv4Address() {
        MessageWriter w = new MessageWriter(64);
        int start = w.beginMessage(Rtnetlink.RTM_NEWADDR, 0, 1, 0);
        w.u8(2).u8(24).u8(0).u8(0).u32(1).attrBytes(Rtnetlink.IFA_LOCAL, new byte[] {10, 0, 0});
        w.endMessage(start);
        assertMentions(rejected(Wire.bytes(w)), "attribute " + Rtnetlink.IFA_LOCAL, "3-byte address", "family 2", "expects 4");
    }

    @Test
    void u32AttributeOfTwoBytes() {
        MessageWriter w = new MessageWriter(64);
        int start = w.beginMessage(Rtnetlink.RTM_NEWLINK, 0, 1, 0);
        w.zeros(LinkMessage.STRUCT_LENGTH).attrU16(Rtnetlink.IFLA_MTU, 1500);
        w.endMessage(start);
        assertMentions(rejected(Wire.bytes(w)), "attribute " + Rtnetlink.IFLA_MTU, "holds 2 bytes", "too few for a u32");
    }

    @Test
    void bodiesShorterThanTheirFixedStructures() {
        assertMentions(rejected(message(Rtnetlink.RTM_NEWLINK, 12)), "link message of 12 bytes", "ifinfomsg (16)");
        assertMentions(rejected(message(Rtnetlink.RTM_NEWADDR, 4)), "address message of 4 bytes", "ifaddrmsg (8)");
        assertMentions(rejected(message(Rtnetlink.RTM_NEWROUTE, 8)), "route message of 8 bytes", "rtmsg (12)");
        assertMentions(rejected(message(Netlink.NLMSG_ERROR, 16)), "NLMSG_ERROR payload of 16 bytes", "at least 20");
    }

    /** A message of {@code type} whose payload is {@code length} zero bytes. */
    private static byte[] message(int type, int length) {
        MessageWriter w = new MessageWriter(64);
        int start = w.beginMessage(type, 0, 1, 0);
        w.zeros(length);
        w.endMessage(start);
        return Wire.bytes(w);
    }

    @Test
    void nestLongerThanTheMessage() {
        byte[] d = link(LinkMessage.builder().kind("bridge").build()); // IFLA_LINKINFO { IFLA_INFO_KIND "bridge" } = 16 bytes at 32
        Wire.buffer(d).putShort(32, (short) 40);
        assertMentions(rejected(d), "attribute type " + Rtnetlink.IFLA_LINKINFO, "claims length 40", "only 16 bytes remain");
    }

    @Test
    void attributeLongerThanItsNest() {
        byte[] d = link(LinkMessage.builder().kind("bridge").build());
        Wire.buffer(d).putShort(36, (short) 16); // IFLA_INFO_KIND claims more than the 12 bytes left in its nest
        assertMentions(rejected(d), "attribute type " + Rtnetlink.IFLA_INFO_KIND, "offset 20", "claims length 16", "only 12 bytes remain");
    }

    @Test
    void nestThatClaimsLessThanItsHeader() {
        byte[] d = link(LinkMessage.builder().kind("bridge").build());
        Wire.buffer(d).putShort(32, (short) 2);
        assertMentions(rejected(d), "attribute type " + Rtnetlink.IFLA_LINKINFO, "claims length 2");
    }

    @Test
    void vethPeerShorterThanIfinfomsg() {
        MessageWriter w = new MessageWriter(64);
        int start = w.beginMessage(Rtnetlink.RTM_NEWLINK, 0, 1, 0);
        w.zeros(LinkMessage.STRUCT_LENGTH);
        int info = w.beginNested(Rtnetlink.IFLA_LINKINFO);
        w.attrString(Rtnetlink.IFLA_INFO_KIND, "veth");
        int data = w.beginNested(Rtnetlink.IFLA_INFO_DATA);
        w.attrBytes(Rtnetlink.VETH_INFO_PEER, new byte[8]);
        w.endNested(data);
        w.endNested(info);
        w.endMessage(start);
        assertMentions(rejected(Wire.bytes(w)), "link message of 8 bytes", "ifinfomsg (16)");
    }

    /** An echoed request length near 2^31 must not wrap the offset of the extended-ACK TLVs around. */
    @Test
    void ackWhoseEchoedRequestLengthOverflows() {
        byte[] request = link(LinkMessage.builder().name("x").build());
        for (int lie : new int[] {0x7ffffff9, 0x7ffffffc, 0x7fffffff, -4, 1000}) {
            byte[] d = Wire.ack(22, request, false, "text", null);
            Wire.buffer(d).putInt(Netlink.HEADER_LENGTH + 4, lie);
            NetlinkMessage m = NetlinkMessage.parseAll(Wire.buffer(d)).get(0);
            Executable decode = () -> NetlinkAck.decode(m);
            assertMentions(assertThrows(NetlinkFormatException.class, decode, "echoed length " + lie).getMessage(), "echoes a request of " + lie);
        }
    }

    @Test
    void messagesAtTheEndOfADatagramMayLackTheirPadding() {
        // The kernel pads; a sender that does not still parses, and the message ends where its length says.
        byte[] d = link(LinkMessage.builder().name("ab").build()); // IFLA_IFNAME "ab\0" + one byte of padding
        byte[] unpadded = java.util.Arrays.copyOf(d, d.length - 1);
        Wire.buffer(unpadded).putInt(0, unpadded.length).putShort(32, (short) 7);
        assertEquals("ab", ((LinkMessage) Wire.decodeAll(unpadded).get(0)).name());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
