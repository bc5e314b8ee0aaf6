package io.netwharf.protocol.rtnetlink;

import io.netwharf.protocol.netlink.Attributes;
import io.netwharf.protocol.netlink.MessageWriter;
import io.netwharf.protocol.netlink.Netlink;
import io.netwharf.protocol.netlink.NetlinkAck;
import io.netwharf.protocol.netlink.NetlinkMessage;
import io.netwharf.protocol.netlink.NetlinkRequest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Test helpers: encode requests to bytes, decode any message with the typed decoders, find length fields. */
public final class Wire {
    private Wire() {}

    public static byte[] encode(NetlinkRequest request, int sequence) {
        MessageWriter w = new MessageWriter(64);
        request.encode(w, sequence, 0);
        return bytes(w);
    }

    public static byte[] bytes(MessageWriter w) {
        ByteBuffer written = w.written();
        byte[] out = new byte[written.remaining()];
        written.get(out);
        return out;
    }

    public static ByteBuffer buffer(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
    }

    public static byte[] hex(String text) {
        return HexFormat.of().parseHex(text.strip());
    }

    /** The typed decoding of a message, as the runtime would do it: a record for rtnetlink types and NLMSG_ERROR. */
    public static Object decode(NetlinkMessage m) {
        return switch (m.type()) {
            case Rtnetlink.RTM_NEWLINK, Rtnetlink.RTM_DELLINK, Rtnetlink.RTM_GETLINK, Rtnetlink.RTM_SETLINK -> LinkMessage.decode(m.payload());
            case Rtnetlink.RTM_NEWADDR, Rtnetlink.RTM_DELADDR, Rtnetlink.RTM_GETADDR -> AddressMessage.decode(m.payload());
            case Rtnetlink.RTM_NEWROUTE, Rtnetlink.RTM_DELROUTE, Rtnetlink.RTM_GETROUTE -> RouteMessage.decode(m.payload());
            case Rtnetlink.RTM_NEWNEIGH, Rtnetlink.RTM_DELNEIGH, Rtnetlink.RTM_GETNEIGH -> NeighbourMessage.decode(m.payload());
            case Netlink.NLMSG_ERROR -> NetlinkAck.decode(m);
            default -> m.payload();
        };
    }

    /** Parses a datagram and decodes every message in it. */
    public static List<Object> decodeAll(byte[] datagram) {
        List<Object> out = new ArrayList<>();
        for (NetlinkMessage m : NetlinkMessage.parseAll(buffer(datagram))) {
            out.add(decode(m));
        }
        return out;
    }

    /**
     * Writes an NLMSG_ERROR as the kernel does: negated errno, the request's header (and, unless capped, its
     * payload), then extended-ACK TLVs when {@code text} is given.
     */
    public static byte[] ack(int errno, byte[] request, boolean capped, String text, Integer offset) {
        boolean tlvs = text != null || offset != null;
        int flags = (capped ? Netlink.NLM_F_CAPPED : 0) | (tlvs ? Netlink.NLM_F_ACK_TLVS : 0);
        ByteBuffer req = buffer(request);
        MessageWriter w = new MessageWriter(64);
        int start = w.beginMessage(Netlink.NLMSG_ERROR, flags, req.getInt(8), 4242);
        w.u32(-errno);
        w.raw(capped ? java.util.Arrays.copyOf(request, Netlink.HEADER_LENGTH) : request);
        if (text != null) w.attrString(Netlink.NLMSGERR_ATTR_MSG, text);
        if (offset != null) w.attrU32(Netlink.NLMSGERR_ATTR_OFFS, offset);
        w.endMessage(start);
        return bytes(w);
    }

    /** Where a length field sits: its offset and width (4 for nlmsg_len, 2 for nla_len). */
    public record LengthField(int offset, int width) {}

