package io.netwharf.protocol.rtnetlink;

import io.netwharf.protocol.netlink.AddressFamily;
import io.netwharf.protocol.netlink.Attributes;
import io.netwharf.protocol.netlink.HardwareAddress;
import io.netwharf.protocol.netlink.MessageBody;
import io.netwharf.protocol.netlink.MessageWriter;
import io.netwharf.protocol.netlink.NetlinkFormatException;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A neighbour message: struct ndmsg and its attributes, for RTM_NEWNEIGH, RTM_DELNEIGH and RTM_GETNEIGH. It serves
 * two tables: family AF_INET/AF_INET6 is the neighbour (ARP/NDP) table, IP → MAC; AF_BRIDGE is a forwarding
 * database (fdb), MAC → port, where a vxlan's own entries ({@link Rtnetlink#NTF_SELF}) carry the remote host's
 * address in NDA_DST. That address's family is not the message's, so in an AF_BRIDGE message it is read by size.
 *
 * @param family      AF_INET, AF_INET6 or AF_BRIDGE
 * @param index       ndm_ifindex, the link the entry belongs to
 * @param state       NUD_* (ndm_state, u16)
 * @param flags       NTF_* (ndm_flags, u8)
 * @param type        ndm_type (u8), an RTN_* route type; 0 in requests
 * @param destination NDA_DST: the IP address (neighbour table) or the remote host (a vxlan's fdb)
 * @param linkAddress NDA_LLADDR: the MAC
 * @param master      NDA_MASTER: the bridge's index, in a bridge's fdb entries
 */
public record NeighbourMessage(int family, int index, int state, int flags, int type, InetAddress destination,
                               HardwareAddress linkAddress, Integer master) implements MessageBody {

    static final int STRUCT_LENGTH = 12;

    /** The request body of a neighbour table entry, {@code ip} → {@code mac} on link {@code index}. */
    public static NeighbourMessage neighbour(int index, InetAddress ip, HardwareAddress mac, int state) {
        return new NeighbourMessage(AddressFamily.of(ip), index, state, 0, 0, ip, mac, null);
    }

    /** The request body of a forwarding entry, {@code mac} → ({@code remote}, or null: none) on link {@code index}. */
    public static NeighbourMessage forwarding(int index, HardwareAddress mac, InetAddress remote, int state, int flags) {
        return new NeighbourMessage(AddressFamily.AF_BRIDGE, index, state, flags, 0, remote, mac, null);
    }

    /** A dump request's body: every entry of {@code family} (0: all), on link {@code index} (0: all). */
    public static NeighbourMessage filter(int family, int index) {
        return new NeighbourMessage(family, index, 0, 0, 0, null, null, null);
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    @Override
    public void encode(MessageWriter w) {
        w.u8(family).u8(0).u16(0).u32(index).u16(state).u8(flags).u8(type);
        if (destination != null) w.attrAddress(Rtnetlink.NDA_DST, destination);
        if (linkAddress != null) w.attrBytes(Rtnetlink.NDA_LLADDR, linkAddress.bytes());
        if (master != null) w.attrU32(Rtnetlink.NDA_MASTER, master);
    }

    public static NeighbourMessage decode(ByteBuffer payload) {
        ByteBuffer p = payload.duplicate().order(ByteOrder.nativeOrder());
        if (p.remaining() < STRUCT_LENGTH) {
            throw new NetlinkFormatException("neighbour message of " + p.remaining() + " bytes, shorter than ndmsg (" + STRUCT_LENGTH + ")");
        }
        int base = p.position();
        int family = Byte.toUnsignedInt(p.get(base));
        Attributes a = Attributes.parse(p, base + STRUCT_LENGTH);
        byte[] mac = a.bytes(Rtnetlink.NDA_LLADDR);
        return new NeighbourMessage(family, p.getInt(base + 4), Short.toUnsignedInt(p.getShort(base + 8)),
                Byte.toUnsignedInt(p.get(base + 10)), Byte.toUnsignedInt(p.get(base + 11)), destination(a, family),
                mac == null ? null : HardwareAddress.of(mac), a.u32(Rtnetlink.NDA_MASTER));
    }

    private static InetAddress destination(Attributes a, int family) {
        if (family == AddressFamily.AF_INET || family == AddressFamily.AF_INET6) {
            return a.address(Rtnetlink.NDA_DST, family);
        }
        byte[] bytes = a.bytes(Rtnetlink.NDA_DST);
        if (bytes == null) {
            return null;
        }
        try {
            return switch (bytes.length) {
                case 4 -> InetAddress.getByAddress(bytes);
                // Inet6Address keeps ::ffff:a.b.c.d an IPv6 address, as Attributes.address does.
                case 16 -> Inet6Address.getByAddress(null, bytes, -1);
                default -> throw new NetlinkFormatException("NDA_DST holds " + bytes.length + " bytes, neither an IPv4 nor an IPv6 address");
            };
        } catch (UnknownHostException e) {
            throw new NetlinkFormatException("NDA_DST: " + e.getMessage());
        }
    }
}
