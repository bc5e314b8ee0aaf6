package io.netwharf.bench;

import io.netwharf.Netwharf;
import io.netwharf.kernel.KernelException;
import io.netwharf.kernel.Links;
import io.netwharf.kernel.NamespaceThreads;
import io.netwharf.kernel.NetlinkSocket;
import io.netwharf.kernel.Netns;
import io.netwharf.kernel.NetnsDirectory;
import io.netwharf.network.bridge.BridgeDriver;
import io.netwharf.protocol.model.ContainerInfo;
import io.netwharf.protocol.model.ContainerSpec;
import io.netwharf.protocol.model.EndpointInfo;
import io.netwharf.protocol.model.NetworkMode;
import io.netwharf.protocol.model.PortBinding;
import io.netwharf.protocol.rtnetlink.LinkData;
import io.netwharf.protocol.rtnetlink.LinkMessage;
import io.netwharf.runtime.RuntimeConfig;

import org.HdrHistogram.Histogram;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

import static io.netwharf.bench.BenchSupport.await;
import static io.netwharf.bench.BenchSupport.medianOf;
import static io.netwharf.bench.BenchSupport.median;

/**
 * N bridge-mode containers created through the embedded API ({@link Netwharf#createContainer}), all issued at once (or
 * at most {@code -c} in flight), then removed the same way; beside them, in the same run, the host-side part of the
 * same wiring by one {@code ip -batch} process, the full wiring pipework-style, one {@code ip} process per operation,
 * and the same containers wired by the CNI bridge plugin (sequentially and in parallel) and by netavark, each executed
 * as a container runtime executes it ({@link PluginRuntime}). Each netwharf round starts a runtime on a fresh "host"
 * namespace with a fresh run directory (not timed), times the creations from the first request to the last answer,
 * checks the kernel from outside (every container a port of the bridge and up, all addresses distinct), then times the
 * removals until the bridge has no port left, and stops the runtime. Rounds alternate which of netwharf and ip -batch
 * goes first; medians over rounds are reported, after a discarded warm-up round. The slow sides (pipework, CNI
 * sequential, netavark) run in the first round only unless told otherwise. Run the whole program inside a throwaway
 * network and mount namespace (benchmarks/run-in-sandbox does).
 */
@Command(name = "runtime", mixinStandardHelpOptions = true,
        description = "Create and remove N bridge-mode containers through the embedded API; compare with ip -batch "
                + "(host side), with one ip process per operation, with the CNI bridge plugin and with netavark.")
public final class RuntimeWiringBenchmark implements Callable<Integer> {
    @Option(names = {"-n", "--containers"}, description = "containers per round, at most " + BridgeDriver.MAX_PORTS
            + " (one bridge) (default ${DEFAULT-VALUE})")
    int containers = 1000;

    @Option(names = {"-r", "--rounds"}, description = "rounds; medians are reported (default ${DEFAULT-VALUE})")
    int rounds = 5;

    @Option(names = {"-c", "--concurrency"}, description = "requests in flight at most; 0: all at once (default ${DEFAULT-VALUE})")
    int concurrency = 0;

    @Option(names = "--run-dir", defaultValue = "${env:NETWHARF_BENCH_RUN_DIR}",
            description = "where the host namespaces and the runtimes' run directories go (default: $NETWHARF_BENCH_RUN_DIR, "
                    + "else a new temporary directory)")
    Path runDirectory;

    @Option(names = "--skip-ip", description = "skip the ip -batch side")
    boolean skipIp;

    @Option(names = "--skip-pipework", description = "skip the one-ip-process-per-operation side")
    boolean skipPipework;

    @Option(names = "--pipework-rounds", description = "rounds that also run the pipework side, which is slow (default ${DEFAULT-VALUE})")
    int pipeworkRounds = 1;

    @Option(names = "--pipework-ipv6-off", description = "turn IPv6 address generation off in the pipework side too, as netwharf "
            + "does (one more ip process per container); by default it is left on, as pipework leaves it")
    boolean pipeworkIpv6Off;

    @Option(names = "--skip-cni", description = "skip both CNI sides (bridge plugin with host-local IPAM)")
    boolean skipCni;

    @Option(names = "--cni-rounds", description = "rounds that also run the sequential CNI side, which is slow (default ${DEFAULT-VALUE})")
    int cniRounds = 1;

    @Option(names = "--cni-parallel", description = "plugin invocations in flight in the parallel CNI side, which runs every round; "
            + "0: skip that side (default: -c when given, else 16)")
    Integer cniParallel;

    @Option(names = "--skip-netavark", description = "skip the netavark side")
    boolean skipNetavark;

    @Option(names = "--netavark-rounds", description = "rounds that also run the netavark side, which is slow (default ${DEFAULT-VALUE})")
    int netavarkRounds = 1;

