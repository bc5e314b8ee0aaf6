package io.netwharf.protocol.netlink;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/** The address families rtnetlink messages carry (linux/socket.h). */
public final class AddressFamily {
    private AddressFamily() {}

    public static final int AF_UNSPEC = 0;
    public static final int AF_INET = 2;
    public static final int AF_BRIDGE = 7;
    public static final int AF_INET6 = 10;
    public static final int AF_NETLINK = 16;

    public static int of(InetAddress address) {
        if (address instanceof Inet4Address) {
            return AF_INET;
        }
        if (address instanceof Inet6Address) {
            return AF_INET6;
        }
        throw new IllegalArgumentException("not an IP address: " + address);
    }

    public static int addressLength(int family) {
        return switch (family) {
            case AF_INET -> 4;
            case AF_INET6 -> 16;
            default -> throw new NetlinkFormatException("address family " + family + " carries no IP addresses");
        };
    }

    public static int maxPrefixLength(int family) {
        return addressLength(family) * 8;
    }
}
