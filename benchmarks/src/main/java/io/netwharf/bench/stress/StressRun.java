package io.netwharf.bench.stress;

import io.netwharf.launcher.ApiClient;
import io.netwharf.bench.stress.StressResult.ContainerRow;
import io.netwharf.bench.stress.StressResult.Network;
import io.netwharf.ipam.Ipv4;
import io.netwharf.ipam.Ipv4Subnet;
import io.netwharf.kernel.Links;
import io.netwharf.kernel.NetlinkSocket;
import io.netwharf.network.bridge.BridgeDriver;
import io.netwharf.protocol.rtnetlink.LinkMessage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.HdrHistogram.Histogram;
import org.apache.hc.core5.util.Timeout;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One stress run through the Docker Engine API, reusable by other benchmarks: start a daemon (a child process, or
 * use a running one), make the networks, launch N containers with C concurrent clients (create, then start), check
 * they work (the list shows N with distinct addresses; a sample pings its gateway and a peer), remove them, delete
 * the networks, check nothing is left, and stop the daemon. Whatever fails, what was made is removed before the run
 * ends. {@link #run} answers the figures; {@link StressResult#ok()} says whether all worked and nothing leaked.
 *
 * <pre>{@code
 * StressResult r = StressRun.run(StressSettings.defaults(1000, 16, workDir), Progress.none(), System.out);
 * double seconds = r.seconds(StressResult.LAUNCH);
 * long p99 = r.latencies().get(StressResult.CREATE_START).getValueAtPercentile(99); // microseconds
 * }</pre>
 */
public final class StressRun {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> PREDEFINED_NETWORKS = Set.of("bridge", "host", "none");
    private static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);

    private final StressSettings settings;
    private final Progress.Factory progress;
    private final PrintStream log;
    private final String runId = HexFormat.of().formatHex(new byte[] {(byte) ThreadLocalRandom.current().nextInt(),
            (byte) ThreadLocalRandom.current().nextInt(), (byte) ThreadLocalRandom.current().nextInt()});

    private final Map<String, Double> phases = new LinkedHashMap<>();
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private final List<String> leaks = new ArrayList<>();

    private final int n;
    private final Batch batch;
    private final String[] names;
    private final String[] ids;
    private final int[] networkOf;
    private final String[] addresses;

    private List<Network> networks = List.of();
    private int portsBefore;
    private final Map<String, StressResult.CpuUse> cpu = new LinkedHashMap<>();

    /** Containers launched and removed together: their names, ids, networks and request times (-1: not done). */
    private static final class Batch {
        final int size;
        final String[] names;
        final String[] ids;
        final int[] networkOf;
        final String[] addresses;
        final long[] createNanos;
        final long[] startNanos;
        final long[] removeNanos;

        Batch(String prefix, int size) {
            this.size = size;
            names = new String[size];
            ids = new String[size];
            networkOf = new int[size];
            addresses = new String[size];
            createNanos = filled(size);
            startNanos = filled(size);
            removeNanos = filled(size);
            for (int i = 0; i < size; i++) {
                names[i] = prefix + i;
            }
        }
    }

    private StressRun(StressSettings settings, Progress.Factory progress, PrintStream log) {
        this.settings = settings;
        this.progress = progress;
        this.log = log;
        n = settings.containers();
        batch = new Batch("stress-" + runId + "-", n);
        names = batch.names;
        ids = batch.ids;
        networkOf = batch.networkOf;
        addresses = batch.addresses;
    }

    /**
     * Runs it. Progress goes to {@code progress}, one line per phase to {@code log}. Throws only when the run cannot
     * begin (bad settings, not a throwaway namespace, the daemon not starting); failures and leaks along the way are
     * in the result.
     */
    public static StressResult run(StressSettings settings, Progress.Factory progress, PrintStream log) throws Exception {
        return new StressRun(settings, progress, log).execute();
    }

    private StressResult execute() throws Exception {
        Instant startedAt = Instant.now();
        String loadAverage = String.join(" ", Arrays.asList(read("/proc/loadavg").trim().split(" ")).subList(0, 3));
        long began = System.nanoTime();
        List<Network> plan = plan(settings, runId);
        DaemonProcess daemon = null;
        String host = settings.host();
        Long pid = settings.daemonPid();
        Path execRoot = settings.execRoot();
        if (settings.childDaemon()) {
            List<String> present = linkNames().stream().filter(l -> !l.equals("lo")).toList();
            if (!present.isEmpty()) {
                throw new IllegalStateException("refusing to start a daemon in a network namespace that already has links " + present
                        + ": run through benchmarks/run-in-sandbox (a throwaway namespace)");
            }
            List<String> warnings = new ArrayList<>();
            daemon = DaemonProcess.start(settings.workDir(), settings.daemonHeap(),
                    (settings.cmd().isEmpty() ? 1L : 2L) * n + 4096, warnings);
            warnings.forEach(w -> log.println("warning: " + w));
            host = daemon.host();
            pid = daemon.pid();
            execRoot = daemon.execRoot();
        }
        DaemonProcess.Memory before = null;
        DaemonProcess.Memory full = null;
        DaemonProcess.Memory after = null;
        Integer exit = null;
        try (ApiClient api = ApiClient.connect(host, settings.clients(), Timeout.of(settings.requestTimeout()))) {
            long t = System.nanoTime();
            awaitPing(api, daemon);
            phase(StressResult.DAEMON_START, t);
            log.printf(Locale.ROOT, "daemon answers on %s%s after %.2f s%n", host, pid == null ? "" : " (pid " + pid + ")",
                    phases.get(StressResult.DAEMON_START));

            Set<String> linksBefore = settings.kernelChecks() ? linkNames() : Set.of();
            String rulesBefore = settings.kernelChecks() ? ruleset() : "";
            Set<String> networksBefore = networkNames(api);

            t = System.nanoTime();
            networks = createNetworks(api, plan);
            phase(StressResult.CREATE_NETWORKS, t);
            portsBefore = settings.kernelChecks() ? ports() : 0;
            if (!networks.isEmpty()) {
                log.printf(Locale.ROOT, "%d network%s: %s%n", networks.size(), networks.size() == 1 ? "" : "s", describe(networks));
            }
            if (settings.warmUp() > 0 && failures.isEmpty()) {
                t = System.nanoTime();
                // In passes of at most N, which the networks are sized for
                for (int done = 0, pass = 0; done < settings.warmUp() && failures.isEmpty(); done += n, pass++) {
                    Batch warmUp = new Batch("stress-" + runId + "-warm-up-" + pass + "-", Math.min(n, settings.warmUp() - done));
                    launch(api, warmUp, "warm-up launch");
                    remove(api, warmUp, "warm-up remove");
                    if (settings.kernelChecks()) {
                        awaitPorts(portsBefore, TimeUnit.MINUTES.toNanos(2)); // the kernel frees veths after their namespaces
                    }
                }
                log.printf(Locale.ROOT, "warm-up: %d containers launched and removed in %.2f s (not in the figures)%n", settings.warmUp(),
                        (System.nanoTime() - t) / 1e9);
            }
            before = memory(pid);

            if (failures.isEmpty()) {
                t = System.nanoTime();
                long[] cpuBefore = cpuTicks(pid);
                launch(api, batch, "launch");
                phase(StressResult.LAUNCH, t);
                cpu.put(StressResult.LAUNCH, cpuUse(cpuBefore, cpuTicks(pid), phases.get(StressResult.LAUNCH)));
                if (failures.isEmpty()) {
                    full = memory(pid);
                    t = System.nanoTime();
                    try {
                        verify(api);
                    } catch (Exception e) { // still remove what was made
                        failures.add("verify: " + e);
                    }
                    phase(StressResult.VERIFY, t);
                }
            }

            t = System.nanoTime();
            long[] cpuBefore = cpuTicks(pid);
            remove(api, batch, "remove");
            phase(StressResult.REMOVE, t);
            cpu.put(StressResult.REMOVE, cpuUse(cpuBefore, cpuTicks(pid), phases.get(StressResult.REMOVE)));
            if (settings.kernelChecks()) {
                // The API answers once a namespace is unmounted; the kernel frees its veth pair afterwards, in the
                // background, and bridges cannot be deleted faster than that work lets them take the rtnl lock.
                t = System.nanoTime();
                cpuBefore = cpuTicks(pid);
                awaitPorts(portsBefore, TimeUnit.MINUTES.toNanos(2));
                phase(StressResult.KERNEL_CLEANUP, t);
                cpu.put(StressResult.KERNEL_CLEANUP, cpuUse(cpuBefore, cpuTicks(pid), phases.get(StressResult.KERNEL_CLEANUP)));
            }
            after = memory(pid);

            t = System.nanoTime();
            deleteNetworks(api);
            phase(StressResult.DELETE_NETWORKS, t);

            t = System.nanoTime();
            checkLeaks(api, networksBefore, linksBefore, rulesBefore, execRoot, pid);
            phase(StressResult.LEAK_CHECK, t);
        } catch (Exception e) {
            failures.add("run stopped: " + e);
            if (daemon != null && !daemon.isAlive()) {
                failures.add("the daemon died; its last output:\n" + daemon.logTail(30));
            }
        } finally {
            if (daemon != null) {
                long t = System.nanoTime();
                exit = daemon.stop(120).orElse(null);
                phase(StressResult.DAEMON_STOP, t);
                if (exit == null || exit != 0) {
                    failures.add("the daemon " + (exit == null ? "did not exit within 120 s of SIGTERM (killed)" : "exited with " + exit)
                            + "; its last output:\n" + daemon.logTail(30));
                }
            }
        }
        phases.put(StressResult.OVERALL, (System.nanoTime() - began) / 1e9);
        return new StressResult(settings, host, pid, networks, startedAt, phases, histograms(), rows(), before, full, after, exit,
                cpu, List.copyOf(failures), List.copyOf(leaks), machine(loadAverage));
    }

    // ---- networks -------------------------------------------------------------------------------------------------

    /**
     * The user networks to make for {@code settings}, named after {@code runId}, each with a subnet carved from the
     * pool and sized for its containers (round robin: the first ones get one more when N does not divide evenly); the
     * default {@code bridge} network alone with {@code networks} 0; none outside bridge mode. Refuses (with
     * IllegalArgumentException) more containers per bridge than a Linux bridge holds, or a pool too small.
     */
    static List<Network> plan(StressSettings settings, String runId) {
        int n = settings.containers();
        if (!settings.networkMode().equals("bridge")) {
            return List.of();
        }
        if (settings.networks() == 0) {
            if (n > BridgeDriver.MAX_PORTS) {
                throw new IllegalArgumentException(n + " containers do not fit on the default bridge network: a Linux bridge holds "
                        + BridgeDriver.MAX_PORTS + " ports; spread them over user networks (--networks)");
            }
            return List.of(new Network("bridge", null, null, null, null, n));
        }
        int count = settings.networks() > 0 ? settings.networks() : (n + settings.perNetwork() - 1) / settings.perNetwork();
        int most = (n + count - 1) / count;
        if (most > BridgeDriver.MAX_PORTS) {
            throw new IllegalArgumentException(n + " containers on " + count + " networks is " + most + " on one, over the "
                    + BridgeDriver.MAX_PORTS + " ports a Linux bridge holds: use more networks");
        }
        int hostBits = 32 - Integer.numberOfLeadingZeros(most + 2); // network, gateway, broadcast and `most` containers
        Ipv4Subnet pool = Ipv4Subnet.parse(settings.subnetPool());
        int prefix = Math.max(pool.prefixLength(), 32 - Math.max(2, hostBits));
        long available = 1L << (prefix - pool.prefixLength());
        if (count > available || prefix > 30) {
            throw new IllegalArgumentException("the subnet pool " + pool + " holds " + available + " subnets of /" + prefix
                    + ", fewer than the " + count + " networks needed");
        }
        List<Network> plan = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            Ipv4Subnet subnet = Ipv4Subnet.of(pool.network() + (int) ((long) k << (32 - prefix)), prefix);
            int members = n / count + (k < n % count ? 1 : 0);
            plan.add(new Network("stress-" + runId + "-net" + k, null, subnet.toString(), Ipv4.format(subnet.firstUsable()), null, members));
        }
        return plan;
    }

    private List<Network> createNetworks(ApiClient api, List<Network> plan) throws IOException {
        List<Network> made = new ArrayList<>();
        for (Network p : plan) {
            String id;
            if (p.id() == null && p.subnet() == null) { // the default bridge network
                id = "bridge";
            } else {
                ObjectNode body = JSON.createObjectNode();
                body.put("Name", p.name());
                body.put("Driver", "bridge");
                body.put("CheckDuplicate", true);
                ObjectNode ipam = body.putObject("IPAM");
                ipam.put("Driver", "default");
                ipam.putArray("Config").addObject().put("Subnet", p.subnet()).put("Gateway", p.gateway());
                ApiClient.Response r = api.post("/networks/create", JSON.writeValueAsString(body));
                if (r.status() != 201) {
                    failures.add("create network " + p.name() + " (" + p.subnet() + "): " + r.status() + " " + r.body().strip());
                    break;
                }
                id = JSON.readTree(r.body()).path("Id").asText();
            }
            JsonNode inspected = JSON.readTree(api.get("/networks/" + id).body());
            String bridge = inspected.path("Options").path("com.docker.network.bridge.name").asText("");
            if (bridge.isEmpty()) {
                bridge = "br-" + inspected.path("Id").asText().substring(0, 12);
            }
            JsonNode config = inspected.path("IPAM").path("Config").path(0);
            made.add(new Network(p.name(), inspected.path("Id").asText(), config.path("Subnet").asText(p.subnet()),
                    config.path("Gateway").asText(p.gateway()), bridge, p.members()));
        }
        return made;
    }

    private void deleteNetworks(ApiClient api) {
        for (Network network : networks) {
            try {
                JsonNode inspected = JSON.readTree(api.get("/networks/" + network.id()).body());
                JsonNode endpoints = inspected.path("Containers");
                if (endpoints.size() > 0) {
                    leaks.add("network " + network.name() + " still has " + endpoints.size() + " endpoint(s) (addresses in use) after "
                            + "the removal: " + first(fieldNames(endpoints), 5));
                }
                if (network.name().equals("bridge")) {
                    continue; // the default network stays
                }
                ApiClient.Response r = api.delete("/networks/" + network.id());
                if (r.status() != 204) {
                    failures.add("delete network " + network.name() + ": " + r.status() + " " + r.body().strip());
                }
            } catch (IOException e) {
                failures.add("delete network " + network.name() + ": " + e.getMessage());
            }
        }
    }

    // ---- containers -----------------------------------------------------------------------------------------------

    private void launch(ApiClient api, Batch b, String phase) throws Exception {
        String[] bodies = new String[Math.max(1, networks.size())];
        for (int k = 0; k < bodies.length; k++) {
            ObjectNode body = JSON.createObjectNode();
            body.put("Image", settings.image());
            if (!settings.cmd().isEmpty()) {
                settings.cmd().forEach(body.putArray("Cmd")::add);
            }
            body.putObject("HostConfig").put("NetworkMode", networks.isEmpty() ? settings.networkMode() : networks.get(k).name());
            bodies[k] = JSON.writeValueAsString(body);
        }
        int count = bodies.length;
        forAll(phase, b.size, index -> {
            int k = index % count;
            b.networkOf[index] = networks.isEmpty() ? -1 : k;
            long t0 = System.nanoTime();
            ApiClient.Response created = api.post("/containers/create?name=" + URLEncoder.encode(b.names[index], StandardCharsets.UTF_8), bodies[k]);
            long t1 = System.nanoTime();
            if (created.status() != 201) {
                throw new IOException("create " + b.names[index] + ": " + created.status() + " " + created.body().strip());
            }
            String id = idOf(created.body());
            b.ids[index] = id;
            ApiClient.Response started = api.post("/containers/" + id + "/start", null);
            long t2 = System.nanoTime();
            if (started.status() != 204) {
                throw new IOException("start " + b.names[index] + ": " + started.status() + " " + started.body().strip());
            }
            b.createNanos[index] = t1 - t0;
            b.startNanos[index] = t2 - t1;
        });
    }

    /** Removes every container of the batch that was created, even if the launch failed half-way. */
    private void remove(ApiClient api, Batch b, String phase) throws Exception {
        forAll(phase, b.size, index -> {
            if (b.ids[index] == null) {
                return;
            }
            long t0 = System.nanoTime();
            ApiClient.Response removed = api.delete("/containers/" + b.ids[index] + "?force=true");
            long t1 = System.nanoTime();
            if (removed.status() != 204) {
                throw new IOException("remove " + b.names[index] + ": " + removed.status() + " " + removed.body().strip());
            }
            b.removeNanos[index] = t1 - t0;
        });
    }

    private interface Step {
        void run(int index) throws Exception;
    }

    /**
     * Runs {@code step} for 0 … N-1 on C client threads, each taking the next index when done with one: at most C
     * requests in flight, each client's requests one after another on a kept-alive connection. The first failure
     * stops the others taking more; it is recorded as a failure of the run.
     */
    private void forAll(String phase, int n, Step step) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Exception> failed = new AtomicReference<>();
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(settings.clients(), r -> {
            Thread thread = new Thread(r, "stress-client-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        try (Progress bar = progress.start(phase, n)) {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < settings.clients(); c++) {
                running.add(clients.submit(() -> {
                    for (int i = next.getAndIncrement(); i < n && failed.get() == null; i = next.getAndIncrement()) {
                        try {
                            step.run(i);
                        } catch (Exception e) {
                            failed.compareAndSet(null, e);
                            return;
                        }
                        bar.step();
                    }
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            clients.shutdownNow();
        }
        if (failed.get() != null) {
            failures.add(phase + ": " + failed.get().getMessage());
        }
    }

    // ---- checks ---------------------------------------------------------------------------------------------------

    /**
     * The list shows the N containers, running, each with an address of its own on its network; the bridges have
     * their ports; a sample spread over the networks pings its gateway and a peer on the same network.
     */
    private void verify(ApiClient api) throws Exception {
        JsonNode list = JSON.readTree(api.get("/containers/json?all=1").body());
        Map<String, JsonNode> byName = new HashMap<>();
        for (JsonNode c : list) {
            String name = c.path("Names").path(0).asText().substring(1);
            byName.put(name, c);
        }
        int missing = 0;
        int notRunning = 0;
        Set<String> seen = new HashSet<>();
        List<String> duplicates = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            JsonNode c = byName.get(names[i]);
            if (c == null) {
                missing++;
                continue;
            }
            if (!c.path("State").asText().equals("running")) {
                notRunning++;
            }
            if (!networks.isEmpty()) {
                String address = c.path("NetworkSettings").path("Networks").path(networks.get(networkOf[i]).name()).path("IPAddress").asText("");
                addresses[i] = address;
                if (address.isEmpty() || !seen.add(address)) {
                    duplicates.add(names[i] + (address.isEmpty() ? " (no address)" : " (" + address + ")"));
                }
            }
        }
        if (missing > 0 || notRunning > 0) {
            failures.add("the list shows " + (n - missing) + " of the " + n + " containers" + (notRunning > 0 ? ", " + notRunning + " not running" : ""));
        }
        if (!duplicates.isEmpty()) {
            failures.add(duplicates.size() + " containers without an address of their own: " + first(duplicates, 5));
        }
        if (settings.kernelChecks() && !networks.isEmpty()) {
            try (NetlinkSocket socket = NetlinkSocket.open()) {
                List<LinkMessage> links = new Links(socket).list();
                for (Network network : networks) {
                    int bridge = links.stream().filter(l -> l.name().equals(network.bridge())).mapToInt(LinkMessage::index).findFirst().orElse(-1);
                    long up = links.stream().filter(l -> l.master() != null && l.master() == bridge && l.isUp()).count();
                    if (bridge < 0 || up != network.members()) {
                        failures.add("bridge " + network.bridge() + " of network " + network.name() + " has " + up + " ports up, not " + network.members());
                    }
                }
            }
        }
        int pinged = pingSample(api, byName);
        log.printf(Locale.ROOT, "verified: %d containers listed running%s%s%n", n - missing - notRunning,
                networks.isEmpty() ? "" : ", " + seen.size() + " distinct addresses",
                pinged > 0 ? ", " + pinged + " sampled reach their gateway and a peer" : "");
    }

    /** Pings from a sample spread over the networks; answers how many reached both their gateway and a peer. */
    private int pingSample(ApiClient api, Map<String, JsonNode> byName) throws Exception {
        if (settings.sample() == 0 || settings.networkMode().equals("host")) {
            return 0;
        }
        int count = Math.max(1, networks.size());
        int rounds = (settings.sample() + count - 1) / count;
        int reached = 0;
        for (int s = 0; s < Math.min(settings.sample(), n); s++) {
            int k = s % count;
            int members = networks.isEmpty() ? n : networks.get(k).members();
            if (members == 0) {
                continue;
            }
            int j = (int) ((long) (s / count) * members / rounds);
            int index = k + j * count;
            if (ids[index] == null || byName.get(names[index]) == null) {
                continue;
            }
            JsonNode inspected = JSON.readTree(api.get("/containers/" + ids[index] + "/json").body());
            String sandbox = inspected.path("NetworkSettings").path("SandboxKey").asText("");
            if (sandbox.isEmpty() || !Files.exists(Path.of(sandbox))) {
                failures.add(names[index] + ": no namespace at its SandboxKey \"" + sandbox + "\"");
                continue;
            }
            if (networks.isEmpty()) { // none mode: only lo, up
                if (answers(sandbox, "127.0.0.1")) {
                    reached++;
                } else {
                    failures.add(names[index] + " (none mode) does not reach 127.0.0.1 on its lo");
                }
                continue;
            }
            Network network = networks.get(k);
            boolean ok = answers(sandbox, network.gateway());
            if (!ok) {
                failures.add(names[index] + " (" + addresses[index] + ") does not reach its gateway " + network.gateway() + " on " + network.name());
            }
            if (members > 1) {
                int peer = k + ((j + 1) % members) * count;
                if (addresses[peer] != null && !addresses[peer].isEmpty() && !answers(sandbox, addresses[peer])) {
                    failures.add(names[index] + " (" + addresses[index] + ") does not reach its peer " + names[peer] + " (" + addresses[peer] + ")");
                    ok = false;
                }
            }
            if (ok) {
                reached++;
            }
        }
        return reached;
    }

    /**
     * A ping from inside the namespace, tried up to the settings' tries: with a thousand ports on a bridge, a burst of
     * broadcasts can overflow the kernel's per-CPU receive backlog and drop an ARP reply, which a retry gets past and
     * a wiring fault does not (see the README).
     */
    private boolean answers(String sandbox, String address) throws IOException, InterruptedException {
        for (int i = 0; i < settings.pingTries(); i++) {
            Process p = new ProcessBuilder("nsenter", "--net=" + sandbox, "ping", "-c", "1", "-W", "2", "-q", address)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (p.waitFor(15, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return true;
            }
            p.destroyForcibly();
        }
        return false;
    }

    /**
     * Nothing left: no container and no network of the run in the API, no link that was not there before (veths go
     * shortly after their namespaces, so this waits up to two minutes), no namespace file under the exec root, the
     * same nftables ruleset as before the networks were made, no process of the daemon's children.
     */
    private void checkLeaks(ApiClient api, Set<String> networksBefore, Set<String> linksBefore, String rulesBefore, Path execRoot,
                            Long pid) throws Exception {
        JsonNode list = JSON.readTree(api.get("/containers/json?all=1").body());
        List<String> containersLeft = new ArrayList<>();
        for (JsonNode c : list) {
            String name = c.path("Names").path(0).asText();
            if (settings.childDaemon() || name.startsWith("/stress-" + runId + "-")) {
                containersLeft.add(name);
            }
        }
        if (!containersLeft.isEmpty()) {
            leaks.add(containersLeft.size() + " container(s) still listed: " + first(containersLeft, 5));
        }
        Set<String> networksLeft = new TreeSet<>(networkNames(api));
        networksLeft.removeAll(settings.childDaemon() ? PREDEFINED_NETWORKS : networksBefore);
        if (!networksLeft.isEmpty()) {
            leaks.add("network(s) still listed: " + networksLeft);
        }
        if (execRoot != null) {
            Path netns = execRoot.resolve("netns");
            if (Files.isDirectory(netns)) {
                try (Stream<Path> files = Files.list(netns)) {
                    List<String> left = files.map(p -> p.getFileName().toString()).sorted().toList();
                    if (!left.isEmpty()) {
                        leaks.add(left.size() + " namespace file(s) left under " + netns + ": " + first(left, 5));
                    }
                }
            }
        }
        if (settings.kernelChecks()) {
            // the veths went in the kernel cleanup phase (up to two minutes), the bridges with their networks
            Set<String> extra = linksBackTo(linksBefore, TimeUnit.SECONDS.toNanos(5));
            if (!extra.isEmpty()) {
                leaks.add(extra.size() + " link(s) left after the removal: " + first(new ArrayList<>(extra), 8));
            }
            String rules = ruleset();
            if (!rules.equals(rulesBefore)) {
                List<String> was = rulesBefore.lines().toList();
                List<String> is = rules.lines().toList();
                List<String> added = is.stream().filter(l -> !was.contains(l)).map(String::strip).toList();
                List<String> gone = was.stream().filter(l -> !is.contains(l)).map(String::strip).toList();
                leaks.add("the nftables ruleset differs from the one before the networks were made: " + added.size() + " line(s) more "
                        + first(added, 5) + ", " + gone.size() + " fewer " + first(gone, 5));
            }
        }
        if (pid != null) {
            List<String> children = childrenOf(pid);
            if (!children.isEmpty()) {
                leaks.add(children.size() + " process(es) of the daemon left: " + first(children, 5));
            }
        }
        log.println(leaks.isEmpty() ? "nothing left: no container, network, link, namespace, rule or process of the run"
                : "LEFT BEHIND: " + String.join("; ", leaks));
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    private void awaitPing(ApiClient api, DaemonProcess daemon) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            if (daemon != null && !daemon.isAlive()) {
                throw new IllegalStateException("the daemon exited before answering; its last output:\n" + daemon.logTail(30));
            }
            if (daemon == null || Files.exists(Path.of(daemon.host().substring("unix://".length())))) {
                try {
                    if (api.get("/_ping").status() == 200) {
                        return;
                    }
                } catch (IOException e) {
                    last = e;
                }
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the daemon at " + api.host() + " did not answer GET /_ping within 60 s"
                + (last == null ? "" : ": " + last.getMessage()) + (daemon == null ? "" : "; its last output:\n" + daemon.logTail(30)));
    }

    /** The ports of the run's bridges: the host ends of the containers' veth pairs. */
    private int ports() {
        try (NetlinkSocket socket = NetlinkSocket.open()) {
            List<LinkMessage> links = new Links(socket).list();
            Set<Integer> bridges = new HashSet<>();
            for (LinkMessage l : links) {
                if (networks.stream().anyMatch(nw -> nw.bridge().equals(l.name()))) {
                    bridges.add(l.index());
                }
            }
            return (int) links.stream().filter(l -> l.master() != null && bridges.contains(l.master())).count();
        }
    }

    /** Waits until the run's bridges have {@code most} ports or fewer, at most {@code nanos}. */
    private void awaitPorts(int most, long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        while (ports() > most && System.nanoTime() < deadline) {
            Thread.sleep(100); // a dump of thousands of links is not free: do not compete with the cleanup awaited
        }
    }

    /** Waits until no link but {@code before}'s is left, at most {@code nanos}; answers the links still extra then. */
    private static Set<String> linksBackTo(Set<String> before, long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        Set<String> extra;
        do {
            extra = new TreeSet<>(linkNames());
            extra.removeAll(before);
            if (!extra.isEmpty()) {
                Thread.sleep(100);
            }
        } while (!extra.isEmpty() && System.nanoTime() < deadline);
        return extra;
    }

    /**
     * CPU ticks so far (USER_HZ, 100 a second): the daemon's user and system (0 when unknown), this process's user and
     * system, and the machine's busy ticks over all cores (from /proc/stat: all but idle and iowait).
     */
    private static long[] cpuTicks(Long pid) {
        long[] daemon = pid == null ? new long[2] : processTicks("/proc/" + pid + "/stat");
        long[] self = processTicks("/proc/self/stat");
        long busy = 0;
        String[] all = read("/proc/stat").lines().findFirst().orElse("cpu").trim().split("\\s+");
        for (int i = 1; i < all.length && i <= 8; i++) {
            if (i != 4 && i != 5) { // idle, iowait
                busy += Long.parseLong(all[i]);
            }
        }
        return new long[] {daemon[0], daemon[1], self[0], self[1], busy};
    }

    private static long[] processTicks(String statFile) {
        String stat = read(statFile);
        if (stat.isEmpty()) {
            return new long[2];
        }
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])}; // utime, stime
    }

    private static StressResult.CpuUse cpuUse(long[] from, long[] to, double wallSeconds) {
        double[] s = new double[5];
        for (int i = 0; i < 5; i++) {
            s[i] = (to[i] - from[i]) / 100.0;
        }
        return new StressResult.CpuUse(wallSeconds, s[0], s[1], s[2], s[3], s[4]);
    }

    private DaemonProcess.Memory memory(Long pid) {
        if (pid == null) {
            return null;
        }
        try {
            return DaemonProcess.memory(pid);
        } catch (Exception e) {
            log.println("cannot read the daemon's memory: " + e.getMessage());
            return null;
        }
    }

    private void phase(String name, long startedNanos) {
        phases.put(name, (System.nanoTime() - startedNanos) / 1e9);
    }

    private static Set<String> networkNames(ApiClient api) throws IOException {
        Set<String> names = new TreeSet<>();
        JSON.readTree(api.get("/networks").body()).forEach(net -> names.add(net.path("Name").asText()));
        return names;
    }

    private static Set<String> linkNames() {
        try (NetlinkSocket socket = NetlinkSocket.open()) {
            return new Links(socket).list().stream().map(LinkMessage::name).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** {@code nft list ruleset} in this namespace. */
    private static String ruleset() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("nft", "list", "ruleset").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("nft list ruleset failed: " + out.strip());
        }
        return out;
    }

    /** Processes whose parent is {@code pid}, other than the JVM's own helpers: "pid command". */
    private static List<String> childrenOf(long pid) throws IOException {
        List<String> children = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                try {
                    String stat = Files.readString(proc.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (Long.parseLong(f[1]) == pid) {
                        children.add(proc.getFileName() + " " + stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
                    }
                } catch (IOException gone) {
                    // the process ended meanwhile
                }
            }
        }
        return children;
    }

    private static String idOf(String body) throws IOException {
        String id = JSON.readTree(body).path("Id").asText("");
        if (id.isEmpty()) {
            throw new IOException("no Id in " + body);
        }
        return id;
    }

    private Map<String, Histogram> histograms() {
        Map<String, Histogram> h = new LinkedHashMap<>();
        long[] create = batch.createNanos;
        long[] start = batch.startNanos;
        h.put(StressResult.CREATE, histogram(i -> create[i]));
        h.put(StressResult.START, histogram(i -> start[i]));
        h.put(StressResult.CREATE_START, histogram(i -> create[i] < 0 || start[i] < 0 ? -1 : create[i] + start[i]));
        h.put(StressResult.REMOVE, histogram(i -> batch.removeNanos[i]));
        return h;
    }

    private Histogram histogram(java.util.function.IntToLongFunction nanos) {
        Histogram h = new Histogram(HIGHEST_MICROS, 3);
        for (int i = 0; i < n; i++) {
            long v = nanos.applyAsLong(i);
            if (v >= 0) {
                h.recordValue(Math.min(HIGHEST_MICROS, Math.max(1, v / 1000)));
            }
        }
        return h;
    }

    private List<ContainerRow> rows() {
        List<ContainerRow> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String network = networks.isEmpty() ? settings.networkMode() : networkOf[i] >= 0 ? networks.get(networkOf[i]).name() : "";
            rows.add(new ContainerRow(i, names[i], network, addresses[i] == null ? "" : addresses[i], micros(batch.createNanos[i]),
                    micros(batch.startNanos[i]), micros(batch.removeNanos[i])));
        }
        return rows;
    }

    private static long micros(long nanos) {
        return nanos < 0 ? -1 : nanos / 1000;
    }

    private static long[] filled(int n) {
        long[] a = new long[n];
        java.util.Arrays.fill(a, -1);
        return a;
    }

    private static String describe(List<Network> networks) {
        Network first = networks.get(0);
        String subnets = networks.size() == 1 ? first.subnet() : first.subnet() + " … " + networks.get(networks.size() - 1).subnet();
        int most = networks.stream().mapToInt(Network::members).max().orElse(0);
        return first.name() + (networks.size() > 1 ? " … " + networks.get(networks.size() - 1).name() : "") + " (" + subnets
                + "), up to " + most + " containers each";
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String first(List<String> items, int most) {
        return items.size() <= most ? items.toString()
                : items.subList(0, most).toString().replace("]", ", … (" + (items.size() - most) + " more)]");
    }

    static StressResult.Machine machine(String loadAverage) {
        String kernel = read("/proc/sys/kernel/osrelease").strip();
        String cpu = read("/proc/cpuinfo").lines().filter(l -> l.startsWith("model name")).findFirst()
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("");
        long memory = read("/proc/meminfo").lines().filter(l -> l.startsWith("MemTotal:")).findFirst()
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).orElse(-1L);
        return new StressResult.Machine(Runtime.getRuntime().availableProcessors(), kernel,
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"), cpu, memory, loadAverage);
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            return "";
        }
    }
}
