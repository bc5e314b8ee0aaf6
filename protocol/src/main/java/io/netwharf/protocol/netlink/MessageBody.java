package io.netwharf.protocol.netlink;

/** What follows a netlink header: a fixed structure and its attributes. */
public interface MessageBody {
    void encode(MessageWriter writer);
}
