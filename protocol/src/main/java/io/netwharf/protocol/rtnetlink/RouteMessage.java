package io.netwharf.protocol.rtnetlink;

import io.netwharf.protocol.netlink.IpText;
import io.netwharf.protocol.netlink.AddressFamily;
import io.netwharf.protocol.netlink.Attributes;
import io.netwharf.protocol.netlink.MessageBody;
import io.netwharf.protocol.netlink.MessageWriter;
import io.netwharf.protocol.netlink.NetlinkFormatException;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A route message: struct rtmsg and its attributes. {@code table} is the full table id: sent as RTA_TABLE, and in
 * rtm_table too when it fits in a byte (the kernel reads RTA_TABLE first).
 */
public record RouteMessage(int family, int destinationLength, int sourceLength, int tos, int table, int protocol, int scope, int type,
                           int flags, InetAddress destination, InetAddress gateway, Integer outputInterface, Integer priority,
                           InetAddress preferredSource) implements MessageBody {

    static final int STRUCT_LENGTH = 12;

    /** The default route (0.0.0.0/0 or ::/0) via {@code gateway} out of link {@code index}, in the main table. */
    public static RouteMessage defaultVia(InetAddress gateway, int index) {
        return new RouteMessage(AddressFamily.of(gateway), 0, 0, 0, Rtnetlink.RT_TABLE_MAIN, Rtnetlink.RTPROT_BOOT,
                Rtnetlink.RT_SCOPE_UNIVERSE, Rtnetlink.RTN_UNICAST, 0, null, gateway, index, null, null);
    }

    /** A route to {@code destination/length} directly on link {@code index} (no gateway), in the main table. */
    public static RouteMessage onLink(InetAddress destination, int length, int index) {
        int family = AddressFamily.of(destination);
        if (length < 0 || length > AddressFamily.maxPrefixLength(family)) {
            throw new IllegalArgumentException("prefix length " + length + " is out of range for " + IpText.format(destination));
        }
        return new RouteMessage(family, length, 0, 0, Rtnetlink.RT_TABLE_MAIN, Rtnetlink.RTPROT_BOOT, Rtnetlink.RT_SCOPE_LINK,
                Rtnetlink.RTN_UNICAST, 0, destination, null, index, null, null);
    }

    /** The same route through {@code gateway} instead: a gatewayed route has universe scope. */
    public RouteMessage via(InetAddress gateway) {
        return new RouteMessage(family, destinationLength, sourceLength, tos, table, protocol, Rtnetlink.RT_SCOPE_UNIVERSE, type, flags,
                destination, gateway, outputInterface, priority, preferredSource);
    }

    public boolean isDefault() {
        return destinationLength == 0;
    }

    @Override
    public void encode(MessageWriter w) {
        w.u8(family).u8(destinationLength).u8(sourceLength).u8(tos).u8(Integer.compareUnsigned(table, 256) < 0 ? table : Rtnetlink.RT_TABLE_COMPAT)
                .u8(protocol).u8(scope).u8(type).u32(flags);
        w.attrU32(Rtnetlink.RTA_TABLE, table);
        if (destination != null) w.attrAddress(Rtnetlink.RTA_DST, destination);
        if (gateway != null) w.attrAddress(Rtnetlink.RTA_GATEWAY, gateway);
        if (outputInterface != null) w.attrU32(Rtnetlink.RTA_OIF, outputInterface);
        if (priority != null) w.attrU32(Rtnetlink.RTA_PRIORITY, priority);
        if (preferredSource != null) w.attrAddress(Rtnetlink.RTA_PREFSRC, preferredSource);
    }

    public static RouteMessage decode(ByteBuffer payload) {
        ByteBuffer p = payload.duplicate().order(ByteOrder.nativeOrder());
        if (p.remaining() < STRUCT_LENGTH) {
            throw new NetlinkFormatException("route message of " + p.remaining() + " bytes, shorter than rtmsg (" + STRUCT_LENGTH + ")");
        }
        int base = p.position();
        int family = Byte.toUnsignedInt(p.get(base));
        Attributes a = Attributes.parse(p, base + STRUCT_LENGTH);
        Integer tableAttribute = a.u32(Rtnetlink.RTA_TABLE);
        int table = tableAttribute != null ? tableAttribute : Byte.toUnsignedInt(p.get(base + 4));
        boolean carriesAddresses = family == AddressFamily.AF_INET || family == AddressFamily.AF_INET6;
        return new RouteMessage(family, Byte.toUnsignedInt(p.get(base + 1)), Byte.toUnsignedInt(p.get(base + 2)),
                Byte.toUnsignedInt(p.get(base + 3)), table, Byte.toUnsignedInt(p.get(base + 5)), Byte.toUnsignedInt(p.get(base + 6)),
                Byte.toUnsignedInt(p.get(base + 7)), p.getInt(base + 8),
                carriesAddresses ? a.address(Rtnetlink.RTA_DST, family) : null,
                carriesAddresses ? a.address(Rtnetlink.RTA_GATEWAY, family) : null,
                a.u32(Rtnetlink.RTA_OIF), a.u32(Rtnetlink.RTA_PRIORITY),
                carriesAddresses ? a.address(Rtnetlink.RTA_PREFSRC, family) : null);
    }
}