    @Option(names = "--http-clients", description = "concurrent HTTP clients of the HTTP side (netwharf daemon in a host namespace of "
            + "its own, driven through the Docker Engine API by the stress driver's core), which runs every round; 0: skip it "
            + "(default ${DEFAULT-VALUE})")
    int httpClients = 16;

    @Option(names = "--http-warm-up", description = "containers the HTTP side's fresh daemon launches and removes before each timed "
            + "round, in passes of N; -1: five times N, about what the embedded side's long-lived JVM has run by the last round, "
            + "for the daemon's JIT to settle (default ${DEFAULT-VALUE})")
    int httpWarmUp = -1;

    @Option(names = "--out", description = "write the medians as comparison.json and a bar chart, comparison.png, to this directory")
    Path out;

    @Option(names = "--warm-up", description = "containers in the discarded warm-up round; -1: as many as --containers, so that "
            + "the JIT has compiled the runtime's paths before the first timed round, as in a long-running runtime (default ${DEFAULT-VALUE})")
    int warmUp = -1;

    @Option(names = "--published-ports", description = "also run, every round, the netwharf side with K published tcp ports per "
            + "container (host ports " + FIRST_HOST_PORT + " upwards, each its own, to container ports 80, 443, 8080, 9090, ...), to "
            + "compare with the side without ports in the same run; 0: no such side (default ${DEFAULT-VALUE})")
    int publishedPorts = 0;

    /** Where the published-ports side's host ports start: above the usual ephemeral range's start is avoided. */
    static final int FIRST_HOST_PORT = 10000;

    @Option(names = "--namespace-threads", description = "the runtime's namespaceThreads setting (default: the runtime's own default)")
    Integer namespaceThreads;

    @Option(names = "--bridge-mcast-snooping-off", description = "experiment: make the default bridge (netwharf0) before the runtime "
            + "starts, as it would (STP off, no forwarding delay) but with multicast snooping off, and let the runtime adopt it")
    boolean bridgeMcastSnoopingOff;

    @Option(names = "--timeline", description = "diagnostics: during each create phase, sample every --timeline-interval ms how many namespaces, "
            + "bridge ports and ports with carrier (peer up) exist and how many requests are answered, and print the process's CPU "
            + "time; the sampling itself costs some time, so take figures from runs without it")
    boolean timeline;

    @Option(names = "--timeline-interval", description = "milliseconds between --timeline samples; 0: no samples, only the CPU time "
            + "and the phase's clock window (default ${DEFAULT-VALUE})")
    int timelineInterval = 50;

    /** Plugin invocations in flight in the parallel CNI side; 0: that side does not run. */
    private int cniParallelism;

    /** Why the netavark side could not run here; null when it ran or was skipped. */
    private String netavarkMissing;

    /** The requests of the batch under way, for the timeline to count the answered ones. */
    private volatile CountDownLatch inFlight;

    /** One netwharf round. Latencies in microseconds, from a request's issue to its answer. */
    private record Round(double createSeconds, Histogram createLatency, double removeAnsweredSeconds, double removeSeconds,
                         Histogram removeLatency, long heapEmpty, long heapFull) {}

    /** Every side's rounds, for the report and the chart. */
    private record Results(List<Round> ours, List<Round> oursWithPorts, List<HttpSide.Run> http, List<Double> ipBatch, List<BaselineRun> pipework,
                           List<BaselineRun> cniSequential, List<BaselineRun> cniParallel, List<BaselineRun> netavark) {}

    /** A batch of requests: how long from the first issue to the last answer, each one's latency, the answers. */
    private record Batch<T>(double seconds, Histogram latency, List<T> answers) {}

