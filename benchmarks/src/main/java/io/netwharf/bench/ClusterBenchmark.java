package io.netwharf.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwharf.bench.stress.DaemonProcess;
import io.netwharf.launcher.ApiClient;
import org.HdrHistogram.Histogram;
import org.apache.hc.core5.util.Timeout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code cluster}: three hosts (network namespaces on an underlay bridge, see {@link ClusterUnderlay}), one daemon JVM
 * each, forming a cluster; in one run: (1) convergence, from the create request of a container on host A to the first
 * answered TCP connection to it from a container on host B (and, for comparison, from one on A); (2) 3 × M containers
 * made at once on one overlay network, M on it from host A alone, and M on a bridge network of host A alone; (3) host
 * A's heap after a full GC with no remote endpoints against 1,000 (500 on B, 500 on C), checked against the neighbour
 * entries on A's VXLAN link. The parts run in the order (3), (1), (2).
 */
@Command(name = "cluster", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Three hosts in the sandbox, one daemon each in a cluster: overlay convergence (create on A to first TCP answer "
                + "from B), 3 x M containers on an overlay against M on a single-host bridge, and host A's memory at 1,000 remote endpoints.",
                "  JAVA_OPTS=-Xmx512m benchmarks/run-in-sandbox cluster -n 300 -m 300 --remote 1000 -c 2"})
