package io.netwharf.protocol.netlink;

import java.nio.ByteBuffer;

/**
 * The payload of an NLMSG_ERROR message: the kernel's answer to a request sent with NLM_F_ACK.
 * {@code errno} is 0 for success, else the positive error number; {@code message} is the extended-ACK text
 * (NETLINK_EXT_ACK) when the kernel gave one, else null.
 *
 * @param requestHeader the header of the request this answers, as the kernel echoed it
 */
public record NetlinkAck(int errno, String message, Integer attributeOffset, NetlinkHeader requestHeader) {

    public boolean ok() {
        return errno == 0;
    }

    /** Decodes NLMSG_ERROR: int error; struct nlmsghdr msg; [original payload unless capped]; [extended ACK TLVs]. */
    public static NetlinkAck decode(NetlinkMessage message) {
        if (message.type() != Netlink.NLMSG_ERROR) {
            throw new IllegalArgumentException("not an NLMSG_ERROR message: type " + message.type());
        }
        ByteBuffer p = message.payload();
        if (p.remaining() < 4 + Netlink.HEADER_LENGTH) {
            throw new NetlinkFormatException("NLMSG_ERROR payload of " + p.remaining() + " bytes, needs at least " + (4 + Netlink.HEADER_LENGTH));
        }
        int error = p.getInt(0);
        int requestLength = p.getInt(4);
        NetlinkHeader request = new NetlinkHeader(requestLength, Short.toUnsignedInt(p.getShort(8)), Short.toUnsignedInt(p.getShort(10)),
                p.getInt(12), p.getInt(16));
        String text = null;
        Integer offset = null;
        NetlinkHeader outer = message.header();
        if (outer.has(Netlink.NLM_F_ACK_TLVS)) {
            // Without NLM_F_CAPPED the whole request is echoed before the TLVs.
            int echoed = outer.has(Netlink.NLM_F_CAPPED) ? Netlink.HEADER_LENGTH : Netlink.align(requestLength);
            int tlvStart = 4 + echoed;
            // Compared without adding, so an echoed length near 2^31 cannot wrap tlvStart negative.
            if (echoed < Netlink.HEADER_LENGTH || echoed > p.limit() - 4) {
                throw new NetlinkFormatException("NLMSG_ERROR echoes a request of " + requestLength + " bytes but carries only " + p.limit());
            }
            Attributes tlvs = Attributes.parse(p, tlvStart);
            text = tlvs.string(Netlink.NLMSGERR_ATTR_MSG);
            offset = tlvs.u32(Netlink.NLMSGERR_ATTR_OFFS);
        }
        // The kernel sends the negated errno; take the magnitude so either convention reads the same.
        return new NetlinkAck(Math.abs(error), text, offset, request);
    }
}
