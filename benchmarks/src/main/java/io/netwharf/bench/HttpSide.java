package io.netwharf.bench;

import io.netwharf.bench.stress.DaemonProcess;
import io.netwharf.bench.stress.Progress;
import io.netwharf.bench.stress.StressResult;
import io.netwharf.bench.stress.StressRun;
import io.netwharf.bench.stress.StressSettings;
import io.netwharf.kernel.Netns;
import io.netwharf.kernel.NetnsDirectory;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * netwharf through its HTTP API, as a side of the runtime benchmark: {@code netwharf daemon} started as a process of
 * its own inside a fresh "host" namespace, then the stress driver's core ({@link StressRun}) launches the same N
 * bridge-mode containers on the default {@code bridge} network with C keep-alive clients (create, then start; no
 * command: a container is its namespace alone), checks them, removes them and checks nothing is left. A warm-up goes
 * first, untimed, so that the daemon's JIT has compiled its paths as in a long-running daemon (the embedded side's
 * JVM lives through all rounds). The daemon and the namespace go at the end of each round.
 */
final class HttpSide {
    private HttpSide() {}

    /** One round's figures: launch (create+start) and removal in seconds, create+start latencies in microseconds. */
    record Run(double launchSeconds, double removeSeconds, double p50Micros, double p99Micros, double maxMicros) {}

    static Run run(NetnsDirectory netns, Path runDirectory, int round, int containers, int clients, int warmUp) throws Exception {
        String hostName = "http-host-" + round;
        Path dir = runDirectory.resolve("http-" + round);
        try (Netns host = netns.create(hostName)) {
            List<String> warnings = new ArrayList<>();
            StressResult result;
            try (DaemonProcess daemon = DaemonProcess.start(dir, "256m", 2L * containers + 4096, warnings, host.path())) {
                warnings.forEach(w -> System.out.println("warning: " + w));
                // The daemon is not in this process's namespace: the driver's own kernel checks (bridge ports, links,
                // nftables) cannot see it; the API's checks, the pings from inside containers and the namespace files remain.
                StressSettings settings = StressSettings.defaults(containers, clients, dir).withNetworks(0).withWarmUp(warmUp)
                        .withRunningDaemon(daemon.host(), daemon.pid(), daemon.execRoot());
                result = StressRun.run(settings, Progress.none(), new PrintStream(OutputStream.nullOutputStream()));
                int exit = daemon.stop(60).orElse(-1);
                if (exit != 0) {
                    throw new IllegalStateException("the daemon exited with " + exit + " after SIGTERM:\n" + daemon.logTail(20));
                }
            }
            if (!result.ok()) {
                throw new IllegalStateException("HTTP side: " + String.join("; ", result.failures()) + " " + String.join("; ", result.leaks()));
            }
            var latency = result.latencies().get(StressResult.CREATE_START);
            return new Run(result.seconds(StressResult.LAUNCH), result.seconds(StressResult.REMOVE), latency.getValueAtPercentile(50),
                    latency.getValueAtPercentile(99), latency.getMaxValue());
        } finally {
            netns.delete(hostName);
            BenchSupport.deleteTree(dir);
            BenchSupport.settle();
        }
    }
}
