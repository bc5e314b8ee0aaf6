package io.netwharf.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

/** Cluster nodes in the test's JVM, on 127.0.0.1 (Artery TCP): made as the daemon makes its own, from {@link ClusterSettings}. */
final class ClusterNodes {
    private ClusterNodes() {}

    /** A node on {@code port} that joins through {@code seedPort}, with {@code extra} settings over the daemon's. */
    static ActorSystem<Void> node(int port, int seedPort, Config extra) {
        ClusterSettings settings = ClusterSettings.parse("127.0.0.1:" + port, List.of("127.0.0.1:" + seedPort), null);
        return ActorSystem.create(Behaviors.empty(), ClusterSettings.SYSTEM_NAME,
                extra.withFallback(settings.pekkoConfig()).withFallback(ConfigFactory.load()));
    }

    static void awaitUp(ActorSystem<?> system, int members) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            long up = 0;
            for (Member m : Cluster.get(system).state().getMembers()) {
                if (m.status() == MemberStatus.up()) {
                    up++;
                }
            }
            if (up == members) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the cluster did not reach " + members + " members up");
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
