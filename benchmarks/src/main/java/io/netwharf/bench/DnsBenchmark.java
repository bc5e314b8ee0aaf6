package io.netwharf.bench;

import io.netwharf.Netwharf;
import io.netwharf.kernel.NamespaceThreads;
import io.netwharf.kernel.Netns;
import io.netwharf.kernel.NetnsDirectory;
import io.netwharf.protocol.model.ContainerInfo;
import io.netwharf.protocol.model.ContainerSpec;
import io.netwharf.protocol.model.EndpointSpec;
import io.netwharf.protocol.model.NetworkMode;
import io.netwharf.protocol.model.NetworkSpec;
import io.netwharf.runtime.RuntimeConfig;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.netwharf.bench.BenchSupport.await;
import static io.netwharf.bench.BenchSupport.median;

/**
 * The embedded DNS server under load: a runtime on a fresh host namespace with N containers spread over M user-defined
 * networks (each container answering to its name there), then queries at a fixed rate from clients in the first
 * containers of each network, for names of their own network ({@link DnsLoad}: open loop, latency from each query's
 * due time). Reports answers per second and latency percentiles per round, and what the containers cost the daemon
 * with DNS on: file descriptors (from /proc/self/fd) and heap (after System.gc()) per container, against the same
 * containers on the default bridge, which has no embedded DNS. Run it inside a throwaway namespace
 * (benchmarks/run-in-sandbox does).
 */
@Command(name = "dns", mixinStandardHelpOptions = true,
        description = "Queries to the embedded DNS server of N containers on M user-defined networks at a fixed rate: answers per "
                + "second, latency percentiles; file descriptors and heap per container with DNS on.")
public final class DnsBenchmark implements Callable<Integer> {
    @Option(names = {"-n", "--containers"}, description = "containers (default ${DEFAULT-VALUE})")
    int containers = 1000;

    @Option(names = "--networks", description = "user-defined networks the containers are spread over (default ${DEFAULT-VALUE})")
    int networks = 10;

    @Option(names = "--rate", description = "queries per second (default ${DEFAULT-VALUE})")
    int rate = 10_000;

    @Option(names = "--seconds", description = "seconds of load per round (default ${DEFAULT-VALUE})")
    double seconds = 10;

    @Option(names = {"-r", "--rounds"}, description = "timed rounds after a discarded warm-up round; medians are reported "
            + "(default ${DEFAULT-VALUE})")
    int rounds = 5;

    @Option(names = "--clients-per-network", description = "client sockets per network, each in a container of its own "
            + "(default ${DEFAULT-VALUE})")
    int clientsPerNetwork = 2;

    @Option(names = "--run-dir", defaultValue = "${env:NETWHARF_BENCH_RUN_DIR}",
            description = "where the host namespace and the runtime's run directory go (default: $NETWHARF_BENCH_RUN_DIR, else a new "
                    + "temporary directory)")
    Path runDirectory;

    /** What the daemon holds for the containers: file descriptors and heap, before and after creating them. */
    private record Footprint(long fdsBefore, long fdsAfter, long heapBefore, long heapAfter) {
        double fdsPerContainer(int n) {
            return (fdsAfter - fdsBefore) / (double) n;
        }

        double heapKibPerContainer(int n) {
            return (heapAfter - heapBefore) / 1024.0 / n;
        }
    }