    /**
     * The offsets of every nlmsg_len and nla_len in a well-formed datagram, walking into the nests this codec
     * reads (IFLA_LINKINFO, IFLA_INFO_DATA of a bridge or vxlan, VETH_INFO_PEER, IFLA_AF_SPEC, the extended ACK).
     */
    public static List<LengthField> lengthFields(byte[] datagram) {
        ByteBuffer b = buffer(datagram);
        List<LengthField> out = new ArrayList<>();
        int offset = 0;
        while (offset < datagram.length) {
            int length = b.getInt(offset);
            int type = Short.toUnsignedInt(b.getShort(offset + 4));
            out.add(new LengthField(offset, 4));
            int payload = offset + Netlink.HEADER_LENGTH;
            int end = offset + length;
            switch (type) {
                case Rtnetlink.RTM_NEWLINK, Rtnetlink.RTM_DELLINK, Rtnetlink.RTM_GETLINK, Rtnetlink.RTM_SETLINK ->
                        linkAttributes(b, payload + LinkMessage.STRUCT_LENGTH, end, out);
                case Rtnetlink.RTM_NEWADDR, Rtnetlink.RTM_DELADDR, Rtnetlink.RTM_GETADDR ->
                        attributes(b, payload + AddressMessage.STRUCT_LENGTH, end, out, null);
                case Rtnetlink.RTM_NEWROUTE, Rtnetlink.RTM_DELROUTE, Rtnetlink.RTM_GETROUTE ->
                        attributes(b, payload + RouteMessage.STRUCT_LENGTH, end, out, null);
                case Rtnetlink.RTM_NEWNEIGH, Rtnetlink.RTM_DELNEIGH, Rtnetlink.RTM_GETNEIGH ->
                        attributes(b, payload + NeighbourMessage.STRUCT_LENGTH, end, out, null);
                case Netlink.NLMSG_ERROR -> {
                    out.add(new LengthField(payload + 4, 4)); // the echoed request's nlmsg_len
                    int flags = Short.toUnsignedInt(b.getShort(offset + 6));
                    if ((flags & Netlink.NLM_F_ACK_TLVS) != 0) {
                        int echoed = (flags & Netlink.NLM_F_CAPPED) != 0 ? Netlink.HEADER_LENGTH : Netlink.align(b.getInt(payload + 4));
                        attributes(b, payload + 4 + echoed, end, out, null);
                    }
                }
                default -> { }
            }
            offset += Netlink.align(length);
        }
        return out;
    }

    private interface Nests {
        void walk(ByteBuffer b, int type, int valueStart, int valueEnd, List<LengthField> out);
    }

    private static void attributes(ByteBuffer b, int from, int end, List<LengthField> out, Nests nests) {
        int offset = from;
        while (offset + 4 <= end) {
            int length = Short.toUnsignedInt(b.getShort(offset));
            int type = Short.toUnsignedInt(b.getShort(offset + 2)) & Netlink.NLA_TYPE_MASK;
            out.add(new LengthField(offset, 2));
            if (nests != null) {
                nests.walk(b, type, offset + 4, offset + length, out);
            }
            offset += Netlink.align(length);
        }
    }

    private static void linkAttributes(ByteBuffer b, int from, int end, List<LengthField> out) {
        attributes(b, from, end, out, (buf, type, start, stop, o) -> {
            if (type == Rtnetlink.IFLA_AF_SPEC) {
                attributes(buf, start, stop, o, (buf2, t2, s2, e2, o2) -> attributes(buf2, s2, e2, o2, null));
            } else if (type == Rtnetlink.IFLA_LINKINFO) {
                String kind = Attributes.parse(buf.duplicate().limit(stop), start).string(Rtnetlink.IFLA_INFO_KIND);
                attributes(buf, start, stop, o, (buf2, t2, s2, e2, o2) -> {
                    if (t2 != Rtnetlink.IFLA_INFO_DATA) {
                        return;
                    }
                    if ("bridge".equals(kind) || "vxlan".equals(kind)) {
                        attributes(buf2, s2, e2, o2, null);
                    } else if ("veth".equals(kind)) {
                        attributes(buf2, s2, e2, o2, (buf3, t3, s3, e3, o3) -> {
                            if (t3 == Rtnetlink.VETH_INFO_PEER) {
                                linkAttributes(buf3, s3 + LinkMessage.STRUCT_LENGTH, e3, o3);
                            }
                        });
                    }
                });
            }
        });
    }
}
