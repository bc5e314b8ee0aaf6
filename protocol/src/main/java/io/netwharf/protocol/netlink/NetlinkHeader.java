package io.netwharf.protocol.netlink;

/** struct nlmsghdr: the 16 bytes in front of every netlink message. */
public record NetlinkHeader(int length, int type, int flags, int sequence, int portId) {

    public boolean has(int flag) {
        return (flags & flag) == flag;
    }
}
