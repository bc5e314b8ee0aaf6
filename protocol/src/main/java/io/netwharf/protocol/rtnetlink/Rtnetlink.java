package io.netwharf.protocol.rtnetlink;

/** Constants of rtnetlink (linux/rtnetlink.h, if_link.h, if_addr.h, veth.h, neighbour.h) that netwharf uses. */
public final class Rtnetlink {
    private Rtnetlink() {}

    public static final int NETLINK_ROUTE = 0;

    // Message types.
    public static final int RTM_NEWLINK = 16;
    public static final int RTM_DELLINK = 17;
    public static final int RTM_GETLINK = 18;
    public static final int RTM_SETLINK = 19;
    public static final int RTM_NEWADDR = 20;
    public static final int RTM_DELADDR = 21;
    public static final int RTM_GETADDR = 22;
    public static final int RTM_NEWROUTE = 24;
    public static final int RTM_DELROUTE = 25;
    public static final int RTM_GETROUTE = 26;
    public static final int RTM_NEWNEIGH = 28;
    public static final int RTM_DELNEIGH = 29;
    public static final int RTM_GETNEIGH = 30;

    // Link flags (ifi_flags, linux/if.h).
    public static final int IFF_UP = 0x1;
    public static final int IFF_BROADCAST = 0x2;
    public static final int IFF_LOOPBACK = 0x8;
    public static final int IFF_RUNNING = 0x40;
    public static final int IFF_MULTICAST = 0x1000;
    public static final int IFF_LOWER_UP = 0x10000;

    // Link attributes.
    public static final int IFLA_ADDRESS = 1;
    public static final int IFLA_BROADCAST = 2;
    public static final int IFLA_IFNAME = 3;
    public static final int IFLA_MTU = 4;
    public static final int IFLA_LINK = 5;
    public static final int IFLA_MASTER = 10;
    public static final int IFLA_TXQLEN = 13;
    public static final int IFLA_OPERSTATE = 16;
    public static final int IFLA_LINKINFO = 18;
    /** struct rtnl_link_stats64: the link's counters. */
    public static final int IFLA_STATS64 = 23;
    /** The link's alias (ip link's {@code alias}): a string of at most {@link #MAX_ALIAS_BYTES} bytes. */
    public static final int IFLA_IFALIAS = 20;
    public static final int IFLA_AF_SPEC = 26;
    public static final int IFLA_NET_NS_FD = 28;
    public static final int IFLA_CARRIER = 33;
    public static final int IFLA_LINK_NETNSID = 37;

    // Inside IFLA_LINKINFO.
    public static final int IFLA_INFO_KIND = 1;
    public static final int IFLA_INFO_DATA = 2;
    public static final int IFLA_INFO_SLAVE_KIND = 4;
    public static final int IFLA_INFO_SLAVE_DATA = 5;

    // Inside IFLA_INFO_SLAVE_DATA of a bridge's port.
    public static final int IFLA_BRPORT_MODE = 4;

    // Inside IFLA_INFO_DATA of a veth.
    public static final int VETH_INFO_PEER = 1;

    // Inside IFLA_INFO_DATA of a macvlan (IFLA_MACVLAN_MODE, u32) and of an ipvlan (IFLA_IPVLAN_MODE, u16).
    public static final int IFLA_MACVLAN_MODE = 1;
    public static final int MACVLAN_MODE_PRIVATE = 1;
    public static final int MACVLAN_MODE_VEPA = 2;
    public static final int MACVLAN_MODE_BRIDGE = 4;
    public static final int MACVLAN_MODE_PASSTHRU = 8;
    public static final int IFLA_IPVLAN_MODE = 1;
    public static final int IPVLAN_MODE_L2 = 0;
    public static final int IPVLAN_MODE_L3 = 1;

    // Inside IFLA_INFO_DATA of a vxlan (linux/if_link.h). IFLA_VXLAN_PORT is a u16 in network byte order.
    public static final int IFLA_VXLAN_ID = 1;
    public static final int IFLA_VXLAN_LOCAL = 4;
    public static final int IFLA_VXLAN_LEARNING = 7;
    public static final int IFLA_VXLAN_PROXY = 11;
    public static final int IFLA_VXLAN_PORT = 15;
    /** The VXLAN port IANA assigned (the kernel's own default is Linux's historical 8472). */
    public static final int VXLAN_PORT_IANA = 4789;

