package io.netwharf.protocol.rtnetlink;

import io.netwharf.protocol.netlink.AddressFamily;
import io.netwharf.protocol.netlink.Attributes;
import io.netwharf.protocol.netlink.HardwareAddress;
import io.netwharf.protocol.netlink.MessageBody;
import io.netwharf.protocol.netlink.MessageWriter;
import io.netwharf.protocol.netlink.NetlinkFormatException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A link message: struct ifinfomsg and the attributes netwharf reads or sets. The same type serves as request
 * (fields left null are not sent) and as a parsed reply (fields the kernel did not send are null).
 *
 * @param deviceType  ARPHRD_* (1 for Ethernet, 772 for loopback)
 * @param flags       IFF_* flags; with {@code change} the mask of flags a request changes
 * @param link        IFLA_LINK: the index of the link this one sits on (a macvlan's or ipvlan's parent)
 * @param netnsFd     IFLA_NET_NS_FD: in a request, the namespace to create or move the link in
 * @param addrGenMode IFLA_AF_SPEC → AF_INET6 → IFLA_INET6_ADDR_GEN_MODE
 * @param alias       IFLA_IFALIAS: the link's alias (ip link's {@code alias}), null when it has none; in a request, an empty
 *                    one removes it. The kernel ignores it in the request that creates a link: set it with a second one
 * @param hairpin     IFLA_LINKINFO → IFLA_INFO_SLAVE_DATA → IFLA_BRPORT_MODE of a bridge's port (with slave kind
 *                    {@code bridge}): whether the bridge may send a frame back out of the port it came from. Only sent
 *                    in requests; the kernel takes it for a port that exists, not in the request that creates it
 */
