package io.netwharf.protocol.rtnetlink;

import io.netwharf.protocol.netlink.IpText;
import io.netwharf.protocol.netlink.AddressFamily;
import io.netwharf.protocol.netlink.Attributes;
import io.netwharf.protocol.netlink.MessageBody;
import io.netwharf.protocol.netlink.MessageWriter;
import io.netwharf.protocol.netlink.NetlinkFormatException;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An address message: struct ifaddrmsg and its attributes. For IPv4 the kernel keeps the interface's own address
 * in IFA_LOCAL and the peer (the same, on a broadcast link) in IFA_ADDRESS; {@link #ip()} gives the one that names
 * the interface's address for either family.
 */
public record AddressMessage(int family, int prefixLength, int flags, int scope, int index, InetAddress address,
                             InetAddress local, InetAddress broadcast, String label, Integer extendedFlags) implements MessageBody {

    static final int STRUCT_LENGTH = 8;

    /** The request body that adds {@code ip/prefixLength} to link {@code index}, with the broadcast address for IPv4. */
    public static AddressMessage of(int index, InetAddress ip, int prefixLength) {
        int family = AddressFamily.of(ip);
        if (prefixLength < 0 || prefixLength > AddressFamily.maxPrefixLength(family)) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is out of range for " + IpText.format(ip));
        }
        InetAddress broadcast = ip instanceof Inet4Address ? broadcastOf(ip, prefixLength) : null;
        return new AddressMessage(family, prefixLength, 0, Rtnetlink.RT_SCOPE_UNIVERSE, index, ip, ip, broadcast, null, null);
    }

    public InetAddress ip() {
        return local != null ? local : address;
    }

    private static InetAddress broadcastOf(InetAddress ip, int prefixLength) {
        byte[] b = ip.getAddress();
        int value = ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
        int hostMask = prefixLength == 32 ? 0 : -1 >>> prefixLength;
        int broadcast = value | hostMask;
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (broadcast >>> 24), (byte) (broadcast >>> 16), (byte) (broadcast >>> 8), (byte) broadcast});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void encode(MessageWriter w) {
        w.u8(family).u8(prefixLength).u8(flags).u8(scope).u32(index);
        if (local != null) w.attrAddress(Rtnetlink.IFA_LOCAL, local);
        if (address != null) w.attrAddress(Rtnetlink.IFA_ADDRESS, address);
        if (broadcast != null) w.attrAddress(Rtnetlink.IFA_BROADCAST, broadcast);
        if (label != null) w.attrString(Rtnetlink.IFA_LABEL, label);
        if (extendedFlags != null) w.attrU32(Rtnetlink.IFA_FLAGS, extendedFlags);
    }

    public static AddressMessage decode(ByteBuffer payload) {
        ByteBuffer p = payload.duplicate().order(ByteOrder.nativeOrder());
        if (p.remaining() < STRUCT_LENGTH) {
            throw new NetlinkFormatException("address message of " + p.remaining() + " bytes, shorter than ifaddrmsg (" + STRUCT_LENGTH + ")");
        }
        int base = p.position();
        int family = Byte.toUnsignedInt(p.get(base));
        Attributes a = Attributes.parse(p, base + STRUCT_LENGTH);
        return new AddressMessage(family, Byte.toUnsignedInt(p.get(base + 1)), Byte.toUnsignedInt(p.get(base + 2)),
                Byte.toUnsignedInt(p.get(base + 3)), p.getInt(base + 4),
                a.address(Rtnetlink.IFA_ADDRESS, family), a.address(Rtnetlink.IFA_LOCAL, family), a.address(Rtnetlink.IFA_BROADCAST, family),
                a.string(Rtnetlink.IFA_LABEL), a.u32(Rtnetlink.IFA_FLAGS));
    }
}
