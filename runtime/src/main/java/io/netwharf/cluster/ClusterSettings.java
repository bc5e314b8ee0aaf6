package io.netwharf.cluster;

import io.netwharf.network.overlay.OverlayFabric;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How a daemon joins a cluster ({@code --cluster-bind}, {@code --cluster-seed}, {@code --vxlan-port}): its own
 * address, which is also the local end of its VXLAN links, and the nodes it contacts first. Without seeds the node
 * starts a cluster of its own, which others join by naming it.
 */
public record ClusterSettings(String host, int port, List<String> seeds, int vxlanPort) {
    /** The actor system's name: a node joins only systems of the same name. */
    public static final String SYSTEM_NAME = "netwharf";
    public static final int DEFAULT_PORT = 25520;

    public ClusterSettings {
        seeds = List.copyOf(seeds);
    }

    /**
     * Checks the flags' values: {@code bind} is {@code ip[:port]} (an IPv4 address of this host, as VXLAN needs one),
     * each seed {@code ip[:port]}; the port defaults to 25520.
     */
    public static ClusterSettings parse(String bind, List<String> seeds, Integer vxlanPort) {
        String[] self = hostAndPort("--cluster-bind", bind);
        List<String> seedAddresses = new ArrayList<>();
        for (String seed : seeds) {
            String[] s = hostAndPort("--cluster-seed", seed);
            seedAddresses.add(s[0] + ":" + s[1]);
        }
        int vxlan = vxlanPort == null ? OverlayFabric.DEFAULT_VXLAN_PORT : vxlanPort;
        if (vxlan < 1 || vxlan > 65535) {
            throw new IllegalArgumentException("--vxlan-port: " + vxlan + " is not a UDP port (1 to 65535)");
        }
        return new ClusterSettings(self[0], Integer.parseInt(self[1]), seedAddresses, vxlan);
    }

    private static String[] hostAndPort(String flag, String value) {
        String[] parts = value.split(":", -1);
        if (parts.length > 2 || parts[0].isEmpty()) {
            throw new IllegalArgumentException(flag + ": \"" + value + "\" is not an IPv4 address with an optional port (10.0.0.1:25520)");
        }
        if (!parts[0].matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            throw new IllegalArgumentException(flag + ": \"" + parts[0] + "\" is not an IPv4 address (VXLAN's underlay is IPv4 here)");
        }
        try {
            InetAddress.getByName(parts[0]);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(flag + ": \"" + parts[0] + "\" is not an IPv4 address", e);
        }
        int port = DEFAULT_PORT;
        if (parts.length == 2) {
            try {
                port = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException(flag + ": \"" + parts[1] + "\" is not a TCP port (1 to 65535)");
            }
        }
        return new String[] {parts[0], Integer.toString(port)};
    }

    /**
     * What a netwharf node needs of Pekko Cluster beside its addresses, for an application that embeds netwharf in a
     * cluster of its own to lay over its configuration (the daemon's has them). Not in reference.conf: Pekko's own
     * reference.conf files, merged after netwharf's, would set them back.
     * <ul>
     * <li>the split brain resolver, keeping the majority: a node is treated as gone only once it is downed, and the
     * minority side of a partition downs itself;</li>
     * <li>subscribers of distributed data hear of a change within 5 ms (Pekko's default is 500 ms): the overlay
     * endpoints are there, and a container should be reachable from the other nodes a moment after it starts;</li>
     * <li>a node is marked unreachable after 10 s without heartbeats rather than 3 s: a busy host (a build on two cores,
     * a thousand containers starting) stalls that long, and on the majority side of a partition such a stall would
     * make the resolver down healthy nodes;</li>
     * <li>the first seed waits 10 s (not 5) for the other seeds to answer before it starts a cluster of its own: restarted
     * while the others run (after a crash, after a partition) on a busy host, it must join them, not split off. Not
     * longer: the same setting is how long another node waits before asking the seeds again when its first ask came
     * before any seed had a cluster (nodes started together), and at 30 s such nodes joined 30 s late;</li>
     * <li>no downing of every node when reachability keeps changing: on a busy two-core host (three daemons starting
     * hundreds of containers) late heartbeats look like flapping, and the resolver ended every daemon; it now waits
     * for the view to settle and keeps the majority.</li>
     * </ul>
     */
    public static Config clusterDefaults() {
        return ConfigFactory.parseMap(Map.of(
                "pekko.cluster.downing-provider-class", "org.apache.pekko.cluster.sbr.SplitBrainResolverProvider",
                "pekko.cluster.split-brain-resolver.active-strategy", "keep-majority",
                "pekko.cluster.distributed-data.notify-subscribers-interval", "5ms",
                "pekko.cluster.failure-detector.acceptable-heartbeat-pause", "10s",
                "pekko.cluster.seed-node-timeout", "10s",
                "pekko.cluster.split-brain-resolver.down-all-when-unstable", "off"), "netwharf's cluster defaults");
    }

    /** What the JVM needs for {@link #durableData} (lmdbjava's access to NIO buffers, on Java 17). */
    public static final List<String> LMDB_JVM_OPTIONS = List.of(
            "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED");

    /**
     * Keeps the cluster's overlay networks and address leases on disk too, in {@code directory} (Pekko's durable
     * distributed data, LMDB): every node writes its copy there as it changes and loads it when it starts. After every
     * node stopped at once, the lease keeper reads the leases again from a majority, those of a node not back yet
     * included, rather than rebuilding them from what the nodes that came back claim; and a network removed then
     * is removed from every node's copy. The endpoints are not kept: each node publishes its own again.
     */
    public static Config durableData(Path directory) {
        Module nio = ByteBuffer.class.getModule();
        Module self = ClusterSettings.class.getModule();
        if (!nio.isOpen("java.nio", self) || !nio.isOpen("sun.nio.ch", self)) {
            // Else the first write of the data would end the JVM (lmdbjava cannot reach NIO buffers' addresses).
            throw new IllegalStateException("a cluster node keeps its data on disk with LMDB, which needs the JVM options "
                    + String.join(" ", LMDB_JVM_OPTIONS) + " (netwharf's jar has them in its manifest for java -jar)");
        }
        return ConfigFactory.parseMap(Map.of(
                "pekko.cluster.distributed-data.durable.keys", List.of(LeaseKeeper.LEASES.id(), OverlayDirectory.NETWORKS.id()),
                "pekko.cluster.distributed-data.durable.lmdb.dir", directory.toString()), "netwharf's durable cluster data");
    }

    /**
     * The actor system's settings for this node: cluster provider, Artery over TCP on the bind address, the seeds
     * (itself when none), the VXLAN port, and {@link #clusterDefaults()}.
     */
    public Config pekkoConfig() {
        List<String> seedNodes = new ArrayList<>();
        for (String seed : seeds.isEmpty() ? List.of(host + ":" + port) : seeds) {
            seedNodes.add("pekko://" + SYSTEM_NAME + "@" + seed);
        }
        return ConfigFactory.parseMap(Map.of(
                "pekko.actor.provider", "cluster",
                "pekko.remote.artery.transport", "tcp",
                "pekko.remote.artery.canonical.hostname", host,
                "pekko.remote.artery.canonical.port", port,
                "pekko.cluster.seed-nodes", seedNodes,
                "netwharf.cluster.vxlan-port", vxlanPort), "cluster flags").withFallback(clusterDefaults());
    }
}
