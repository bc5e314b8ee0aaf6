package io.netwharf.bench;

import io.netwharf.kernel.Addresses;
import io.netwharf.kernel.Links;
import io.netwharf.kernel.NamespaceThreads;
import io.netwharf.kernel.NetlinkOperation;
import io.netwharf.kernel.NetlinkSocket;
import io.netwharf.kernel.Netns;
import io.netwharf.kernel.NetnsDirectory;
import io.netwharf.kernel.VethEndpoint;
import io.netwharf.protocol.rtnetlink.LinkData;
import io.netwharf.protocol.rtnetlink.LinkMessage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.netwharf.bench.BenchSupport.median;

/**
 * Wires N namespaces onto a bridge through netwharf's kernel layer (namespace, veth with its peer created inside,
 * bridge port, address, default route, both ends up, IPv6 address generation off) and, side by side, does the
 * host-side part of the same with one {@code ip -batch} process (netns add, veth with peer in the namespace,
 * master and up). Rounds alternate which goes first so drift hits both alike, and each phase waits for the kernel's
 * cleanup of the one before. Every round runs in fresh namespaces of its own; run the whole program inside a
 * throwaway network and mount namespace (benchmarks/run-in-sandbox does).
 */
@Command(name = "kernel", mixinStandardHelpOptions = true,
        description = "Wire N namespaces through the kernel layer and compare with ip -batch (host side).")
public final class KernelWiringBenchmark implements Callable<Integer> {
    @Option(names = {"-n", "--containers"}, description = "namespaces to wire per round (default ${DEFAULT-VALUE})")
    int containers = 1000;

    @Option(names = {"-r", "--rounds"}, description = "rounds; medians are reported (default ${DEFAULT-VALUE})")
    int rounds = 5;

    /** How the netwharf side spreads the work over threads. */
    enum Mode { pipeline, threads }

    // The pipeline is the runtime's own shape (a sandbox owner creates its namespace while the bridge owner wires
    // the one before) and the fastest here: 1.27 s, against 1.42 s for one thread doing everything and 1.67 s and
    // 1.65 s for 2 and 4 such threads, which only contend for the kernel's rtnl lock on two cores (measured before
    // host ends went up last, which brought the pipeline to 1.17 s).
    @Option(names = {"-m", "--mode"}, description = "pipeline: one thread creates namespaces while another wires them onto the "
            + "bridge; threads: --threads threads each do everything for one namespace at a time (default ${DEFAULT-VALUE})")
    Mode mode = Mode.pipeline;

    @Option(names = {"-t", "--threads"}, description = "threads for --mode threads (default ${DEFAULT-VALUE})")
    int threads = 1;

    @Option(names = "--run-dir", defaultValue = "${env:NETWHARF_BENCH_RUN_DIR}",
            description = "where netwharf keeps its namespaces (default: $NETWHARF_BENCH_RUN_DIR, else a new temporary directory)")
    Path runDirectory;

    @Option(names = "--skip-ip", description = "skip the ip -batch side")
    boolean skipIp;

    @Option(names = "--ipv6-link-local", description = "leave IPv6 address generation on for the veth ends (the kernel's default), "
            + "to see what turning it off saves")
    boolean ipv6LinkLocal;

    private static final InetAddress GATEWAY = address(IpBaselines.GATEWAY);

    @Override
    public Integer call() throws Exception {
        if (!BenchSupport.inThrowawayNamespace()) {
            return 2;
        }
        if (containers < 1 || containers > 60_000 || rounds < 1 || threads < 1) {
            System.err.println("--containers must be 1..60000, --rounds and --threads at least 1");
            return 2;
        }
        System.out.printf("wiring %d namespaces per round, %d rounds, netwharf %s, IPv6 link-local %s; %d cores%n", containers, rounds,
                mode == Mode.pipeline ? "pipelined" : "with " + threads + " threads", ipv6LinkLocal ? "on" : "off",
                Runtime.getRuntime().availableProcessors());
        List<Double> ours = new ArrayList<>();
        List<Double> ourTeardown = new ArrayList<>();
        List<Double> ipBatch = new ArrayList<>();
        boolean temporary = runDirectory == null;
        if (temporary) {
            runDirectory = Files.createTempDirectory("netwharf-bench-");
        }
        try (NamespaceThreads nsThreads = new NamespaceThreads("bench-netns", Math.max(2, threads))) {
            NetnsDirectory netns = new NetnsDirectory(runDirectory, nsThreads);
            warmUp(netns);
            for (int round = 1; round <= rounds; round++) {
                boolean oursFirst = round % 2 == 1;
                if (oursFirst) {
                    runOurs(netns, round, ours, ourTeardown);
                }
                if (!skipIp) {
                    ipBatch.add(IpBaselines.ipBatchHostSide(netns, round, containers));
                    System.out.printf("round %d: ip -batch host side  %.3f s%n", round, ipBatch.get(ipBatch.size() - 1));
                }
                if (!oursFirst) {
                    runOurs(netns, round, ours, ourTeardown);
                }
            }
        } finally {
            if (temporary) {
                Files.deleteIfExists(runDirectory);
            }
        }
        System.out.println();
        System.out.printf("%-52s %10s %10s%n", "median of " + rounds + " rounds, " + containers + " namespaces", "seconds", "per ns");
        System.out.printf("%-52s %10.3f %8.0f us%n", "netwharf kernel layer, everything", median(ours), median(ours) * 1e6 / containers);
        System.out.printf("%-52s %10.3f %8.0f us%n", "netwharf kernel layer, teardown (until veths gone)", median(ourTeardown), median(ourTeardown) * 1e6 / containers);
        if (!skipIp) {
            System.out.printf("%-52s %10.3f %8.0f us%n", "ip -batch, host side only", median(ipBatch), median(ipBatch) * 1e6 / containers);
            System.out.printf("ratio netwharf (everything) / ip -batch (host side): %.2f  (target: at most 1.5)%n", median(ours) / median(ipBatch));
        }
        return 0;
    }

