package io.netwharf.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three netwharf daemons, each in a host namespace of its own, form a cluster over an underlay bridge
 * ({@link ClusterHosts}) and share overlay networks: a network made on one host is listed on all with the same id;
 * containers on different hosts reach each other over TCP by address and by name; addresses are never given twice,
 * with 3 x 100 containers made at once, through a kill -9 and a restart of a daemon, and through a partition.
 * The tests share one cluster (three daemon JVMs take a while to start on two cores), in order: each leaves no
 * container and no network behind. Needs root and the kernel (CI runs as root).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterOverlayTest {
    private static final int PORT = 8080;
    /**
     * A server that answers every connection with "ok": perl, small (hundreds fit), with no modules (IO::Socket::INET
     * takes 20 ms of CPU to load, 300 times). The kernel's numbers: AF_INET 2, SOCK_STREAM 1, SOL_SOCKET 1,
     * SO_REUSEADDR 2; a sockaddr_in packed by hand.
     */
    private static final String SERVER = "socket(S,2,1,6) or die $!;setsockopt(S,1,2,pack('l',1));"
            + "bind(S,pack('SnNx8',2," + PORT + ",0)) or die $!;listen(S,128) or die $!;"
            + "while(accept(C,S)){syswrite(C,\"ok\\n\");close C}";
    /**
     * Connects to each address (or name) given, retrying for up to 20 s, and prints "target ok" or "target FAIL why",
     * one per line (perl rather than python: it starts in a few milliseconds, and there are 300 of these).
     */
    private static final String CLIENT = """
            use IO::Socket::INET; use Time::HiRes qw(time sleep);
            for my $t (@ARGV) {
                my ($deadline, $why) = (time + 20, 'FAIL');
                while (time < $deadline) {
                    my $s = IO::Socket::INET->new(PeerAddr => $t, PeerPort => %d, Timeout => 2);
                    if ($s) { my $l = <$s>; close $s; if (defined $l && $l eq "ok\n") { $why = 'ok'; last } $why = 'FAIL answer'; }
                    else { $why = "FAIL $@"; }
                    sleep 0.1;
                }
                print "$t $why\n";
            }
            """.formatted(PORT);

    /** Live restore: a daemon killed or downed leaves its containers running, and adopts them when started again. */
    private ClusterHosts cluster;

    @BeforeAll
    void startCluster() throws Exception {
        cluster = new ClusterHosts(3, "--live-restore");
        long began = System.nanoTime();
        cluster.explained(cluster::startAll);
        System.out.printf("ClusterOverlayTest: three daemons up after %d ms%n", (System.nanoTime() - began) / 1_000_000);
    }

    @AfterAll
    void closeCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void aNetworkMadeOnOneHostSpansAllAndThreeTimesAHundredContainersGetDistinctAddressesAndReachEachOther() throws Exception {
        cluster.explained(() -> {
            long began = System.nanoTime();
            String id = createOverlay(cluster.host(2), "ov1", "10.0.8.0/22");
            for (int i = 1; i <= 3; i++) {
                assertEquals(id, awaitNetwork(cluster.host(i), "ov1").path("Id").asText(), "host " + i);
                assertEquals("swarm", awaitNetwork(cluster.host(i), "ov1").path("Scope").asText());
                // Known everywhere, made in a host's kernel only with the host's first endpoint on it.
                assertEquals(List.of(), overlayLinks(cluster.host(i)), "host " + i);
            }

            // 100 servers on each host, all made at once.
            Map<Integer, List<String>> ids = new TreeMap<>();
            ExecutorService creating = Executors.newFixedThreadPool(12);
            try {
                Map<Integer, List<Future<String>>> made = new TreeMap<>();
                for (int i = 0; i < 100; i++) {
                    for (int h = 1; h <= 3; h++) {
                        RestartHost host = cluster.host(h);
                        String name = "s" + h + "-" + i;
                        made.computeIfAbsent(h, k -> new ArrayList<>()).add(creating.submit(() -> server(host, name, "ov1")));
                    }
                }
                for (Map.Entry<Integer, List<Future<String>>> e : made.entrySet()) {
                    for (Future<String> f : e.getValue()) {
                        ids.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(f.get(180, TimeUnit.SECONDS));
                    }
                }
            } finally {
                creating.shutdownNow();
            }
            Map<Integer, List<String>> addresses = new TreeMap<>();
            Set<String> all = new HashSet<>();
            for (int h = 1; h <= 3; h++) {
                for (String container : ids.get(h)) {
                    String address = address(cluster.host(h), container, "ov1");
                    addresses.computeIfAbsent(h, k -> new ArrayList<>()).add(address);
                    assertTrue(all.add(address), address + " was given twice");
                }
            }
            assertEquals(300, all.size());
            for (int h = 1; h <= 3; h++) {
                assertEquals(List.of("ov-" + id.substring(0, 12), "vx-" + id.substring(0, 12)), overlayLinks(cluster.host(h)), "host " + h);
            }
            System.out.printf("ClusterOverlayTest: 3 x 100 containers made and inspected after %d ms%n", (System.nanoTime() - began) / 1_000_000);

            // Every container reaches one container on each other host, by address; a sample also by name.
            ExecutorService probing = Executors.newFixedThreadPool(8);
            try {
                List<Future<String>> probes = new ArrayList<>();
                for (int h = 1; h <= 3; h++) {
                    for (int i = 0; i < 100; i++) {
                        List<String> targets = new ArrayList<>();
                        for (int other = 1; other <= 3; other++) {
                            if (other != h) {
                                targets.add(addresses.get(other).get((i * 7) % 100));
                                if (i % 25 == 0) {
                                    targets.add("s" + other + "-" + ((i * 3) % 100));
                                }
                            }
                        }
                        RestartHost host = cluster.host(h);
                        String container = ids.get(h).get(i);
                        probes.add(probing.submit(() -> reach(host, container, targets)));
                    }
                }
                for (Future<String> probe : probes) {
                    String answer = probe.get(120, TimeUnit.SECONDS);
                    for (String line : answer.strip().split("\n")) {
                        assertTrue(line.endsWith(" ok"), line);
                    }
                }
            } finally {
                probing.shutdownNow();
            }
            System.out.printf("ClusterOverlayTest: every container reached others after %d ms%n", (System.nanoTime() - began) / 1_000_000);
            removeEverything("ov1");
            System.out.printf("ClusterOverlayTest: the 300 containers and the network removed after %d ms%n", (System.nanoTime() - began) / 1_000_000);
        });
    }

    @Test
    @Order(2)
    void aKilledDaemonsBlocksStayLeasedItRejoinsAndAPartitionedHostStopsThenComesBackWithNoAddressGivenTwice() throws Exception {
        cluster.explained(() -> {
            // A /24 is four /26 blocks: one for each host's first container, one left.
            createOverlay(cluster.host(1), "ov2", "10.0.9.0/24");
            for (int i = 1; i <= 3; i++) {
                awaitNetwork(cluster.host(i), "ov2");
            }
            String a1 = server(cluster.host(1), "a1", "ov2");
            String b1 = server(cluster.host(2), "b1", "ov2");
            String c1 = server(cluster.host(3), "c1", "ov2");
            String c1Address = address(cluster.host(3), c1, "ov2");
            assertEquals("a1 ok\nc1 ok", reach(cluster.host(2), b1, List.of("a1", "c1")).strip());

            cluster.host(3).kill9();
            // A and B go on: new containers, from their own blocks.
            String a2 = server(cluster.host(1), "a2", "ov2");
            assertTrue(!sameBlock(address(cluster.host(1), a2, "ov2"), c1Address));
            // C's block stays C's while it is down: an address in it is refused on A.
            String inCsBlock = c1Address.substring(0, c1Address.lastIndexOf('.') + 1)
                    + (Integer.parseInt(c1Address.substring(c1Address.lastIndexOf('.') + 1)) + 1);
            assertRefusedOnAAsCs("a3", inCsBlock);

            // C restarted: its container (kept running) is reachable again, by name too.
            cluster.host(3).start();
            cluster.awaitUp(3);
            assertEquals("c1 ok\n" + c1Address + " ok", reach(cluster.host(2), b1, List.of("c1", c1Address)).strip());

            // A cut off from B and C: A cannot make a network (no majority), and the split brain resolver downs it.
            cluster.isolate(1);
            ApiClient.Response minority = cluster.host(1).api().post("/networks/create",
                    "{\"Name\":\"ov3\",\"Driver\":\"overlay\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.0.10.0/24\"}]}}");
            assertTrue(minority.status() >= 500 && minority.body().contains("majority"), minority.status() + " " + minority.body());
            int status = cluster.host(1).daemon().awaitExit(90);
            assertTrue(cluster.host(1).daemon().log().contains("SBR took decision"), "exit " + status + ":\n" + cluster.host(1).daemon().log());
            // B goes on, from its block.
            String b2 = server(cluster.host(2), "b2", "ov2");

            cluster.heal();
            cluster.host(1).start();
            cluster.awaitUp(1);
            assertEquals("a1 ok\nb2 ok", reach(cluster.host(3), c1, List.of("a1", "b2")).strip());
            Set<String> given = new HashSet<>();
            for (int h = 1; h <= 3; h++) {
                for (JsonNode container : cluster.host(h).getJson("/containers/json")) {
                    String address = container.path("NetworkSettings").path("Networks").path("ov2").path("IPAddress").asText();
                    assertTrue(given.add(address), address + " was given twice");
                }
            }
            assertEquals(Set.of(a1, a2, b1, b2, c1).size(), given.size());

            // Every daemon stopped at once (containers kept running), and only A and B back: C's block is still C's,
            // read from the nodes' disks (a lease keeper that found no leases would grant a static address in it).
            for (int h = 1; h <= 3; h++) {
                cluster.host(h).kill9();
            }
            cluster.startAll(1, 2);
            cluster.awaitUp(1, 1, 2);
            assertRefusedOnAAsCs("a4", inCsBlock);
            cluster.host(3).start();
            cluster.awaitUp(3);
            assertEquals("c1 ok\n" + c1Address + " ok", reach(cluster.host(2), b1, List.of("c1", c1Address)).strip());

            // Each host keeps its blocks in its store until the network is removed, everywhere.
            assertEquals(1, storedBlockRecords(cluster.host(1)));
            removeEverything("ov2");
        });
    }

    /**
     * A container {@code name} on A with the static address {@code inCsBlock} is refused at its start (addresses are
     * given then), naming C as the block's holder; the container is removed again.
     */
    private void assertRefusedOnAAsCs(String name, String inCsBlock) throws IOException {
        RestartHost a = cluster.host(1);
        String id = a.post("/containers/create?name=" + name, body(name, "ov2", inCsBlock, a), 201).get("Id").asText();
        ApiClient.Response refused = a.api().post("/containers/" + id + "/start", null);
        assertTrue(refused.status() >= 400 && refused.body().contains("leased to node 10.99.0.3:25520"),
                refused.status() + " " + refused.body());
        a.api().delete("/containers/" + id);
    }

    /**
     * Removes every container of every host (force, in parallel), then the network: refused (403, "has active
     * endpoints") until the host asked hears that the other hosts' endpoints are gone. Every host then lists no such
     * network and keeps no record of its address blocks (each kept its blocks in its store until then).
     */
    private void removeEverything(String network) throws Exception {
        ExecutorService removing = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> removals = new ArrayList<>();
            for (int h = 1; h <= 3; h++) {
                RestartHost host = cluster.host(h);
                for (JsonNode container : host.getJson("/containers/json?all=1")) {
                    String id = container.path("Id").asText();
                    removals.add(removing.submit(() -> host.api().delete("/containers/" + id + "?force=1").status()));
                }
            }
            for (Future<Integer> removal : removals) {
                assertEquals(204, removal.get(60, TimeUnit.SECONDS));
            }
        } finally {
            removing.shutdownNow();
        }
        for (int h = 1; h <= 3; h++) { // the last endpoint took the bridge and the VXLAN link with it
            assertEquals(List.of(), overlayLinks(cluster.host(h)), "host " + h);
        }
        long removable = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        ApiClient.Response removed = cluster.host(2).api().delete("/networks/" + network);
        while (removed.status() == 403 && System.nanoTime() < removable) {
            Thread.sleep(100);
            removed = cluster.host(2).api().delete("/networks/" + network);
        }
        assertEquals(204, removed.status(), removed.body());
        for (int h = 1; h <= 3; h++) {
            awaitNoNetwork(cluster.host(h), network);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); // the record goes a moment after the network
            while (storedBlockRecords(cluster.host(h)) != 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(0, storedBlockRecords(cluster.host(h)), "host " + h);
        }
    }

    /** The names of the overlay bridges and VXLAN links in the host's namespace, sorted. */
    private static List<String> overlayLinks(RestartHost host) {
        return host.box.linkNames(host.box.host).stream().filter(name -> name.startsWith("ov-") || name.startsWith("vx-")).sorted().toList();
    }

    /** How many overlay networks' address blocks the host's store keeps (read beside the running daemon: SQLite's WAL allows it). */
    private static int storedBlockRecords(RestartHost host) throws Exception {
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + host.dir.resolve("data").resolve("netwharf.db"));
             ResultSet r = db.createStatement().executeQuery("SELECT count(*) FROM settings WHERE key LIKE 'cluster.address-blocks.%'")) {
            return r.getInt(1);
        }
    }

    private static void awaitNoNetwork(RestartHost host, String name) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (host.api().get("/networks/" + name).status() != 404) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("network " + name + " is still listed");
            }
            Thread.sleep(100);
        }
    }

    private static String createOverlay(RestartHost host, String name, String subnet) throws IOException {
        return host.post("/networks/create", "{\"Name\":\"" + name + "\",\"Driver\":\"overlay\",\"IPAM\":{\"Config\":[{\"Subnet\":\""
                + subnet + "\"}]}}", 201).get("Id").asText();
    }

    /** The network as {@code host} lists it, once it does (within 20 s). */
    private static JsonNode awaitNetwork(RestartHost host, String name) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            ApiClient.Response r = host.api().get("/networks/" + name);
            if (r.status() == 200) {
                return RestartHost.JSON.readTree(r.body());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("network " + name + " is not listed: " + r.status() + " " + r.body());
            }
            Thread.sleep(100);
        }
    }

    private static String body(String name, String network, String ip, RestartHost host) {
        return "{\"Image\":\"debian\",\"Cmd\":[\"perl\",\"-e\"," + quote(SERVER) + ",\"" + host.marker + "\"],"
                + "\"HostConfig\":{\"NetworkMode\":\"" + network + "\"}"
                + (ip == null ? "" : ",\"NetworkingConfig\":{\"EndpointsConfig\":{\"" + network
                        + "\":{\"IPAMConfig\":{\"IPv4Address\":\"" + ip + "\"}}}}")
                + "}";
    }

    /** A started server container named {@code name} on {@code network}; its id. */
    private static String server(RestartHost host, String name, String network) throws IOException {
        String id = host.post("/containers/create?name=" + name, body(name, network, null, host), 201).get("Id").asText();
        host.startContainer(id);
        return id;
    }

    private static String address(RestartHost host, String container, String network) throws IOException {
        return host.inspect(container).path("NetworkSettings").path("Networks").path(network).path("IPAddress").asText();
    }

    private static boolean sameBlock(String a, String b) {
        return a.substring(0, a.lastIndexOf('.')).equals(b.substring(0, b.lastIndexOf('.')))
                && Integer.parseInt(a.substring(a.lastIndexOf('.') + 1)) / 64 == Integer.parseInt(b.substring(b.lastIndexOf('.') + 1)) / 64;
    }

    /**
     * Runs {@link #CLIENT} in the container's network and mount namespaces (as docker exec would), so names go to the
     * embedded DNS through the container's own resolv.conf.
     */
    private static String reach(RestartHost host, String container, List<String> targets) throws IOException, InterruptedException {
        String pid = host.inspect(container).path("State").path("Pid").asText();
        List<String> command = new ArrayList<>(List.of("nsenter", "-t", pid, "-n", "-m", "perl", "-e", CLIENT));
        command.addAll(targets);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the client did not finish: " + out);
        }
        return out;
    }

    private static String quote(String text) {
        try {
            return RestartHost.JSON.writeValueAsString(text);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
