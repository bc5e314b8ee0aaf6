package io.netwharf.bench.stress;

import io.netwharf.network.bridge.BridgeDriver;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code stress}: N containers through the Docker Engine API by C concurrent clients, checked, removed and checked
 * for leaks ({@link StressRun}), with a progress bar, a table at the end and the chart, rows and summary written to
 * {@code --out}. Exits 0 only if every container worked and nothing was left behind.
 */
@Command(name = "stress", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Launch N containers through the Docker Engine API with C concurrent clients, check they work (the list, "
                + "a sample pings its gateway and a peer), remove them and check nothing is left (containers, networks, veths, "
                + "namespace files, nftables rules, processes). By default it starts netwharf itself as a child process, inside "
                + "the throwaway namespace benchmarks/run-in-sandbox makes; exits non-zero on any failure or leak.",
                "  benchmarks/run-in-sandbox stress -n 10000 -c 16 --out /tmp/stress-out"})
public final class StressBenchmark implements Callable<Integer> {
    @Option(names = {"-n", "--containers"}, description = "containers to launch (default ${DEFAULT-VALUE})")
    int containers = 1000;

    @Option(names = {"-c", "--clients"}, description = "concurrent HTTP clients, one keep-alive connection each (default ${DEFAULT-VALUE})")
    int clients = 16;

    @Option(names = "--network-mode", paramLabel = "bridge|none|host",
            description = "the containers' network mode; bridge puts them on user networks made for the run, or on the default "
                    + "bridge network with --networks 0 (default ${DEFAULT-VALUE})")
    String networkMode = "bridge";

    @Option(names = "--networks", description = "user networks to spread the containers over, round robin; 0: the default bridge "
            + "network (default: as many as --per-network needs: one up to 1,000 containers)")
    Integer networks;

    @Option(names = "--per-network", description = "containers per user network when --networks is not given, at most "
            + BridgeDriver.MAX_PORTS + " (a Linux bridge's ports) (default ${DEFAULT-VALUE})")
    int perNetwork = 1000;

    @Option(names = "--subnet-pool", paramLabel = "CIDR",
            description = "where the user networks' subnets are carved from, each the smallest that holds its containers "
                    + "(default ${DEFAULT-VALUE})")
    String subnetPool = "10.128.0.0/9";

    @Option(names = "--cmd", paramLabel = "COMMAND", description = "the containers' command, split on spaces, e.g. \"sleep 1000\" "
            + "(default: none: a container is its namespace alone)")
    String cmd;

    @Option(names = "--image", description = "the image name recorded (never pulled) (default ${DEFAULT-VALUE})")
    String image = "stress";

    @Option(names = {"-H", "--host"}, paramLabel = "unix:///PATH|tcp://HOST:PORT",
            description = "talk to a running daemon instead of starting one; run this in the daemon's network namespace for the "
                    + "kernel checks, or add --no-kernel-checks")
    String host;

    @Option(names = "--daemon-pid", description = "with -H: the daemon's pid, for its memory figures")
    Long daemonPid;

    @Option(names = "--exec-root", description = "with -H: the daemon's --exec-root, to check no namespace file is left "
            + "(default: not checked)")
    Path execRoot;

    @Option(names = "--no-kernel-checks", description = "do not look at links, bridge ports and the nftables ruleset here")
    boolean noKernelChecks;

    @Option(names = "--daemon-heap", description = "the child daemon's maximum heap, as -Xmx (default ${DEFAULT-VALUE})")
    String daemonHeap = "256m";

    @Option(names = "--work-dir", defaultValue = "${env:NETWHARF_BENCH_RUN_DIR}",
            description = "where the child daemon's socket, data root, exec root and log go (default: $NETWHARF_BENCH_RUN_DIR, "
                    + "which run-in-sandbox sets to a private tmpfs, else a new temporary directory)")
    Path workDir;

    @Option(names = "--sample", description = "containers that ping their gateway and a peer (default ${DEFAULT-VALUE})")
    int sample = 20;

    @Option(names = "--ping-tries", description = "pings per address before it counts as unreachable (default ${DEFAULT-VALUE})")
    int pingTries = 3;

    @Option(names = "--warm-up", paramLabel = "K", description = "launch and remove K containers the same way first (in passes of at most N), not timed, so "
            + "that the daemon's JIT has compiled its paths as in a long-running daemon (default ${DEFAULT-VALUE}: a cold daemon)")
    int warmUp = 0;

    @Option(names = "--timeout", description = "seconds one API request may take (default ${DEFAULT-VALUE})")
    int timeoutSeconds = 120;

    @Option(names = "--out", paramLabel = "DIR", description = "write stress.png (latency by percentile), containers.csv (one row per "
            + "container) and summary.json there")
    Path out;

    @Option(names = "--plain", description = "plain progress lines even on a terminal")
    boolean plain;

    @Override
    public Integer call() throws Exception {
        StressSettings settings;
        try {
            if (host == null) {
                if (workDir == null) {
                    workDir = Files.createTempDirectory("netwharf-stress-");
                } else {
                    workDir = Files.createDirectories(workDir.resolve("stress"));
                }
            }
            List<String> command = cmd == null || cmd.isBlank() ? List.of() : new ArrayList<>(List.of(cmd.strip().split("\\s+")));
            int networkCount = networks == null ? -1 : networks;
            settings = new StressSettings(containers, clients, networkMode, networkCount, perNetwork, subnetPool, command, image, host,
                    daemonPid, daemonHeap, workDir, execRoot, !noKernelChecks, sample, pingTries, Duration.ofSeconds(timeoutSeconds), warmUp);
        } catch (IllegalArgumentException e) {
            System.err.println("stress: " + e.getMessage());
            return 2;
        }
        Progress.Factory progress = plain || System.console() == null ? Progress.lines(System.out, Duration.ofSeconds(5)) : Progress.terminal();
        StressResult result;
        try {
            result = StressRun.run(settings, progress, System.out);
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("stress: " + e.getMessage());
            return 2;
        }
        StressReport.printTable(result, System.out);
        if (out != null) {
            try {
                for (Path file : StressReport.write(result, out)) {
                    System.out.println("wrote " + file);
                }
            } catch (Exception | Error e) { // e.g. AWT without fonts: the figures above still stand
                System.err.println("stress: cannot write the results to " + out + ": " + e);
                return 1;
            }
        }
        return result.ok() ? 0 : 1;
    }
}