public final class ClusterBenchmark implements Callable<Integer> {
    private static final int PORT = 8080;
    /**
     * The container's server, answering "ok": plain perl with no modules (it listens about 2 ms after exec; with
     * IO::Socket::INET, as first written, perl took 20 ms to load before listening, which the convergence then counted).
     * The numbers are the kernel's: AF_INET 2, SOCK_STREAM 1, SOL_SOCKET 1, SO_REUSEADDR 2; a sockaddr_in packed by hand.
     */
    private static final String SERVER = "socket(S,2,1,6) or die $!;setsockopt(S,1,2,pack('l',1));"
            + "bind(S,pack('SnNx8',2," + PORT + ",0)) or die $!;listen(S,128) or die $!;"
            + "while(accept(C,S)){syswrite(C,\"ok\\n\");close C}";
    /**
     * Reads one address a line; connects to it every ~1 ms until it answers "ok" (or 60 s pass) and prints
     * time.monotonic_ns() at that moment (or FAIL). Python's monotonic clock is CLOCK_MONOTONIC on Linux, as is Java's
     * System.nanoTime(), so the benchmark subtracts the two directly (same machine, same clock).
     */
    private static final String PROBER = """
            import socket, sys, time
            for line in sys.stdin:
                ip = line.strip()
                deadline = time.monotonic() + 60
                done = None
                while time.monotonic() < deadline:
                    s = socket.socket()
                    s.settimeout(0.02)
                    try:
                        s.connect((ip, %d))
                        if s.recv(3).startswith(b'ok'):
                            done = time.monotonic_ns()
                    except OSError:
                        pass
                    finally:
                        s.close()
                    if done:
                        break
                    time.sleep(0.001)
                print(done if done else 'FAIL', flush=True)
            """.formatted(PORT);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = {"-n", "--rounds"}, description = "convergence rounds (default ${DEFAULT-VALUE})")
    int rounds = 300;

    @Option(names = {"-m", "--per-host"}, description = "containers per host in the scale part (default ${DEFAULT-VALUE})")
    int perHost = 300;

    @Option(names = "--remote", description = "remote endpoints for host A's memory, half on B, half on C (default ${DEFAULT-VALUE})")
    int remote = 1000;

    @Option(names = {"-c", "--clients"}, description = "client threads per host in the scale and memory parts (default ${DEFAULT-VALUE})")
    int clients = 4;

    @Option(names = "--image", description = "the image (default ${DEFAULT-VALUE})")
    String image = "debian";

    @Option(names = "--daemon-heap", description = "each daemon's -Xmx (default ${DEFAULT-VALUE})")
    String heap = "512m";

    @Option(names = "--run-dir", defaultValue = "${env:NETWHARF_BENCH_RUN_DIR}",
            description = "where the host namespaces and daemons' folders go (default: $NETWHARF_BENCH_RUN_DIR, else a new temporary folder)")
    Path runDirectory;

    private final AtomicInteger leaseRetries = new AtomicInteger();

    private record Scale(String kind, int containers, double seconds, Histogram latency, int failed) {}

    @Override
    public Integer call() throws Exception {
        if (!BenchSupport.inThrowawayNamespace()) {
            System.err.println("run this inside benchmarks/run-in-sandbox: it makes namespaces, an underlay bridge and three daemons");
            return 2;
        }
        Path dir = runDirectory != null ? runDirectory : Files.createTempDirectory("netwharf-cluster-");
        List<String> warnings = new ArrayList<>();
        List<DaemonProcess> daemons = new ArrayList<>();
        List<ApiClient> apis = new ArrayList<>();
        try (ClusterUnderlay underlay = ClusterUnderlay.create(dir.resolve("hosts"), 3)) {
            for (int i = 1; i <= 3; i++) {
                daemons.add(DaemonProcess.start(dir.resolve("host" + i), heap, 4L * (perHost + remote) + 4096, warnings, underlay.netns(i),
                        List.of("--cluster-bind", ClusterUnderlay.address(i), "--cluster-seed", ClusterUnderlay.address(1),
                                "--cluster-seed", ClusterUnderlay.address(2))));
            }
            warnings.forEach(w -> System.err.println("warning: " + w));
            for (DaemonProcess daemon : daemons) {
                awaitListening(daemon);
                ApiClient api = ApiClient.connect(daemon.host(), 4 * clients, Timeout.ofSeconds(120));
                apis.add(api);
                expect(api.post("/images/create?fromImage=" + image + "&tag=latest", null), "pull " + image);
            }
            System.out.printf("3 hosts, %d cores, %d MiB memory, kernel %s; daemons -Xmx%s%n", Runtime.getRuntime().availableProcessors(),
                    totalMemoryMiB(), Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip(), heap);
            ApiClient a = apis.get(0);
            String network = createOverlay(a);
            String vxlan = "vx-" + network.substring(0, 12);
            for (ApiClient other : apis) { // the network reaches the other nodes through distributed data
                for (int i = 0; i < 600 && !other.get("/networks/" + network).ok(); i++) {
                    Thread.sleep(100);
                }
            }

            // (3) Memory first, while nothing else has run: A needs an endpoint of its own to have the VXLAN link at all.
            String anchor = run(a, "anchor", "ov", List.of("sleep", "infinity"));
            long aPid = daemons.get(0).pid();
            DaemonProcess.Memory before = DaemonProcess.memory(aPid);
            int neighboursBefore = neighbours(underlay.netns(1), vxlan);
            List<String> bc = fill(apis.subList(1, 3), "mem", "ov", remote / 2);
            long waited = System.nanoTime();
            int neighboursAfter = neighboursBefore;
            while (neighboursAfter - neighboursBefore < remote && System.nanoTime() - waited < TimeUnit.SECONDS.toNanos(120)) {
                Thread.sleep(200);
                neighboursAfter = neighbours(underlay.netns(1), vxlan);
            }
            DaemonProcess.Memory after = DaemonProcess.memory(aPid);
            long remotes = neighboursAfter - neighboursBefore;
            System.out.printf("memory of host A (after a full GC): neighbours on %s %d -> %d%n", vxlan, neighboursBefore, neighboursAfter);
            System.out.printf("  heap used %.1f MiB -> %.1f MiB, RSS %.1f MiB -> %.1f MiB; %.0f heap bytes per remote endpoint%n",
                    before.heapUsedBytes() / 1048576.0, after.heapUsedBytes() / 1048576.0, before.rssBytes() / 1048576.0,
                    after.rssBytes() / 1048576.0, remotes > 0 ? (double) (after.heapUsedBytes() - before.heapUsedBytes()) / remotes : Double.NaN);
            removeAll(apis.subList(1, 3), bc);

            // (1) Convergence: a prober in a container's namespaces on B, and one on A (the same host: what a container
            // there would see), both handed each new container's address at once.
            Prober remoteProber = prober(apis.get(1), "prober-b");
            Prober localProber = prober(a, "prober-a");
            Histogram convergence = new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
            Histogram sameHost = new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
            Histogram started = new Histogram(TimeUnit.SECONDS.toMicros(120), 3); // the part until A's start answered
            int convergenceFailed = 0;
            try {
                for (int r = 0; r < rounds; r++) {
                    long began = System.nanoTime(); // CLOCK_MONOTONIC, as the prober's time.monotonic_ns()
                    String id = json(expect(a.post("/containers/create?name=conv" + r, body("ov", List.of("perl", "-e", SERVER))),
                            "create")).get("Id").asText();
                    expect(a.post("/containers/" + id + "/start", null), "start");
                    started.recordValue((System.nanoTime() - began) / 1000);
                    String ip = inspect(a, id).path("NetworkSettings").path("Networks").path("ov").path("IPAddress").asText();
                    remoteProber.probe(ip);
                    localProber.probe(ip);
                    long remote = remoteProber.answeredAt();
                    long local = localProber.answeredAt();
                    if (remote < 0 || local < 0) {
                        convergenceFailed++;
                    } else {
                        convergence.recordValue(Math.max(0, (remote - began) / 1000));
                        sameHost.recordValue(Math.max(0, (local - began) / 1000));
                    }
                    expect(a.delete("/containers/" + id + "?force=true"), "remove"); // each round's container is removed
                }
            } finally {
                remoteProber.close();
                localProber.close();
            }

            System.out.println();
            System.out.printf("convergence (create on A -> first TCP answer on B), %d rounds, %d failed:%n", rounds, convergenceFailed);
            System.out.printf("  p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms%n", ms(convergence, 50), ms(convergence, 90),
                    ms(convergence, 99), convergence.getMaxValue() / 1e3);
            System.out.printf("  the same from a container on A:  p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms%n", ms(sameHost, 50),
                    ms(sameHost, 90), ms(sameHost, 99), sameHost.getMaxValue() / 1e3);
            System.out.printf("  of which create + start on A:    p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms%n", ms(started, 50),
                    ms(started, 90), ms(started, 99), started.getMaxValue() / 1e3);
            // (2) Scale: 3 x M on the overlay, the hosts in parallel; M on the overlay from A alone (the overlay's own
            // cost, without three daemons sharing the cores); then M on a bridge network of A alone.
            Scale overlay = scale("overlay 3x" + perHost, apis, "ov");
            Scale overlayOnA = scale("overlay 1x" + perHost, List.of(a), "ov");
            expect(a.post("/networks/create", "{\"Name\":\"br\",\"Driver\":\"bridge\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.200.0.0/16\"}]}}"), "create bridge");
            Scale bridge = scale("bridge 1x" + perHost, List.of(a), "br");

            System.out.printf("%-18s %10s %9s %11s %9s %9s %7s%n", "scale", "containers", "wall s", "per s", "p50 ms", "p99 ms", "failed");
            for (Scale s : List.of(overlay, overlayOnA, bridge)) {
                System.out.printf("%-18s %10d %9.2f %11.1f %9.1f %9.1f %7d%n", s.kind(), s.containers(), s.seconds(), s.containers() / s.seconds(),
                        ms(s.latency(), 50), ms(s.latency(), 99), s.failed());
            }
            expect(a.delete("/containers/" + anchor + "?force=true"), "remove");
            System.out.printf("starts retried after a refused block lease: %d%n", leaseRetries.get());
            boolean ok = convergenceFailed == 0 && overlay.failed() == 0 && overlayOnA.failed() == 0 && bridge.failed() == 0 && remotes >= remote;
            return ok ? 0 : 1;
        } catch (Exception | Error e) {
            for (int i = 0; i < daemons.size(); i++) {
                System.err.println("---- host " + (i + 1) + " ----\n" + daemons.get(i).logTail(30));
            }
            throw e;
        } finally {
            apis.forEach(ApiClient::close);
            for (DaemonProcess daemon : daemons) {
                daemon.close();
            }
        }
    }

    /** {@code perHost} containers on each of {@code hosts}, all at once ({@code clients} threads per host), then removed. */
    private Scale scale(String kind, List<ApiClient> hosts, String network) throws Exception {
        Histogram latency = new Histogram(TimeUnit.SECONDS.toMicros(600), 3);
        AtomicInteger failed = new AtomicInteger();
        List<List<String>> made = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(hosts.size() * clients);
        long began = System.nanoTime();
        List<Future<?>> workers = new ArrayList<>();
        for (int h = 0; h < hosts.size(); h++) {
            ApiClient api = hosts.get(h);
            List<String> ids = Collections.synchronizedList(new ArrayList<>());
            made.add(ids);
            AtomicInteger left = new AtomicInteger(perHost);
            for (int c = 0; c < clients; c++) {
                workers.add(pool.submit(() -> {
                    int i;
                    while ((i = left.decrementAndGet()) >= 0) {
                        long start = System.nanoTime();
                        try {
                            ids.add(run(api, null, network, List.of("sleep", "infinity")));
                            long micros = (System.nanoTime() - start) / 1000;
                            synchronized (latency) {
                                latency.recordValue(Math.min(micros, latency.getHighestTrackableValue()));
                            }
                        } catch (IOException e) {
                            failed.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        double seconds = (System.nanoTime() - began) / 1e9;
        pool.shutdown();
        removeAll(hosts, made.stream().flatMap(List::stream).toList());
        return new Scale(kind, hosts.size() * perHost, seconds, latency, failed.get());
    }

    /** {@code each} containers on every one of {@code hosts}, made by {@code clients} threads per host. */
    private List<String> fill(List<ApiClient> hosts, String prefix, String network, int each) throws Exception {
        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(hosts.size() * clients);
        List<Future<?>> workers = new ArrayList<>();
        for (ApiClient api : hosts) {
            AtomicInteger left = new AtomicInteger(each);
            for (int c = 0; c < clients; c++) {
                workers.add(pool.submit(() -> {
                    while (left.decrementAndGet() >= 0) {
                        ids.add(api.host() + " " + run(api, null, network, List.of("sleep", "infinity")));
                    }
                    return null;
                }));
            }
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        pool.shutdown();
        return ids.stream().map(s -> s.substring(s.indexOf(' ') + 1)).toList();
    }

    /** Force-removes {@code ids} from whichever of {@code hosts} has them (404 elsewhere), a few at a time. */
    private void removeAll(List<ApiClient> hosts, List<String> ids) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> removals = new ArrayList<>();
        for (String id : ids) {
            removals.add(pool.submit(() -> {
                for (ApiClient api : hosts) {
                    if (api.delete("/containers/" + id + "?force=true").ok()) {
                        break;
                    }
                }
                return null;
            }));
        }
        for (Future<?> removal : removals) {
            removal.get();
        }
        pool.shutdown();
    }

    /** Creates and starts a container (named {@code name} unless null) on {@code network}; answers its id. */
    private String run(ApiClient api, String name, String network, List<String> cmd) throws IOException {
        String id = json(expect(api.post("/containers/create" + (name == null ? "" : "?name=" + name), body(network, cmd)), "create")).get("Id").asText();
        ApiClient.Response started = api.post("/containers/" + id + "/start", null);
        // A block lease not confirmed by a majority in time (the loaded two-core machine) is refused: the daemon says
        // to try again; counted and reported.
        for (int i = 0; i < 5 && started.status() == 403 && started.body().contains("lease of an address block"); i++) {
            leaseRetries.incrementAndGet();
            started = api.post("/containers/" + id + "/start", null);
        }
        expect(started, "start");
        return id;
    }

    private String body(String network, List<String> cmd) throws IOException {
        return "{\"Image\":\"" + image + "\",\"Cmd\":" + JSON.writeValueAsString(cmd) + ",\"HostConfig\":{\"NetworkMode\":\"" + network + "\"}}";
    }

    private static JsonNode inspect(ApiClient api, String id) throws IOException {
        return json(expect(api.get("/containers/" + id + "/json"), "inspect"));
    }

    private static ApiClient.Response expect(ApiClient.Response response, String what) throws IOException {
        if (!response.ok()) {
            throw new IOException(what + ": " + response.status() + " " + response.body());
        }
        return response;
    }

    private static JsonNode json(ApiClient.Response response) throws IOException {
        return JSON.readTree(response.body());
    }

    /** Neighbour entries with a link-layer address on {@code link} in {@code netns} (observed with ip: fine in a benchmark). */
    private static int neighbours(Path netns, String link) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("nsenter", "--net=" + netns, "ip", "-j", "neigh", "show", "dev", link)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        if (out.isBlank()) {
            return 0;
        }
        int n = 0;
        for (JsonNode entry : JSON.readTree(out)) {
            n += entry.has("lladdr") ? 1 : 0;
        }
        return n;
    }

    /** Waits until the daemon serves its API. */
    private static void awaitListening(DaemonProcess daemon) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!(Files.exists(daemon.log()) && Files.readString(daemon.log()).contains("listening"))) {
            if (!daemon.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("daemon not listening:\n" + daemon.logTail(30));
            }
            Thread.sleep(200);
        }
    }

    /** Creates the overlay network on A, retrying while the cluster forms (a network needs a majority of the nodes). */
    private static String createOverlay(ApiClient a) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            ApiClient.Response r = a.post("/networks/create", "{\"Name\":\"ov\",\"Driver\":\"overlay\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.128.0.0/16\"}]}}");
            if (r.ok()) {
                return json(r).get("Id").asText();
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("create overlay: " + r.status() + " " + r.body());
            }
            Thread.sleep(500);
        }
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1e3;
    }

    private static long totalMemoryMiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }

    /** A container named {@code name} on the overlay, with {@link #PROBER} running in its namespaces. */
    private Prober prober(ApiClient api, String name) throws IOException {
        String container = run(api, name, "ov", List.of("sleep", "infinity"));
        String pid = inspect(api, container).path("State").path("Pid").asText();
        Process process = new ProcessBuilder("nsenter", "-t", pid, "-n", "-m", "python3", "-c", PROBER)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        return new Prober(api, container, process);
    }

    /** {@link #PROBER} running in the namespaces of a container of its own on one host. */
    private static final class Prober implements AutoCloseable {
        private final ApiClient api;
        private final String container;
        private final Process process;
        private final Writer in;
        private final BufferedReader out;

        private Prober(ApiClient api, String container, Process process) {
            this.api = api;
            this.container = container;
            this.process = process;
            this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        void probe(String address) throws IOException {
            in.write(address + "\n");
            in.flush();
        }

        /** When the probed address first answered (CLOCK_MONOTONIC ns), or -1 if it did not. */
        long answeredAt() throws IOException {
            String answer = out.readLine();
            return answer == null || answer.equals("FAIL") ? -1 : Long.parseLong(answer);
        }

        @Override
        public void close() throws IOException {
            process.destroy();
            expect(api.delete("/containers/" + container + "?force=true"), "remove");
        }
    }
}