    @Override
    public Integer call() throws Exception {
        if (!BenchSupport.inThrowawayNamespace()) {
            return 2;
        }
        if (containers < 1 || containers > BridgeDriver.MAX_PORTS || rounds < 1 || concurrency < 0 || pipeworkRounds < 0 || warmUp < -1
                || timelineInterval < 0 || (namespaceThreads != null && namespaceThreads < 1) || cniRounds < 0
                || (cniParallel != null && cniParallel < 0) || netavarkRounds < 0 || httpClients < 0 || httpWarmUp < -1
                || publishedPorts < 0 || FIRST_HOST_PORT + (long) publishedPorts * containers > 65536) {
            System.err.println("--containers must be 1.." + BridgeDriver.MAX_PORTS + ", --rounds and --namespace-threads at least 1, "
                    + "--concurrency, --pipework-rounds, --cni-rounds, --cni-parallel, --netavark-rounds, --http-clients and --timeline-interval "
                    + "at least 0, --warm-up and --http-warm-up at least -1, --published-ports times --containers at most "
                    + (65536 - FIRST_HOST_PORT));
            return 2;
        }
        String cniMissing = skipCni ? null : CniBaseline.unavailable();
        if (cniMissing != null) {
            System.out.println("CNI: not run: " + cniMissing);
        }
        boolean cni = !skipCni && cniMissing == null;
        int pipeworkRuns = skipPipework ? 0 : Math.min(pipeworkRounds, rounds);
        int cniSequentialRuns = cni ? Math.min(cniRounds, rounds) : 0;
        cniParallelism = !cni ? 0 : cniParallel != null ? cniParallel : concurrency != 0 ? concurrency : 16;
        boolean temporary = runDirectory == null;
        if (temporary) {
            runDirectory = Files.createTempDirectory("netwharf-bench-");
        }
        List<Round> ours = new ArrayList<>();
        List<Round> oursWithPorts = new ArrayList<>();
        List<Double> ipBatch = new ArrayList<>();
        List<BaselineRun> pipework = new ArrayList<>();
        List<BaselineRun> cniSequential = new ArrayList<>();
        List<BaselineRun> cniParallelRuns = new ArrayList<>();
        List<BaselineRun> netavark = new ArrayList<>();
        List<HttpSide.Run> http = new ArrayList<>();
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench");
        try (NamespaceThreads threads = new NamespaceThreads("bench-netns", 2)) {
            NetnsDirectory netns = new NetnsDirectory(runDirectory.resolve("hosts"), threads);
            int netavarkRuns = 0;
            if (!skipNetavark) {
                netavarkMissing = NetavarkBaseline.unavailable(netns, runDirectory);
                if (netavarkMissing != null) {
                    System.out.println("netavark: not run: " + netavarkMissing);
                } else {
                    netavarkRuns = Math.min(netavarkRounds, rounds);
                }
            }
            List<String> slowSides = new ArrayList<>();
            if (publishedPorts > 0) {
                slowSides.add("netwharf with " + publishedPorts + " published ports per container in " + rounds);
            }
            if (httpClients > 0) {
                slowSides.add("HTTP with " + httpClients + " clients in " + rounds);
            }
            if (pipeworkRuns > 0) {
                slowSides.add("pipework in " + pipeworkRuns);
            }
            if (cniParallelism > 0) {
                slowSides.add("CNI " + cniParallelism + " in parallel in " + rounds);
            }
            if (cniSequentialRuns > 0) {
                slowSides.add("CNI sequential in " + cniSequentialRuns);
            }
            if (netavarkRuns > 0) {
                slowSides.add("netavark in " + netavarkRuns);
            }
            System.out.printf("%d bridge-mode containers per round through the embedded API, %s; %d rounds%s; %d cores, max heap %d MiB%n",
                    containers, concurrency == 0 ? "all at once" : "at most " + concurrency + " in flight", rounds,
                    slowSides.isEmpty() ? "" : " (" + String.join(", ", slowSides) + ")", Runtime.getRuntime().availableProcessors(),
                    Runtime.getRuntime().maxMemory() >> 20);
            if (warmUp != 0) {
                int warmUpContainers = warmUp < 0 ? containers : Math.min(warmUp, containers);
                runOurs(system, netns, 0, warmUpContainers, 0); // discarded
                if (publishedPorts > 0) {
                    runOurs(system, netns, 0, warmUpContainers, publishedPorts);
                }
            }
            for (int round = 1; round <= rounds; round++) {
                boolean oursFirst = round % 2 == 1;
                if (oursFirst) {
                    ours.add(runOurs(system, netns, round, containers, 0));
                }
                if (publishedPorts > 0) { // between the two places of the side without ports: neither always goes first
                    oursWithPorts.add(runOurs(system, netns, round, containers, publishedPorts));
                }
                if (!skipIp) {
                    long[] cpu = BenchSupport.cpuTicks();
                    ipBatch.add(IpBaselines.ipBatchHostSide(netns, round, containers));
                    System.out.printf("round %d: ip -batch host side      %.3f s%n", round, ipBatch.get(ipBatch.size() - 1));
                    if (timeline) {
                        long[] after = BenchSupport.cpuTicks();
                        System.out.printf("round %d: CPU of the ip processes (with their setup and cleanup batches): user %.2f s, "
                                + "system %.2f s%n", round, (after[2] - cpu[2]) / 100.0, (after[3] - cpu[3]) / 100.0);
                    }
                }
                if (!oursFirst) {
                    ours.add(runOurs(system, netns, round, containers, 0));
                }
                if (httpClients > 0) {
                    HttpSide.Run h = HttpSide.run(netns, runDirectory, round, containers, httpClients,
                            httpWarmUp < 0 ? 5 * containers : httpWarmUp);
                    http.add(h);
                    System.out.printf("round %d: netwharf HTTP launch %.3f s (create+start p50 %.1f ms, p99 %.1f ms), remove %.3f s%n", round,
                            h.launchSeconds(), h.p50Micros() / 1e3, h.p99Micros() / 1e3, h.removeSeconds());
                }
                if (round <= pipeworkRuns) {
                    BaselineRun p = IpBaselines.pipework(netns, round, containers, pipeworkIpv6Off);
                    pipework.add(p);
                    System.out.printf("round %d: pipework create          %.3f s, teardown %.3f s%n", round, p.seconds(), p.teardownSeconds());
                }
                if (cniParallelism > 0) {
                    BaselineRun c = CniBaseline.run(netns, runDirectory, round, containers, cniParallelism);
                    cniParallelRuns.add(c);
                    System.out.printf("round %d: %-25s%.3f s, teardown %.3f s%n", round, "CNI " + cniParallelism + " in parallel",
                            c.seconds(), c.teardownSeconds());
                }
                if (round <= cniSequentialRuns) {
                    BaselineRun c = CniBaseline.run(netns, runDirectory, round, containers, 1);
                    cniSequential.add(c);
                    System.out.printf("round %d: CNI sequential           %.3f s, teardown %.3f s%n", round, c.seconds(), c.teardownSeconds());
                }
                if (round <= netavarkRuns) {
                    BaselineRun v = NetavarkBaseline.run(netns, runDirectory, round, containers);
                    netavark.add(v);
                    System.out.printf("round %d: netavark setup           %.3f s, teardown %.3f s%n", round, v.seconds(), v.teardownSeconds());
                }
            }
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(1, TimeUnit.MINUTES);
            if (temporary) {
                BenchSupport.deleteTree(runDirectory);
            }
        }
        Results results = new Results(ours, oursWithPorts, http, ipBatch, pipework, cniSequential, cniParallelRuns, netavark);
        report(results);
        if (out != null) {
            chart(results);
        }
        return 0;
    }

