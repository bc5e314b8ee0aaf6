package io.netwharf.kernel;

import io.netwharf.protocol.netlink.HardwareAddress;
import io.netwharf.protocol.rtnetlink.RouteMessage;
import io.netwharf.protocol.rtnetlink.Rtnetlink;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The netlink requests that put a namespace on a bridge through a veth pair, in two batches: one for the host side
 * (sent on the bridge's namespace socket) and one for the container side (sent on the container namespace's
 * socket). Unless the network carries IPv6, address generation is turned off on both ends before they carry
 * traffic: link-local autoconfiguration on veth ends floods multicast to every bridge port, which makes a thousand
 * containers on one bridge several times slower (the kernel benchmark's {@code --ipv6-link-local} shows by how
 * much). The undo of either batch is deleting the host end, which removes the pair; when the container goes for
 * good, deleting its namespace does the same for far less (the kernel frees dying namespaces' links in one batch).
 */
public final class VethEndpoint {
    private VethEndpoint() {}

    /**
     * Create the pair with the host end on the bridge (down) and the peer straight inside {@code netns}, then turn
     * address generation off on the host end and put {@code mark} ({@link LinkMarks#endpoint}; null: none) on it,
     * so that a restart knows the link for netwharf's. The host end goes up last: {@link #enableHostSide}.
     */
    public static List<NetlinkOperation> hostSide(String hostName, String peerName, Netns netns, String bridge, int bridgeIndex, Integer mtu,
                                                  HardwareAddress peerMac, boolean ipv6LinkLocal, String mark) {
        List<NetlinkOperation> operations = new ArrayList<>(3);
        operations.add(Links.createVethOnBridge(hostName, peerName, netns, mtu, peerMac, bridge, bridgeIndex));
        if (!ipv6LinkLocal) {
            operations.add(Links.setAddrGenMode(hostName, Rtnetlink.IN6_ADDR_GEN_MODE_NONE));
        }
        if (mark != null) {
            operations.add(Links.setAlias(hostName, mark));
        }
        return operations;
    }

    /** The last step, once the container side is up: the host end up, and the bridge port with it. */
    public static NetlinkOperation enableHostSide(String hostName) {
        return Links.setUp(hostName, true);
    }

    /**
     * Inside the namespace: rename the peer from the name it was created with to {@code interfaceName} (the
     * rename is where a clash with an interface already in the namespace shows), addrgen off, its address, up, and
     * the default route via {@code gateway} unless that is null (an internal network, or a second network).
     */
    public static List<NetlinkOperation> containerSide(String createdName, int peerIndex, String interfaceName, InetAddress address,
                                                       int prefixLength, InetAddress gateway, boolean ipv6LinkLocal) {
        List<NetlinkOperation> operations = new ArrayList<>(5);
        if (!createdName.equals(interfaceName)) {
            operations.add(Links.rename(peerIndex, createdName, interfaceName));
        }
        if (!ipv6LinkLocal) {
            operations.add(Links.setAddrGenMode(interfaceName, Rtnetlink.IN6_ADDR_GEN_MODE_NONE));
        }
        operations.add(Addresses.add(interfaceName, peerIndex, address, prefixLength));
        operations.add(Links.setUp(interfaceName, true));
        if (gateway != null) {
            operations.add(Routes.add(RouteMessage.defaultVia(gateway, peerIndex)));
        }
        return operations;
    }
}
