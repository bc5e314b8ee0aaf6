package io.netwharf.protocol.netlink;

/** Bytes that are not a well-formed netlink message: truncated, a length that lies, a field of the wrong size. */
public final class NetlinkFormatException extends RuntimeException {
    public NetlinkFormatException(String message) {
        super(message);
    }
}