    /** One netwharf round: {@code ports} published tcp ports per container, or none. */
    private Round runOurs(ActorSystem<Void> system, NetnsDirectory netns, int round, int n, int ports) throws Exception {
        String hostName = "rt-host-" + round + (ports > 0 ? "-ports" : "");
        Path runtimeDirectory = runDirectory.resolve("rt-" + round + (ports > 0 ? "-ports" : ""));
        try (Netns host = netns.create(hostName)) {
            RuntimeConfig.Builder builder = RuntimeConfig.builder().hostNetns(host.path()).runDirectory(runtimeDirectory);
            if (namespaceThreads != null) {
                builder.namespaceThreads(namespaceThreads);
            }
            RuntimeConfig config = builder.build();
            if (bridgeMcastSnoopingOff) {
                try (NetlinkSocket socket = netns.openSocket(host)) {
                    socket.execute(Links.createBridge(config.bridgeName(), config.mtu(), null, new LinkData.Bridge(0, 0, null, null, null, 0)));
                }
            }
            Netwharf netwharf = await(Netwharf.start(system, config));
            Round result;
            try (NetlinkSocket socket = netns.openSocket(host)) {
                String bridgeName = await(netwharf.inspectNetwork("bridge")).bridge();
                int bridge = new Links(socket).get(bridgeName).index();
                long heapEmpty = heapUsed();

                Timeline sampler = timeline ? Timeline.start(netns.openSocket(host), bridge, runtimeDirectory.resolve("netns"), n, this) : null;
                Batch<ContainerInfo> created;
                try {
                    created = issue(n, i -> netwharf.createContainer(spec(i, ports)), "create");
                } finally {
                    if (sampler != null) {
                        sampler.stopAndPrint(round);
                    }
                }
                List<String> ids = verifyCreated(netwharf, socket, bridge, created.answers(), n, ports);
                List<String> sample = PublishedPortRules.verifyPresent(host.path(), created.answers(), ports);
                created = new Batch<>(created.seconds(), created.latency(), List.of()); // not counted in the heap below
                long heapFull = heapUsed();

                long removeStart = System.nanoTime();
                Batch<?> removed = issue(n, i -> netwharf.removeContainer(ids.get(i), false), "remove");
                BenchSupport.awaitNoPorts(socket, bridge);
                double removeSeconds = (System.nanoTime() - removeStart) / 1e9;
                verifyRemoved(netwharf);
                PublishedPortRules.verifyGone(host.path(), sample);
                result = new Round(created.seconds(), created.latency(), removed.seconds(), removeSeconds, removed.latency(),
                        heapEmpty, heapFull);
            } finally {
                await(netwharf.stop());
            }
            BenchSupport.settle();
            if (round > 0) {
                System.out.printf("round %d: netwharf" + (ports > 0 ? " with " + ports + " ports each" : "") + " create %.3f s (p50 %.1f ms, p99 %.1f ms), remove %.3f s (answered in %.3f s); "
                                + "heap %d MiB with %d containers, %d MiB without%n", round, result.createSeconds(),
                        result.createLatency().getValueAtPercentile(50) / 1e3, result.createLatency().getValueAtPercentile(99) / 1e3,
                        result.removeSeconds(), result.removeAnsweredSeconds(), result.heapFull() >> 20, n, result.heapEmpty() >> 20);
            }
            return result;
        } finally {
            netns.delete(hostName);
            BenchSupport.deleteTree(runtimeDirectory);
        }
    }

