package io.netwharf.protocol.rtnetlink;

import io.netwharf.protocol.netlink.AddressFamily;
import io.netwharf.protocol.netlink.Attributes;
import io.netwharf.protocol.netlink.IpText;
import io.netwharf.protocol.netlink.MessageWriter;
import io.netwharf.protocol.netlink.NetlinkFormatException;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;

/** The kind-specific part of IFLA_LINKINFO (IFLA_INFO_DATA). */
public sealed interface LinkData permits LinkData.Bridge, LinkData.Veth, LinkData.Macvlan, LinkData.Ipvlan, LinkData.Vxlan,
        LinkData.Opaque {

    void encode(MessageWriter writer);

    static LinkData decode(String kind, Attributes linkInfo) {
        if (!linkInfo.has(Rtnetlink.IFLA_INFO_DATA)) {
            return null;
        }
        return switch (kind == null ? "" : kind) {
            case "bridge" -> Bridge.decode(linkInfo.nested(Rtnetlink.IFLA_INFO_DATA));
            case "veth" -> Veth.decode(linkInfo.nested(Rtnetlink.IFLA_INFO_DATA));
            case "macvlan" -> new Macvlan(linkInfo.nested(Rtnetlink.IFLA_INFO_DATA).u32(Rtnetlink.IFLA_MACVLAN_MODE));
            case "ipvlan" -> new Ipvlan(linkInfo.nested(Rtnetlink.IFLA_INFO_DATA).u16(Rtnetlink.IFLA_IPVLAN_MODE));
            case "vxlan" -> Vxlan.decode(linkInfo.nested(Rtnetlink.IFLA_INFO_DATA));
            default -> new Opaque(linkInfo.bytes(Rtnetlink.IFLA_INFO_DATA));
        };
    }

    /**
     * Bridge options a container bridge needs; null leaves the kernel's default. Times are in the kernel's clock_t
     * (hundredths of a second).
     */
    record Bridge(Integer stpState, Integer forwardDelay, Integer ageingTime, Integer priority, Integer vlanFiltering,
                  Integer multicastSnooping) implements LinkData {

        /**
         * STP off and no forwarding delay, so a new port forwards at once, as container engines configure it.
         * VLAN filtering is left alone: it is off by default, and kernels built without it refuse the attribute.
         */
        public static Bridge forContainers() {
            return new Bridge(0, 0, null, null, null, null);
        }

        @Override
        public void encode(MessageWriter w) {
            if (forwardDelay != null) w.attrU32(Rtnetlink.IFLA_BR_FORWARD_DELAY, forwardDelay);
            if (ageingTime != null) w.attrU32(Rtnetlink.IFLA_BR_AGEING_TIME, ageingTime);
            if (stpState != null) w.attrU32(Rtnetlink.IFLA_BR_STP_STATE, stpState);
            if (priority != null) w.attrU16(Rtnetlink.IFLA_BR_PRIORITY, priority);
            if (vlanFiltering != null) w.attrU8(Rtnetlink.IFLA_BR_VLAN_FILTERING, vlanFiltering);
            if (multicastSnooping != null) w.attrU8(Rtnetlink.IFLA_BR_MCAST_SNOOPING, multicastSnooping);
        }

        static Bridge decode(Attributes a) {
            return new Bridge(a.u32(Rtnetlink.IFLA_BR_STP_STATE), a.u32(Rtnetlink.IFLA_BR_FORWARD_DELAY), a.u32(Rtnetlink.IFLA_BR_AGEING_TIME),
                    a.u16(Rtnetlink.IFLA_BR_PRIORITY), a.u8(Rtnetlink.IFLA_BR_VLAN_FILTERING), a.u8(Rtnetlink.IFLA_BR_MCAST_SNOOPING));
        }
    }

    /** A veth's peer: a whole ifinfomsg and its attributes, as in the request that creates the pair. */
    record Veth(LinkMessage peer) implements LinkData {
        @Override
        public void encode(MessageWriter w) {
            if (peer != null) {
                int nest = w.beginNested(Rtnetlink.VETH_INFO_PEER);
                peer.encode(w);
                w.endNested(nest);
            }
        }

        static Veth decode(Attributes a) {
            var peer = a.value(Rtnetlink.VETH_INFO_PEER);
            return new Veth(peer == null ? null : LinkMessage.decode(peer));
        }
    }

    /** A macvlan's mode: {@link Rtnetlink#MACVLAN_MODE_BRIDGE} and the others; null leaves the kernel's (vepa). */
    record Macvlan(Integer mode) implements LinkData {
        @Override
        public void encode(MessageWriter w) {
            if (mode != null) w.attrU32(Rtnetlink.IFLA_MACVLAN_MODE, mode);
        }
    }

    /** An ipvlan's mode: {@link Rtnetlink#IPVLAN_MODE_L2} or {@link Rtnetlink#IPVLAN_MODE_L3}; null leaves the kernel's (l3). */
    record Ipvlan(Integer mode) implements LinkData {
        @Override
        public void encode(MessageWriter w) {
            if (mode != null) w.attrU16(Rtnetlink.IFLA_IPVLAN_MODE, mode);
        }
    }

    /**
     * A vxlan's options, as an overlay network sets them; null leaves the kernel's default (or, decoded, the kernel did
     * not send it). A dump carries more (TTL, ageing, checksums...): only these are read back.
     *
     * @param vni      IFLA_VXLAN_ID, the VXLAN network identifier (24 bits)
     * @param local    IFLA_VXLAN_LOCAL, the IPv4 source address of the encapsulated packets (this host's underlay address)
     * @param port     IFLA_VXLAN_PORT, the UDP destination port (sent in network byte order)
     * @param learning IFLA_VXLAN_LEARNING: whether the link learns remote MACs from the packets it receives
     * @param proxy    IFLA_VXLAN_PROXY: whether the link answers ARP requests itself, from its neighbour table
     */
    record Vxlan(Integer vni, InetAddress local, Integer port, Boolean learning, Boolean proxy) implements LinkData {
        public static final int MAX_VNI = (1 << 24) - 1;

        public Vxlan {
            if (vni != null && (vni < 0 || vni > MAX_VNI)) {
                throw new IllegalArgumentException("VXLAN network identifier " + Integer.toUnsignedString(vni) + " is out of range 0.." + MAX_VNI);
            }
            if (local != null && !(local instanceof Inet4Address)) {
                throw new IllegalArgumentException("VXLAN local address " + IpText.format(local) + " is not IPv4");
            }
            if (port != null && (port < 0 || port > 0xffff)) {
                throw new IllegalArgumentException("VXLAN UDP port " + port + " is out of range 0..65535");
            }
        }

        /** An overlay's link: learning off, ARP answered from the neighbour table, sending from {@code local}. */
        public static Vxlan forOverlay(int vni, InetAddress local, int port) {
            return new Vxlan(vni, local, port, false, true);
        }

        @Override
        public void encode(MessageWriter w) {
            if (vni != null) w.attrU32(Rtnetlink.IFLA_VXLAN_ID, vni);
            if (local != null) w.attrAddress(Rtnetlink.IFLA_VXLAN_LOCAL, local);
            if (port != null) w.attrBytes(Rtnetlink.IFLA_VXLAN_PORT, new byte[] {(byte) (port >>> 8), (byte) (int) port});
            if (learning != null) w.attrU8(Rtnetlink.IFLA_VXLAN_LEARNING, learning ? 1 : 0);
            if (proxy != null) w.attrU8(Rtnetlink.IFLA_VXLAN_PROXY, proxy ? 1 : 0);
        }

        static Vxlan decode(Attributes a) {
            byte[] port = a.bytes(Rtnetlink.IFLA_VXLAN_PORT);
            if (port != null && port.length != 2) {
                throw new NetlinkFormatException("IFLA_VXLAN_PORT holds " + port.length + " bytes, expected 2");
            }
            Integer vni = a.u32(Rtnetlink.IFLA_VXLAN_ID);
            if (vni != null && (vni < 0 || vni > MAX_VNI)) {
                throw new NetlinkFormatException("IFLA_VXLAN_ID " + Integer.toUnsignedString(vni) + " is beyond 24 bits");
            }
            Integer learning = a.u8(Rtnetlink.IFLA_VXLAN_LEARNING);
            Integer proxy = a.u8(Rtnetlink.IFLA_VXLAN_PROXY);
            return new Vxlan(vni, a.address(Rtnetlink.IFLA_VXLAN_LOCAL, AddressFamily.AF_INET),
                    port == null ? null : (port[0] & 0xff) << 8 | (port[1] & 0xff),
                    learning == null ? null : learning != 0, proxy == null ? null : proxy != 0);
        }
    }

    /** Data of a kind this codec does not model, kept as bytes. */
    record Opaque(byte[] bytes) implements LinkData {
        public Opaque {
            bytes = bytes.clone();
        }

        @Override
        public void encode(MessageWriter w) {
            // Raw attributes, written back as they came.
            w.raw(bytes);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Opaque other && Arrays.equals(bytes, other.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Opaque[" + bytes.length + " bytes]";
        }
    }
}
