package io.netwharf.bench;

import io.netwharf.kernel.Addresses;
import io.netwharf.kernel.Links;
import io.netwharf.kernel.NamespaceThreads;
import io.netwharf.kernel.NetlinkSocket;
import io.netwharf.kernel.Netns;
import io.netwharf.kernel.NetnsDirectory;
import io.netwharf.protocol.rtnetlink.LinkData;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Hosts for a cluster benchmark: network namespaces {@code host1..N} (bind-mounted under a folder, so a daemon runs
 * in one with {@code nsenter --net=}), each with link {@code ul0} at 10.99.0.i/24, all on the bridge {@code under0}
 * in the calling (throwaway sandbox) namespace. Cluster and VXLAN traffic stay between these namespaces. Closing
 * deletes the hosts' namespaces (their veths go with them) and the bridge.
 */
final class ClusterUnderlay implements AutoCloseable {
    private static final String BRIDGE = "under0";
    private final NamespaceThreads threads;
    private final NetnsDirectory netns;
    private final NetlinkSocket own;
    private final List<String> hosts = new ArrayList<>();

    private ClusterUnderlay(NamespaceThreads threads, NetnsDirectory netns, NetlinkSocket own) {
        this.threads = threads;
        this.netns = netns;
        this.own = own;
    }

    static ClusterUnderlay create(Path directory, int count) throws Exception {
        NamespaceThreads threads = new NamespaceThreads("cluster-netns", 1);
        ClusterUnderlay underlay = new ClusterUnderlay(threads, new NetnsDirectory(directory, threads), NetlinkSocket.open());
        try {
            underlay.own.executeAll(List.of(Links.setUp("lo", true), Links.createBridge(BRIDGE, null, null, LinkData.Bridge.forContainers()),
                    Links.setUp(BRIDGE, true)));
            int bridge = new Links(underlay.own).get(BRIDGE).index();
            for (int i = 1; i <= count; i++) {
                String name = "host" + i;
                underlay.hosts.add(name);
                try (Netns host = underlay.netns.create(name); NetlinkSocket inHost = underlay.netns.openSocket(host)) {
                    String port = "ul" + i;
                    underlay.own.execute(Links.createVeth(port, "ul0", host, null, null));
                    underlay.own.executeAll(List.of(Links.setMaster(port, BRIDGE, bridge), Links.setUp(port, true)));
                    int index = new Links(inHost).get("ul0").index();
                    inHost.executeAll(List.of(Links.setUp("lo", true), Addresses.add("ul0", index, InetAddress.getByName(address(i)), 24),
                            Links.setUp("ul0", true)));
                }
            }
            return underlay;
        } catch (Exception | Error e) {
            underlay.close();
            throw e;
        }
    }

    /** Host i's underlay address (i from 1). */
    static String address(int i) {
        return "10.99.0." + i;
    }

    /** The bind mount of host i's network namespace. */
    Path netns(int i) {
        return netns.pathOf("host" + i);
    }

    @Override
    public void close() {
        for (String host : hosts) {
            netns.delete(host);
        }
        own.close();
        threads.close();
    }
}
