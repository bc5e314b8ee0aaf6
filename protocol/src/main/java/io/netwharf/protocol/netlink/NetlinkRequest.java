package io.netwharf.protocol.netlink;

/**
 * One request to send: message type, flags (NLM_F_REQUEST is always added) and body. The sequence number and
 * port id are the socket's to assign when it sends.
 */
public record NetlinkRequest(int type, int flags, MessageBody body) {

    public int encode(MessageWriter writer, int sequence, int portId) {
        int start = writer.beginMessage(type, flags | Netlink.NLM_F_REQUEST, sequence, portId);
        body.encode(writer);
        writer.endMessage(start);
        return start;
    }
}
