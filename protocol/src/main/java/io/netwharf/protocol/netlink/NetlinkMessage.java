package io.netwharf.protocol.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * One message as received: its header and a read-only view of its payload (the bytes after the header,
 * up to the header's length). Typed decoders ({@code LinkMessage.decode} and friends) read the payload.
 */
public record NetlinkMessage(NetlinkHeader header, ByteBuffer payload) {

    public int type() {
        return header.type();
    }

    /**
     * Splits one datagram into its messages. Every length is checked against what is really there, so a lying
     * or truncated message raises {@link NetlinkFormatException} instead of reading past the end or looping.
     */
    public static List<NetlinkMessage> parseAll(ByteBuffer datagram) {
        ByteBuffer in = datagram.slice().order(ByteOrder.nativeOrder());
        List<NetlinkMessage> messages = new ArrayList<>(4);
        int offset = 0;
        int end = in.limit();
        while (end - offset > 0) {
            if (end - offset < Netlink.HEADER_LENGTH) {
                throw new NetlinkFormatException("truncated netlink header: " + (end - offset) + " bytes at offset " + offset);
            }
            int length = in.getInt(offset);
            if (length < Netlink.HEADER_LENGTH) {
                throw new NetlinkFormatException("netlink message at offset " + offset + " claims length " + Integer.toUnsignedString(length)
                        + ", less than its own header");
            }
            if (length > end - offset) {
                throw new NetlinkFormatException("netlink message at offset " + offset + " claims length " + length + " but only "
                        + (end - offset) + " bytes remain");
            }
            NetlinkHeader header = new NetlinkHeader(length, Short.toUnsignedInt(in.getShort(offset + 4)),
                    Short.toUnsignedInt(in.getShort(offset + 6)), in.getInt(offset + 8), in.getInt(offset + 12));
            ByteBuffer payload = in.slice(offset + Netlink.HEADER_LENGTH, length - Netlink.HEADER_LENGTH)
                    .asReadOnlyBuffer().order(ByteOrder.nativeOrder());
            messages.add(new NetlinkMessage(header, payload));
            // The last message of a datagram may lack its padding; never step past the end.
            offset = Math.min(end, offset + Netlink.align(length));
        }
        return messages;
    }
}