    /** Lets the JIT and the kernel's caches settle before the first timed round. */
    private void warmUp(NetnsDirectory netns) throws Exception {
        int saved = containers;
        containers = Math.min(100, containers);
        runOurs(netns, 0, new ArrayList<>(), new ArrayList<>());
        containers = saved;
    }

    private void runOurs(NetnsDirectory netns, int round, List<Double> wiring, List<Double> teardown) throws Exception {
        String hostName = "host-" + round;
        try (Netns host = netns.create(hostName)) {
            List<NetlinkSocket> hostSockets = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                hostSockets.add(netns.openSocket(host));
            }
            NetlinkSocket control = hostSockets.get(0);
            control.executeAll(List.of(Links.setUp("lo", true), Links.createBridge("nw0", null, null, LinkData.Bridge.forContainers())));
            int bridge = new Links(control).get("nw0").index();
            control.executeAll(List.of(Addresses.add("nw0", bridge, GATEWAY, 16), Links.setUp("nw0", true)));

            long start = System.nanoTime();
            if (mode == Mode.pipeline) {
                wirePipelined(netns, control, bridge, round);
            } else {
                forEachContainer((worker, i) -> {
                    try (NetnsDirectory.ConnectedNetns container = netns.createConnected(containerName(round, i))) {
                        wire(container, hostSockets.get(worker), bridge, i);
                    }
                });
            }
            double seconds = (System.nanoTime() - start) / 1e9;

            verify(control, bridge);
            // Teardown deletes the namespaces only: the kernel then removes every veth pair in one batch, where
            // deleting each veth waits for its own RCU grace periods (about 18 ms apiece measured here).
            long teardownStart = System.nanoTime();
            forEachContainer((worker, i) -> netns.delete(containerName(round, i)));
            BenchSupport.awaitNoPorts(control, bridge);
            double teardownSeconds = (System.nanoTime() - teardownStart) / 1e9;
            BenchSupport.settle();
            hostSockets.forEach(NetlinkSocket::close);
            if (round > 0) {
                wiring.add(seconds);
                teardown.add(teardownSeconds);
                System.out.printf("round %d: netwharf everything %.3f s (teardown %.3f s)%n", round, seconds, teardownSeconds);
            }
        } finally {
            netns.delete(hostName);
        }
    }

    /** One thread creates namespaces (each with its socket) ahead; this one wires them onto the bridge in order. */
    private void wirePipelined(NetnsDirectory netns, NetlinkSocket hostSocket, int bridge, int round) throws Exception {
        BlockingQueue<NetnsDirectory.ConnectedNetns> created = new ArrayBlockingQueue<>(64);
        ExecutorService creator = Executors.newSingleThreadExecutor();
        Future<?> creating = creator.submit(() -> {
            for (int i = 0; i < containers; i++) {
                created.put(netns.createConnected(containerName(round, i)));
            }
            return null;
        });
        try {
            for (int i = 0; i < containers; i++) {
                NetnsDirectory.ConnectedNetns container = created.poll(1, TimeUnit.MINUTES);
                if (container == null) {
                    creating.get(); // the creator failed: say why
                    throw new IllegalStateException("no namespace created for a minute");
                }
                try (container) {
                    wire(container, hostSocket, bridge, i);
                }
            }
            creating.get();
        } finally {
            creator.shutdownNow();
            // After a failure, close what was created but never wired (the namespaces themselves go with the round).
            created.forEach(NetnsDirectory.ConnectedNetns::close);
        }
    }

    /** The host side on the bridge's socket, the container side on the namespace's own socket, then the host end up. */
    private void wire(NetnsDirectory.ConnectedNetns container, NetlinkSocket hostSocket, int bridge, int i) {
        hostSocket.executeAll(VethEndpoint.hostSide("vh" + i, "eth0", container.netns(), "nw0", bridge, null, null, ipv6LinkLocal, null));
        int peer = new Links(container.socket()).get("eth0").index();
        List<NetlinkOperation> inside = new ArrayList<>(List.of(Links.setUp("lo", true)));
        inside.addAll(VethEndpoint.containerSide("eth0", peer, "eth0", containerAddress(i), 16, GATEWAY, ipv6LinkLocal));
        container.socket().executeAll(inside);
        hostSocket.execute(VethEndpoint.enableHostSide("vh" + i));
    }

    /** Every container is a port of the bridge and up; a wrong count fails the run rather than report a figure. */
    private void verify(NetlinkSocket control, int bridge) {
        List<LinkMessage> ports = BenchSupport.portsUp(control, bridge);
        if (ports.size() != containers) {
            throw new IllegalStateException("expected " + containers + " bridge ports up, found " + ports.size());
        }
    }

    private interface ContainerTask {
        void run(int worker, int container) throws Exception;
    }

    /** Runs {@code task} for every container, spread over the worker threads. */
    private void forEachContainer(ContainerTask task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < threads; w++) {
            int worker = w;
            done.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < containers; i = next.getAndIncrement()) {
                    task.run(worker, i);
                }
                return null;
            }));
        }
        try {
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static String containerName(int round, int i) {
        return "c" + round + "-" + i;
    }

    private static InetAddress containerAddress(int i) {
        return address(BenchSupport.containerAddress(i));
    }

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