    // Inside IFLA_INFO_DATA of a bridge.
    public static final int IFLA_BR_FORWARD_DELAY = 1;
    public static final int IFLA_BR_AGEING_TIME = 4;
    public static final int IFLA_BR_STP_STATE = 5;
    public static final int IFLA_BR_PRIORITY = 6;
    public static final int IFLA_BR_VLAN_FILTERING = 7;
    public static final int IFLA_BR_MCAST_SNOOPING = 23;

    // Inside IFLA_AF_SPEC → AF_INET6.
    public static final int IFLA_INET6_ADDR_GEN_MODE = 8;
    public static final int IN6_ADDR_GEN_MODE_EUI64 = 0;
    public static final int IN6_ADDR_GEN_MODE_NONE = 1;

    // Operational states (IFLA_OPERSTATE).
    public static final int IF_OPER_UNKNOWN = 0;
    public static final int IF_OPER_DOWN = 2;
    public static final int IF_OPER_UP = 6;

    // Address attributes.
    public static final int IFA_ADDRESS = 1;
    public static final int IFA_LOCAL = 2;
    public static final int IFA_LABEL = 3;
    public static final int IFA_BROADCAST = 4;
    public static final int IFA_FLAGS = 8;
    public static final int IFA_F_PERMANENT = 0x80;
    public static final int IFA_F_NODAD = 0x02;

    // Route attributes.
    public static final int RTA_DST = 1;
    public static final int RTA_SRC = 2;
    public static final int RTA_OIF = 4;
    public static final int RTA_GATEWAY = 5;
    public static final int RTA_PRIORITY = 6;
    public static final int RTA_PREFSRC = 7;
    public static final int RTA_TABLE = 15;

    // Route tables.
    public static final int RT_TABLE_UNSPEC = 0;
    public static final int RT_TABLE_COMPAT = 252;
    public static final int RT_TABLE_MAIN = 254;
    public static final int RT_TABLE_LOCAL = 255;

    // Route protocols (who installed it).
    public static final int RTPROT_KERNEL = 2;
    public static final int RTPROT_BOOT = 3;
    public static final int RTPROT_STATIC = 4;

    // Route scopes.
    public static final int RT_SCOPE_UNIVERSE = 0;
    public static final int RT_SCOPE_LINK = 253;
    public static final int RT_SCOPE_HOST = 254;

    // Route types.
    public static final int RTN_UNICAST = 1;
    public static final int RTN_LOCAL = 2;
    public static final int RTN_BROADCAST = 3;

    // Neighbour attributes (linux/neighbour.h).
    public static final int NDA_DST = 1;
    public static final int NDA_LLADDR = 2;
    public static final int NDA_MASTER = 9;

    // Neighbour states (ndm_state, NUD_*): REACHABLE and PERMANENT are what a vxlan's fdb takes; a bridge's "static"
    // entry is NOARP (its PERMANENT means "local": delivered to the bridge itself).
    public static final int NUD_INCOMPLETE = 0x01;
    public static final int NUD_REACHABLE = 0x02;
    public static final int NUD_STALE = 0x04;
    public static final int NUD_NOARP = 0x40;
    public static final int NUD_PERMANENT = 0x80;

    // Neighbour flags (ndm_flags, NTF_*): whose table an AF_BRIDGE entry goes to, the port's own or its master's.
    public static final int NTF_SELF = 0x02;
    public static final int NTF_MASTER = 0x04;

    // Route flags.
    public static final int RTNH_F_ONLINK = 4;

    /** Linux's IFNAMSIZ less the terminating NUL. */
    public static final int MAX_INTERFACE_NAME_BYTES = 15;

    /** Linux's IFALIASZ less the terminating NUL. */
    public static final int MAX_ALIAS_BYTES = 255;
}