public record LinkMessage(int family, int deviceType, int index, int flags, int change, String name, Integer mtu,
                          HardwareAddress address, Integer link, Integer master, Integer operState, Integer netnsFd, Integer linkNetnsId,
                          Integer addrGenMode, String kind, String slaveKind, LinkData data, String alias,
                          Boolean hairpin) implements MessageBody {

    static final int STRUCT_LENGTH = 16;

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public boolean isUp() {
        return (flags & Rtnetlink.IFF_UP) != 0;
    }

    @Override
    public void encode(MessageWriter w) {
        w.u8(family).u8(0).u16(deviceType).u32(index).u32(flags).u32(change);
        if (name != null) w.attrString(Rtnetlink.IFLA_IFNAME, name);
        if (mtu != null) w.attrU32(Rtnetlink.IFLA_MTU, mtu);
        if (address != null) w.attrBytes(Rtnetlink.IFLA_ADDRESS, address.bytes());
        if (link != null) w.attrU32(Rtnetlink.IFLA_LINK, link);
        if (master != null) w.attrU32(Rtnetlink.IFLA_MASTER, master);
        if (operState != null) w.attrU8(Rtnetlink.IFLA_OPERSTATE, operState);
        if (netnsFd != null) w.attrU32(Rtnetlink.IFLA_NET_NS_FD, netnsFd);
        if (linkNetnsId != null) w.attrU32(Rtnetlink.IFLA_LINK_NETNSID, linkNetnsId);
        if (addrGenMode != null) {
            int spec = w.beginNested(Rtnetlink.IFLA_AF_SPEC);
            int inet6 = w.beginNested(AddressFamily.AF_INET6);
            w.attrU8(Rtnetlink.IFLA_INET6_ADDR_GEN_MODE, addrGenMode);
            w.endNested(inet6);
            w.endNested(spec);
        }
        if (kind != null || slaveKind != null || data != null || hairpin != null) {
            int info = w.beginNested(Rtnetlink.IFLA_LINKINFO);
            if (kind != null) w.attrString(Rtnetlink.IFLA_INFO_KIND, kind);
            if (data != null) {
                int nest = w.beginNested(Rtnetlink.IFLA_INFO_DATA);
                data.encode(w);
                w.endNested(nest);
            }
            if (slaveKind != null) w.attrString(Rtnetlink.IFLA_INFO_SLAVE_KIND, slaveKind);
            if (hairpin != null) {
                int slave = w.beginNested(Rtnetlink.IFLA_INFO_SLAVE_DATA);
                w.attrU8(Rtnetlink.IFLA_BRPORT_MODE, hairpin ? 1 : 0);
                w.endNested(slave);
            }
            w.endNested(info);
        }
        // Without the NUL, as iproute2 sends it: this kernel counts a NUL against the alias' 255 bytes. Empty: no alias.
        if (alias != null) w.attrBytes(Rtnetlink.IFLA_IFALIAS, alias.getBytes(StandardCharsets.UTF_8));
    }

    /** Decodes the payload of an RTM_NEWLINK (or of a veth peer). */
    public static LinkMessage decode(ByteBuffer payload) {
        ByteBuffer p = payload.duplicate().order(ByteOrder.nativeOrder());
        if (p.remaining() < STRUCT_LENGTH) {
            throw new NetlinkFormatException("link message of " + p.remaining() + " bytes, shorter than ifinfomsg (" + STRUCT_LENGTH + ")");
        }
        int base = p.position();
        Attributes a = Attributes.parse(p, base + STRUCT_LENGTH);
        byte[] mac = a.bytes(Rtnetlink.IFLA_ADDRESS);
        Attributes info = a.nested(Rtnetlink.IFLA_LINKINFO);
        String kind = info.string(Rtnetlink.IFLA_INFO_KIND);
        return new LinkMessage(
                Byte.toUnsignedInt(p.get(base)), Short.toUnsignedInt(p.getShort(base + 2)), p.getInt(base + 4), p.getInt(base + 8),
                p.getInt(base + 12),
                a.string(Rtnetlink.IFLA_IFNAME), a.u32(Rtnetlink.IFLA_MTU), mac == null ? null : HardwareAddress.of(mac),
                a.u32(Rtnetlink.IFLA_LINK), a.u32(Rtnetlink.IFLA_MASTER), a.u8(Rtnetlink.IFLA_OPERSTATE), a.u32(Rtnetlink.IFLA_NET_NS_FD),
                a.u32(Rtnetlink.IFLA_LINK_NETNSID),
                a.nested(Rtnetlink.IFLA_AF_SPEC).nested(AddressFamily.AF_INET6).u8(Rtnetlink.IFLA_INET6_ADDR_GEN_MODE),
                kind, info.string(Rtnetlink.IFLA_INFO_SLAVE_KIND), LinkData.decode(kind, info), a.string(Rtnetlink.IFLA_IFALIAS),
                null);
    }

    /** Builds link messages field by field; everything starts unset (zero or null). */
    public static final class Builder {
        private int family;
        private int deviceType;
        private int index;
        private int flags;
        private int change;
        private String name;
        private Integer mtu;
        private HardwareAddress address;
        private Integer link;
        private Integer master;
        private Integer operState;
        private Integer netnsFd;
        private Integer linkNetnsId;
        private Integer addrGenMode;
        private String kind;
        private String slaveKind;
        private LinkData data;
        private String alias;
        private Boolean hairpin;

        private Builder() {}

        private Builder(LinkMessage m) {
            family = m.family; deviceType = m.deviceType; index = m.index; flags = m.flags; change = m.change; name = m.name;
            mtu = m.mtu; address = m.address; link = m.link; master = m.master; operState = m.operState; netnsFd = m.netnsFd;
            linkNetnsId = m.linkNetnsId; addrGenMode = m.addrGenMode; kind = m.kind; slaveKind = m.slaveKind; data = m.data;
            alias = m.alias; hairpin = m.hairpin;
        }

        public Builder family(int v) { family = v; return this; }
        public Builder deviceType(int v) { deviceType = v; return this; }
        public Builder index(int v) { index = v; return this; }
        public Builder flags(int v) { flags = v; return this; }
        public Builder change(int v) { change = v; return this; }
        public Builder name(String v) { name = v; return this; }
        public Builder mtu(Integer v) { mtu = v; return this; }
        public Builder address(HardwareAddress v) { address = v; return this; }
        public Builder link(Integer v) { link = v; return this; }
        public Builder master(Integer v) { master = v; return this; }
        public Builder operState(Integer v) { operState = v; return this; }
        public Builder netnsFd(Integer v) { netnsFd = v; return this; }
        public Builder linkNetnsId(Integer v) { linkNetnsId = v; return this; }
        public Builder addrGenMode(Integer v) { addrGenMode = v; return this; }
        public Builder kind(String v) { kind = v; return this; }
        public Builder slaveKind(String v) { slaveKind = v; return this; }
        public Builder data(LinkData v) { data = v; return this; }
        public Builder alias(String v) { alias = v; return this; }
        public Builder hairpin(Boolean v) { hairpin = v; return this; }

        /** Sets IFF_UP (and marks it changed). */
        public Builder up(boolean up) {
            flags = up ? flags | Rtnetlink.IFF_UP : flags & ~Rtnetlink.IFF_UP;
            change |= Rtnetlink.IFF_UP;
            return this;
        }

        public LinkMessage build() {
            return new LinkMessage(family, deviceType, index, flags, change, name, mtu, address, link, master, operState, netnsFd, linkNetnsId,
                    addrGenMode, kind, slaveKind, data, alias, hairpin);
        }
    }
}