    /** Container {@code i}'s spec: bridge mode, with {@code ports} published tcp ports, each on a host port of its own. */
    private static ContainerSpec spec(int i, int ports) {
        if (ports == 0) {
            return ContainerSpec.of("c" + i, "bridge");
        }
        List<PortBinding> bindings = new ArrayList<>();
        for (int k = 0; k < ports; k++) {
            int containerPort = k < CONTAINER_PORTS.length ? CONTAINER_PORTS[k] : 10000 + k;
            bindings.add(new PortBinding("", FIRST_HOST_PORT + i * ports + k, containerPort, "tcp"));
        }
        return new ContainerSpec(null, "c" + i, NetworkMode.BRIDGE_MODE, Map.of(), bindings, List.of());
    }

    private static final int[] CONTAINER_PORTS = {80, 443, 8080, 9090};

    /**
     * Checks from outside, with the kernel's own listing, that every container is a port of the bridge and up, and
     * that the answers name distinct addresses; returns the containers' ids.
     */
    private static List<String> verifyCreated(Netwharf netwharf, NetlinkSocket socket, int bridge, List<ContainerInfo> made, int n,
                                              int ports) {
        int up = BenchSupport.portsUp(socket, bridge).size();
        if (up != n) {
            throw new IllegalStateException("expected " + n + " bridge ports up, found " + up);
        }
        Set<String> addresses = new HashSet<>();
        for (ContainerInfo c : made) {
            EndpointInfo endpoint = c.endpoints().get("bridge");
            if (endpoint == null || !addresses.add(endpoint.ipv4Address())) {
                throw new IllegalStateException("container " + c.name() + " has no address of its own on the bridge: " + endpoint);
            }
            if (c.ports().size() != ports) {
                throw new IllegalStateException("container " + c.name() + " has " + c.ports() + " published, expected " + ports + " ports");
            }
        }
        int inUse = await(netwharf.addressesInUse("bridge"));
        if (inUse != n) {
            throw new IllegalStateException("expected " + n + " addresses in use, the pool says " + inUse);
        }
        return made.stream().map(ContainerInfo::id).toList();
    }

    private static void verifyRemoved(Netwharf netwharf) {
        int inUse = await(netwharf.addressesInUse("bridge"));
        List<ContainerInfo> left = await(netwharf.listContainers());
        if (inUse != 0 || !left.isEmpty()) {
            throw new IllegalStateException("after removing every container: " + inUse + " addresses in use, " + left.size() + " containers");
        }
    }

