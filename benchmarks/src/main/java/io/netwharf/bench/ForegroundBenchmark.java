package io.netwharf.bench;

import io.netwharf.bench.stress.DaemonProcess;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code foreground}: N {@code docker run --rm IMAGE true} by C concurrent docker CLI processes against a netwharf
 * daemon it starts, in the foreground (the CLI attaches over a hijacked connection, starts, waits for the exit and the
 * removal) against the same with {@code -d} (create and start; the daemon removes each container when it exits),
 * rounds alternating. Both go through the real docker CLI, so each run pays for one CLI process: what a user's script
 * sees. Exits non-zero if any run failed.
 */
@Command(name = "foreground", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"docker run --rm IMAGE true in the foreground against -d, N runs by C concurrent docker CLI processes "
                + "(attach + start + wait + remove against create + start), against a netwharf daemon it starts in the sandbox.",
                "  benchmarks/run-in-sandbox foreground -n 1000 -c 16 -r 3"})
public final class ForegroundBenchmark implements Callable<Integer> {
    @Option(names = {"-n", "--runs"}, description = "docker run calls per round (default ${DEFAULT-VALUE})")
    int runs = 1000;

    @Option(names = {"-c", "--clients"}, description = "concurrent docker CLI processes (default ${DEFAULT-VALUE})")
    int clients = 16;

    @Option(names = {"-r", "--rounds"}, description = "rounds of each kind, alternating (default ${DEFAULT-VALUE})")
    int rounds = 3;

    @Option(names = "--image", description = "the image (a name for the host's root) (default ${DEFAULT-VALUE})")
    String image = "debian";

    @Option(names = "--daemon-heap", description = "the daemon's -Xmx (default ${DEFAULT-VALUE})")
    String heap = "1g";

    private record Round(String kind, double seconds, Histogram latency, int failed, double removedAfter) {}

    @Override
    public Integer call() throws Exception {
        if (!BenchSupport.inThrowawayNamespace()) {
            System.err.println("run this inside benchmarks/run-in-sandbox: it starts a daemon that makes bridges and namespaces");
            return 2;
        }
        Path dir = Files.createTempDirectory("netwharf-foreground-");
        List<String> warnings = new ArrayList<>();
        try (DaemonProcess daemon = DaemonProcess.start(dir, heap, 4L * runs + 4096, warnings)) {
            warnings.forEach(w -> System.err.println("warning: " + w));
            for (int i = 0; i < 300 && docker(daemon.host(), "version") != 0; i++) {
                Thread.sleep(100); // until it serves
            }
            if (docker(daemon.host(), "pull", image) != 0) {
                System.err.println("docker pull " + image + " failed");
                return 1;
            }
            List<Round> done = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                done.add(round(daemon.host(), "foreground", List.of("run", "--rm", image, "true")));
                done.add(round(daemon.host(), "-d", List.of("run", "-d", "--rm", image, "true")));
            }
            System.out.printf("%-11s %9s %9s %9s %9s %8s%n", "kind", "total s", "runs/s", "p50 ms", "p99 ms", "failed");
            int failed = 0;
            for (Round round : done) {
                failed += round.failed();
                System.out.printf("%-11s %9.2f %9.1f %9.1f %9.1f %8d%s%n", round.kind(), round.seconds(), runs / round.seconds(),
                        round.latency().getValueAtPercentile(50) / 1e3, round.latency().getValueAtPercentile(99) / 1e3, round.failed(),
                        round.removedAfter() > 0 ? String.format("  (all removed %.2f s after the last run returned)", round.removedAfter()) : "");
            }
            for (String kind : List.of("foreground", "-d")) {
                double[] seconds = done.stream().filter(r -> r.kind().equals(kind)).mapToDouble(Round::seconds).sorted().toArray();
                System.out.printf("median %-11s %.2f s for %d runs with %d clients%n", kind, seconds[seconds.length / 2], runs, clients);
            }
            return failed == 0 ? 0 : 1;
        }
    }

    /** N runs of {@code args} by the clients; then waits until every container is gone (the -d ones exit after). */
    private Round round(String host, String kind, List<String> args) throws Exception {
        Histogram latency = new Histogram(600_000_000L, 3);
        AtomicInteger left = new AtomicInteger(runs);
        AtomicInteger failed = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long began = System.nanoTime();
        List<Future<?>> workers = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            workers.add(pool.submit(() -> {
                while (left.getAndDecrement() > 0) {
                    long start = System.nanoTime();
                    int exit = docker(host, args.toArray(String[]::new));
                    long micros = (System.nanoTime() - start) / 1000;
                    synchronized (latency) {
                        latency.recordValue(Math.min(micros, latency.getHighestTrackableValue()));
                    }
                    if (exit != 0) {
                        failed.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        double seconds = (System.nanoTime() - began) / 1e9;
        pool.shutdown();
        long returned = System.nanoTime();
        while (!dockerOutput(host, "ps", "-aq").isBlank()) {
            Thread.sleep(20);
        }
        double removedAfter = (System.nanoTime() - returned) / 1e9;
        return new Round(kind, seconds, latency, failed.get(), removedAfter);
    }

    private static int docker(String host, String... args) throws IOException, InterruptedException {
        Process p = command(host, args).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    private static String dockerOutput(String host, String... args) throws IOException, InterruptedException {
        Process p = command(host, args).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }

    private static ProcessBuilder command(String host, String... args) {
        List<String> command = new ArrayList<>(List.of("docker", "-H", host));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith("DOCKER_"));
        return pb;
    }
}
