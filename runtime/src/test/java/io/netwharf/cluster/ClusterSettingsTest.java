package io.netwharf.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cluster flags: what they become in Pekko's settings, and the refusals that name the flag. No root needed. */
class ClusterSettingsTest {
    @Test
    void bindAndSeedsBecomeArteryAndSeedNodesWithDefaultPorts() {
        ClusterSettings settings = ClusterSettings.parse("10.99.0.2", List.of("10.99.0.1", "10.99.0.3:2600"), null);
        Config config = settings.pekkoConfig();
        assertEquals("cluster", config.getString("pekko.actor.provider"));
        assertEquals("tcp", config.getString("pekko.remote.artery.transport"));
        assertEquals("10.99.0.2", config.getString("pekko.remote.artery.canonical.hostname"));
        assertEquals(25520, config.getInt("pekko.remote.artery.canonical.port"));
        assertEquals(List.of("pekko://netwharf@10.99.0.1:25520", "pekko://netwharf@10.99.0.3:2600"),
                config.getStringList("pekko.cluster.seed-nodes"));
        assertEquals(4789, config.getInt("netwharf.cluster.vxlan-port"));
        // Laid over Pekko's reference.conf, which would otherwise switch the resolver off.
        Config effective = config.withFallback(ConfigFactory.load());
        assertEquals("org.apache.pekko.cluster.sbr.SplitBrainResolverProvider", effective.getString("pekko.cluster.downing-provider-class"));
        assertEquals("keep-majority", effective.getString("pekko.cluster.split-brain-resolver.active-strategy"));
        assertEquals(Duration.ofMillis(5), effective.getDuration("pekko.cluster.distributed-data.notify-subscribers-interval"));
    }

    @Test
    void withoutSeedsTheNodeStartsAClusterOfItsOwn() {
        Config config = ClusterSettings.parse("10.99.0.1:2551", List.of(), 4790).pekkoConfig();
        assertEquals(List.of("pekko://netwharf@10.99.0.1:2551"), config.getStringList("pekko.cluster.seed-nodes"));
        assertEquals(4790, config.getInt("netwharf.cluster.vxlan-port"));
    }

    @Test
    void badValuesAreRefusedNamingTheFlag() {
        assertTrue(refusal("node1", List.of(), null).startsWith("--cluster-bind: \"node1\" is not an IPv4 address"));
        assertTrue(refusal("10.0.0.1:99999", List.of(), null).startsWith("--cluster-bind: \"99999\" is not a TCP port"));
        assertTrue(refusal("10.0.0.1", List.of("::1"), null).startsWith("--cluster-seed:"));
        assertTrue(refusal("10.0.0.1", List.of(), 0).startsWith("--vxlan-port: 0 is not a UDP port"));
    }

    /**
     * The networks and leases go to LMDB only in a JVM that lets lmdbjava reach NIO buffers (the jar's manifest, or the
     * options); without, the daemon is refused at start rather than ended by the first write. Surefire's JVM here has
     * no such options, so this checks the refusal; given them, it checks the settings.
     */
    @Test
    void durableDataNeedsTheJvmOptionsForLmdb() {
        Path directory = Path.of("/var/lib/netwharf/cluster-data");
        if (ByteBuffer.class.getModule().isOpen("java.nio", ClusterSettings.class.getModule())) {
            Config config = ClusterSettings.durableData(directory);
            assertEquals(List.of("netwharf-address-leases", "netwharf-overlay-networks"),
                    config.getStringList("pekko.cluster.distributed-data.durable.keys"));
            assertEquals(directory.toString(), config.getString("pekko.cluster.distributed-data.durable.lmdb.dir"));
        } else {
            String message = assertThrows(IllegalStateException.class, () -> ClusterSettings.durableData(directory)).getMessage();
            assertTrue(message.contains("--add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED"), message);
        }
    }

    private static String refusal(String bind, List<String> seeds, Integer vxlanPort) {
        return assertThrows(IllegalArgumentException.class, () -> ClusterSettings.parse(bind, seeds, vxlanPort)).getMessage();
    }
}