    @Override
    public Integer call() throws Exception {
        if (!BenchSupport.inThrowawayNamespace()) {
            return 2;
        }
        int perNetwork = containers / Math.max(1, networks);
        if (networks < 1 || networks > 200 || perNetwork < clientsPerNetwork || clientsPerNetwork < 1 || rate < 1 || seconds <= 0
                || rounds < 1 || rate * seconds > 65_536.0 * networks * clientsPerNetwork) {
            System.err.println("--networks must be 1..200, --containers at least --networks times --clients-per-network (at least 1), "
                    + "--rate, --seconds and --rounds positive, and --rate times --seconds at most 65,536 per client");
            return 2;
        }
        boolean temporary = runDirectory == null;
        if (temporary) {
            runDirectory = Files.createTempDirectory("netwharf-bench-");
        }
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench");
        try (NamespaceThreads threads = new NamespaceThreads("bench-netns", 2)) {
            NetnsDirectory netns = new NetnsDirectory(runDirectory.resolve("hosts"), threads);
            System.out.printf("%d containers on %d user-defined networks, %d client sockets per network; %d queries/s for %.0f s per "
                            + "round, %d rounds after a warm-up; %d cores, max heap %d MiB%n", containers, networks, clientsPerNetwork, rate,
                    seconds, rounds, Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
            Footprint bridge = footprint(system, netns, "dns-host-bridge", false, null);
            List<DnsLoad.Result> results = new ArrayList<>();
            Footprint withDns = footprint(system, netns, "dns-host", true, netwharf -> {
                List<DnsLoad.Client> clients = clients(netwharf, threads, perNetwork);
                for (int round = 0; round <= rounds; round++) {
                    DnsLoad.Result r = DnsLoad.run(clients, rate, seconds);
                    System.out.printf("round %d%s: %d sent, %d answered (%d errors, %d without records), %.0f answers/s; latency p50 %.3f ms, "
                                    + "p99 %.3f ms, p99.9 %.3f ms, max %.3f ms; sender late p99 %.3f ms%n", round,
                            round == 0 ? " (warm-up, discarded)" : "", r.sent(), r.answered(), r.errors(), r.empty(), r.answeredPerSecond(),
                            r.latency().getValueAtPercentile(50) / 1e3, r.latency().getValueAtPercentile(99) / 1e3,
                            r.latency().getValueAtPercentile(99.9) / 1e3, r.latency().getMaxValue() / 1e3,
                            r.lateness().getValueAtPercentile(99) / 1e3);
                    if (r.errors() > 0 || r.empty() > 0) {
                        throw new IllegalStateException("the embedded DNS answered " + r.errors() + " queries with an error and "
                                + r.empty() + " without records: every name asked is a container of the asker's network");
                    }
                    if (round > 0) {
                        results.add(r);
                    }
                }
                for (DnsLoad.Client client : clients) {
                    client.channel().close();
                }
            });
            System.out.println();
            System.out.printf("median of %d rounds: %.0f answers/s at %d queries/s offered; p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms "
                            + "(target: p99 under 1 ms at 10,000 queries/s); lost %.0f%n", rounds,
                    median(results.stream().map(DnsLoad.Result::answeredPerSecond).toList()), rate,
                    median(results.stream().map(r -> r.latency().getValueAtPercentile(50) / 1e3).toList()),
                    median(results.stream().map(r -> r.latency().getValueAtPercentile(99) / 1e3).toList()),
                    median(results.stream().map(r -> r.latency().getValueAtPercentile(99.9) / 1e3).toList()),
                    median(results.stream().map(r -> (double) (r.sent() - r.answered())).toList()));
            System.out.printf("per container, on user-defined networks (embedded DNS on): %.2f file descriptors, %.1f KiB of heap%n",
                    withDns.fdsPerContainer(containers), withDns.heapKibPerContainer(containers));
            System.out.printf("per container, on the default bridge (no embedded DNS):    %.2f file descriptors, %.1f KiB of heap%n",
                    bridge.fdsPerContainer(containers), bridge.heapKibPerContainer(containers));
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(1, TimeUnit.MINUTES);
            if (temporary) {
                BenchSupport.deleteTree(runDirectory);
            }
        }
        return 0;
    }

    /** What runs while the containers exist. */
    private interface Load {
        void run(Netwharf netwharf) throws Exception;
    }

    /**
     * Starts a runtime on a fresh host namespace, creates the containers (on the user-defined networks, or on the
     * default bridge), measures what they hold, runs {@code load} if any, and takes everything down.
     */
    private Footprint footprint(ActorSystem<Void> system, NetnsDirectory netns, String hostName, boolean userNetworks, Load load)
            throws Exception {
        Path runtimeDirectory = runDirectory.resolve(hostName);
        try (Netns host = netns.create(hostName)) {
            // No upstream servers: every name asked is a container's, and nothing may be forwarded out of the sandbox.
            Netwharf netwharf = await(Netwharf.start(system, RuntimeConfig.builder().hostNetns(host.path())
                    .runDirectory(runtimeDirectory).resolvConf(runtimeDirectory.resolve("no-resolv.conf")).build()));
            try {
                if (userNetworks) {
                    for (int k = 0; k < networks; k++) {
                        await(netwharf.createNetwork(NetworkSpec.named(network(k)).subnet("10.200." + k + ".0/24")
                                .build()));
                    }
                }
                long fdsBefore = openFiles();
                long heapBefore = heapUsed();
                List<CompletableFuture<ContainerInfo>> made = new ArrayList<>();
                for (int i = 0; i < containers; i++) {
                    made.add(netwharf.createContainer(spec(i, userNetworks)).toCompletableFuture());
                }
                CompletableFuture.allOf(made.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
                made.clear();
                long fdsAfter = settledOpenFiles(); // the DNS listeners are made after the answers, off the actor
                long heapAfter = heapUsed();
                if (load != null) {
                    load.run(netwharf);
                }
                return new Footprint(fdsBefore, fdsAfter, heapBefore, heapAfter);
            } finally {
                for (ContainerInfo c : await(netwharf.listContainers())) {
                    await(netwharf.removeContainer(c.id(), true));
                }
                await(netwharf.stop());
            }
        } finally {
            netns.delete(hostName);
            BenchSupport.deleteTree(runtimeDirectory);
        }
    }

    /** Container i: on network i mod M with its name as its DNS name, or on the default bridge. */
    private ContainerSpec spec(int i, boolean userNetworks) {
        if (!userNetworks) {
            return ContainerSpec.of(name(i), "bridge");
        }
        String network = network(i % networks);
        return new ContainerSpec(null, name(i), NetworkMode.parse(network),
                Map.of(network, EndpointSpec.DYNAMIC.withDnsNames(List.of(name(i)))), List.of(), List.of());
    }

    /** The client sockets: in the first containers of each network, asking for the names of that network. */
    private List<DnsLoad.Client> clients(Netwharf netwharf, NamespaceThreads threads, int perNetwork) throws IOException {
        List<ContainerInfo> all = await(netwharf.listContainers());
        Map<String, ContainerInfo> byName = new java.util.HashMap<>();
        for (ContainerInfo c : all) {
            byName.put(c.name(), c);
        }
        List<DnsLoad.Client> clients = new ArrayList<>();
        for (int k = 0; k < networks; k++) {
            List<String> names = new ArrayList<>();
            for (int i = k; i < containers; i += networks) {
                names.add(name(i));
            }
            for (int j = 0; j < clientsPerNetwork; j++) {
                ContainerInfo asker = byName.get(name(k + j * networks));
                try (Netns sandbox = Netns.open(Path.of(asker.sandboxKey()))) {
                    DatagramChannel channel = threads.call(sandbox, DnsLoad::connect);
                    clients.add(new DnsLoad.Client(channel, names));
                }
            }
        }
        return clients;
    }

    private static String network(int k) {
        return "dnsnet" + k;
    }

    private static String name(int i) {
        return "c" + i;
    }

    /** The open files once their number has not changed for half a second. */
    private static long settledOpenFiles() throws IOException, InterruptedException {
        long last = -1;
        int same = 0;
        while (same < 5) {
            Thread.sleep(100);
            long now = openFiles();
            same = now == last ? same + 1 : 0;
            last = now;
        }
        return last;
    }

    private static long openFiles() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static long heapUsed() {
        System.gc();
        System.gc();
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }
}