    /**
     * Issues {@code n} requests, all at once or keeping {@link #concurrency} in flight (each answer issues the next),
     * and waits for every answer. The first failure fails the run.
     */
    private <T> Batch<T> issue(int n, IntFunction<CompletionStage<T>> request, String what) throws InterruptedException {
        int limit = concurrency == 0 ? n : Math.min(concurrency, n);
        long[] issuedAt = new long[n];
        long[] answeredAt = new long[n];
        Object[] answers = new Object[n]; // written before the count-down, read after the await: visible
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(n);
        inFlight = done;
        AtomicInteger next = new AtomicInteger(limit);
        final class Sender {
            void send(int i) {
                issuedAt[i] = System.nanoTime();
                // whenCompleteAsync on the calling thread, not whenComplete: the stages Pekko's ask returns (Scala's
                // FutureConverters) run every non-async callback asynchronously on the default pool, and on a machine with
                // two cores or fewer that is a new thread per callback. The benchmark must not add that to its figures.
                request.apply(i).whenCompleteAsync((answer, f) -> {
                    answeredAt[i] = System.nanoTime();
                    answers[i] = answer;
                    if (f != null) {
                        failure.compareAndSet(null, f);
                    }
                    done.countDown();
                    int k = next.getAndIncrement();
                    if (k < n) {
                        send(k);
                    }
                }, Runnable::run);
            }
        }
        Sender sender = new Sender();
        long start = System.nanoTime();
        for (int i = 0; i < limit; i++) {
            sender.send(i);
        }
        if (!done.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException(what + ": " + done.getCount() + " of " + n + " requests unanswered after 10 minutes");
        }
        if (failure.get() != null) {
            throw new IllegalStateException(what + " failed: " + failure.get().getMessage(), failure.get());
        }
        Histogram latency = new Histogram(3);
        long last = start;
        List<T> answered = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            latency.recordValue(Math.max(0, (answeredAt[i] - issuedAt[i]) / 1000));
            last = Math.max(last, answeredAt[i]);
            @SuppressWarnings("unchecked")
            T answer = (T) answers[i];
            answered.add(answer);
        }
        return new Batch<>((last - start) / 1e9, latency, answered);
    }

    /** Approximate: the whole JVM's heap in use after a full collection (actor system, runtime, the benchmark itself). */
    private static long heapUsed() {
        System.gc();
        System.gc();
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    private void report(Results results) {
        List<Round> ours = results.ours();
        List<HttpSide.Run> http = results.http();
        List<Double> ipBatch = results.ipBatch();
        List<BaselineRun> pipework = results.pipework();
        List<BaselineRun> cniSequential = results.cniSequential();
        List<BaselineRun> cniParallelRuns = results.cniParallel();
        List<BaselineRun> netavark = results.netavark();
        int n = containers;
        System.out.println();
        System.out.printf("%-58s %8s %10s %10s %10s %10s%n", "median of " + rounds + " rounds, " + n + " containers, "
                + (concurrency == 0 ? "all at once" : "-c " + concurrency), "seconds", "per cont.", "p50", "p99", "max");
        row("netwharf create (first request to last answer)", medianOf(ours, Round::createSeconds),
                medianOf(ours, r -> r.createLatency().getValueAtPercentile(50)), medianOf(ours, r -> r.createLatency().getValueAtPercentile(99)),
                medianOf(ours, r -> r.createLatency().getMaxValue()));
        row("netwharf remove (until the bridge has no port)", medianOf(ours, Round::removeSeconds), Double.NaN, Double.NaN, Double.NaN);
        row("netwharf remove (first request to last answer)", medianOf(ours, Round::removeAnsweredSeconds),
                medianOf(ours, r -> r.removeLatency().getValueAtPercentile(50)), medianOf(ours, r -> r.removeLatency().getValueAtPercentile(99)),
                medianOf(ours, r -> r.removeLatency().getMaxValue()));
        List<Round> withPorts = results.oursWithPorts();
        if (!withPorts.isEmpty()) {
            row("netwharf create, " + publishedPorts + " published ports each", medianOf(withPorts, Round::createSeconds),
                    medianOf(withPorts, r -> r.createLatency().getValueAtPercentile(50)),
                    medianOf(withPorts, r -> r.createLatency().getValueAtPercentile(99)),
                    medianOf(withPorts, r -> r.createLatency().getMaxValue()));
            row("netwharf remove, " + publishedPorts + " published ports each", medianOf(withPorts, Round::removeSeconds),
                    Double.NaN, Double.NaN, Double.NaN);
        }
        if (!http.isEmpty()) {
            row("netwharf HTTP API, " + httpClients + " clients: create+start", medianOf(http, HttpSide.Run::launchSeconds),
                    medianOf(http, HttpSide.Run::p50Micros), medianOf(http, HttpSide.Run::p99Micros),
                    medianOf(http, HttpSide.Run::maxMicros));
            row("netwharf HTTP API remove (first request to last answer)", medianOf(http, HttpSide.Run::removeSeconds),
                    Double.NaN, Double.NaN, Double.NaN);
        }
        if (!skipIp) {
            row("ip -batch, host side only (netns add, veth, master up)", median(ipBatch), Double.NaN, Double.NaN, Double.NaN);
        }
        if (!pipework.isEmpty()) {
            baselineRows("pipework: one ip per operation, " + (pipeworkIpv6Off ? 8 : 7) + " per container" + rounds(pipework),
                    "pipework teardown: one ip netns del per container", pipework);
        }
        if (!cniParallelRuns.isEmpty()) {
            baselineRows("CNI bridge + host-local, " + cniParallelism + " in parallel" + rounds(cniParallelRuns),
                    "CNI teardown: DEL, delete the netns, " + cniParallelism + " in parallel", cniParallelRuns);
        }
        if (!cniSequential.isEmpty()) {
            baselineRows("CNI bridge + host-local, sequential" + rounds(cniSequential), "CNI teardown: DEL, delete the netns, sequential",
                    cniSequential);
        }
        if (!netavark.isEmpty()) {
            baselineRows("netavark setup, sequential" + rounds(netavark), "netavark teardown, delete the netns, sequential", netavark);
        }
        System.out.println("(p50/p99/max: per container, from its request to its answer; for pipework, the time each container's "
                + "processes took, one after another;\n for CNI and netavark, from making its namespace to the plugin's exit)");
        if (netavarkMissing != null) {
            System.out.println("netavark: not run: " + netavarkMissing);
        }
        double create = medianOf(ours, Round::createSeconds);
        if (!skipIp) {
            System.out.printf("ratio netwharf create / ip -batch host side: %.2f  (target: at most 1.3)%n", create / median(ipBatch));
        }
        if (!withPorts.isEmpty()) {
            System.out.printf("ratio netwharf create with %d published ports each / without: %.2f  (target: at most 1.2)%n",
                    publishedPorts, medianOf(withPorts, Round::createSeconds) / create);
        }
        if (!pipework.isEmpty()) {
            System.out.printf("ratio pipework / netwharf create:            %.1f  (target: at least 10)%n",
                    medianOf(pipework, BaselineRun::seconds) / create);
        }
        if (!cniSequential.isEmpty()) {
            System.out.printf("ratio CNI sequential / netwharf create:      %.1f  (target: at least 10)%n",
                    medianOf(cniSequential, BaselineRun::seconds) / create);
        }
        if (!cniParallelRuns.isEmpty()) {
            System.out.printf("%-44s %.1f%n", "ratio CNI " + cniParallelism + " in parallel / netwharf create:",
                    medianOf(cniParallelRuns, BaselineRun::seconds) / create);
        }
        if (!netavark.isEmpty()) {
            System.out.printf("ratio netavark / netwharf create:            %.1f%n", medianOf(netavark, BaselineRun::seconds) / create);
        }
        if (!http.isEmpty()) {
            System.out.printf("netwharf HTTP API, %d clients: %d containers in %.2f s (target: under 4 s), create+start p99 %.1f ms "
                            + "(target: under 50 ms)%n", httpClients, n, medianOf(http, HttpSide.Run::launchSeconds),
                    medianOf(http, HttpSide.Run::p99Micros) / 1e3);
        }
        double full = medianOf(ours, r -> (double) r.heapFull());
        double empty = medianOf(ours, r -> (double) r.heapEmpty());
        System.out.printf("heap in use (approximate: after System.gc(), the whole JVM): %.1f MiB with %d containers, %.1f MiB with the "
                + "runtime started and none: about %.1f KiB per container%n", full / (1 << 20), n, empty / (1 << 20), (full - empty) / 1024 / n);
    }

    /** The medians as a bar chart and JSON under {@link #out}: set-up and teardown time of each side. */
    private void chart(Results results) throws IOException {
        List<Round> ours = results.ours();
        List<HttpSide.Run> http = results.http();
        List<Double> ipBatch = results.ipBatch();
        List<BaselineRun> pipework = results.pipework();
        List<BaselineRun> cniSequential = results.cniSequential();
        List<BaselineRun> cniParallelRuns = results.cniParallel();
        List<BaselineRun> netavark = results.netavark();
        List<ComparisonChart.Side> sides = new ArrayList<>();
        sides.add(new ComparisonChart.Side("netwharf, embedded API", medianOf(ours, Round::createSeconds), medianOf(ours, Round::removeSeconds), ours.size()));
        if (!http.isEmpty()) {
            sides.add(new ComparisonChart.Side("netwharf, HTTP API (" + httpClients + " clients)", medianOf(http, HttpSide.Run::launchSeconds),
                    medianOf(http, HttpSide.Run::removeSeconds), http.size()));
        }
        if (!ipBatch.isEmpty()) {
            sides.add(new ComparisonChart.Side("ip -batch, host side only", median(ipBatch), Double.NaN, ipBatch.size()));
        }
        baselineSide(sides, "pipework style (one ip per operation)", pipework);
        baselineSide(sides, "CNI bridge + host-local, " + cniParallelism + " in parallel", cniParallelRuns);
        baselineSide(sides, "CNI bridge + host-local, sequential", cniSequential);
        baselineSide(sides, "netavark, sequential", netavark);
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("containers", containers);
        parameters.put("rounds", rounds);
        parameters.put("concurrency", concurrency);
        parameters.put("cores", Runtime.getRuntime().availableProcessors());
        parameters.put("kernel", System.getProperty("os.version"));
        parameters.put("java", System.getProperty("java.version"));
        parameters.put("date", java.time.Instant.now().toString());
        String subtitle = String.format(Locale.ROOT, "%d bridge-mode containers, medians of up to %d rounds; %d cores, Linux %s, Java %s",
                containers, rounds, Runtime.getRuntime().availableProcessors(), System.getProperty("os.version"), System.getProperty("java.version"));
        for (Path file : ComparisonChart.write(out, "Wiring containers: netwharf and the tools it replaces", subtitle, parameters, sides)) {
            System.out.println("wrote " + file);
        }
    }

    private static void baselineSide(List<ComparisonChart.Side> sides, String label, List<BaselineRun> runs) {
        if (!runs.isEmpty()) {
            sides.add(new ComparisonChart.Side(label, medianOf(runs, BaselineRun::seconds), medianOf(runs, BaselineRun::teardownSeconds), runs.size()));
        }
    }

    /** A comparison tool's rows: its create phase with the per-container times, then its teardown. */
    private void baselineRows(String createLabel, String teardownLabel, List<BaselineRun> runs) {
        row(createLabel, medianOf(runs, BaselineRun::seconds), medianOf(runs, r -> r.percentileMicros(50)),
                medianOf(runs, r -> r.percentileMicros(99)), medianOf(runs, r -> r.percentileMicros(100)));
        row(teardownLabel, medianOf(runs, BaselineRun::teardownSeconds), Double.NaN, Double.NaN, Double.NaN);
    }

    private static String rounds(List<?> runs) {
        return " (" + runs.size() + (runs.size() == 1 ? " round)" : " rounds)");
    }

    private void row(String label, double seconds, double p50Micros, double p99Micros, double maxMicros) {
        System.out.printf("%-58s %8.3f %7.0f us %s %s %s%n", label, seconds, seconds * 1e6 / containers, ms(p50Micros), ms(p99Micros),
                ms(maxMicros));
    }

    private static String ms(double micros) {
        return Double.isNaN(micros) ? String.format("%10s", "") : String.format("%7.1f ms", micros / 1e3);
    }

    /**
     * Diagnostics seen from outside the runtime, during a create phase: every 50 ms, the namespaces in the runtime's
     * directory (created), the bridge's ports (veth made, host side done), the ports with carrier (the peer is up
     * inside: the container side done) and the answered requests; and the process's CPU time over the phase.
     */
    private static final class Timeline implements Runnable {
        private static final int IFF_LOWER_UP = 0x10000;
        private final NetlinkSocket socket;
        private final int bridge;
        private final Path namespaces;
        private final int n;
        private final RuntimeWiringBenchmark bench;
        private final List<String> samples = new ArrayList<>();
        private final long start = System.nanoTime();
        private final long[] cpuStart = BenchSupport.cpuTicks();
        private final Thread thread;
        private volatile boolean stop;

        private Timeline(NetlinkSocket socket, int bridge, Path namespaces, int n, RuntimeWiringBenchmark bench) {
            this.socket = socket;
            this.bridge = bridge;
            this.namespaces = namespaces;
            this.n = n;
            this.bench = bench;
            this.thread = new Thread(this, "timeline");
        }

        static Timeline start(NetlinkSocket socket, int bridge, Path namespaces, int n, RuntimeWiringBenchmark bench) {
            Timeline t = new Timeline(socket, bridge, namespaces, n, bench);
            t.thread.start();
            return t;
        }

        @Override
        public void run() {
            while (!stop && bench.timelineInterval > 0) {
                sample();
                try {
                    Thread.sleep(bench.timelineInterval);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void sample() {
            long t = (System.nanoTime() - start) / 1_000_000;
            int created;
            try (Stream<Path> files = Files.list(namespaces)) {
                created = (int) files.count();
            } catch (IOException e) {
                created = 0;
            }
            CountDownLatch batch = bench.inFlight;
            long answered = batch == null ? 0 : n - batch.getCount();
            List<LinkMessage> ports;
            try {
                ports = new Links(socket).list().stream().filter(l -> l.master() != null && l.master() == bridge).toList();
            } catch (KernelException e) { // a dump interrupted again and again while links come and go: skip this sample
                samples.add(String.format("  %6d ms  namespaces %5d  (link dump interrupted)         answered %5d", t, created, answered));
                return;
            }
            long carrier = ports.stream().filter(l -> (l.flags() & IFF_LOWER_UP) != 0).count();
            samples.add(String.format("  %6d ms  namespaces %5d  ports %5d  with carrier %5d  answered %5d", t, created, ports.size(), carrier, answered));
        }

        void stopAndPrint(int round) throws InterruptedException {
            long end = System.nanoTime();
            long[] cpuEnd = BenchSupport.cpuTicks();
            stop = true;
            thread.join();
            if (bench.timelineInterval > 0) {
                sample();
            }
            socket.close();
            System.out.printf("round %d timeline of the create phase, CLOCK_MONOTONIC %.6f to %.6f (for perf record -k mono; "
                            + "CPU of this process over it: user %.2f s, system %.2f s):%n", round, start / 1e9, end / 1e9,
                    (cpuEnd[0] - cpuStart[0]) / 100.0, (cpuEnd[1] - cpuStart[1]) / 100.0);
            samples.forEach(System.out::println);
        }
    }
}
