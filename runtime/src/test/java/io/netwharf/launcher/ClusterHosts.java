package io.netwharf.launcher;

import io.netwharf.kernel.Addresses;
import io.netwharf.kernel.KernelSandbox;
import io.netwharf.kernel.Links;
import io.netwharf.protocol.rtnetlink.LinkData;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * Three (or more) hosts inside the test: each a {@link RestartHost} (a network namespace of its own, with its own
 * data and exec roots, and its daemon JVMs run inside it), all joined by an underlay, a bridge in a namespace of its
 * own, on which host i has 10.99.0.i/24 on its link {@code ul0}. The daemons form a cluster over the underlay
 * (host 1 and 2 are the seeds), so cluster and VXLAN traffic go only between these namespaces. A partition is a rule
 * of the underlay's bridge. Closing closes every host (daemons killed by pid, namespaces deleted) and the underlay.
 * Needs root (CI runs as root).
 */
final class ClusterHosts implements AutoCloseable {
    static final String UNDERLAY_BRIDGE = "under0";
    private final KernelSandbox underlay;
    final List<RestartHost> hosts = new ArrayList<>();

    /** {@code count} hosts, their daemons (not started) with the cluster flags and {@code daemonArgs}. */
    ClusterHosts(int count, String... daemonArgs) throws IOException {
        underlay = new KernelSandbox();
        underlay.run(Links.createBridge(UNDERLAY_BRIDGE, null, null, LinkData.Bridge.forContainers()), Links.setUp(UNDERLAY_BRIDGE, true));
        int bridgeIndex = underlay.links.get(UNDERLAY_BRIDGE).index();
        for (int i = 1; i <= count; i++) {
            List<String> args = new ArrayList<>(List.of("--cluster-bind", address(i), "--cluster-seed", address(1), "--cluster-seed", address(2)));
            args.addAll(List.of(daemonArgs));
            RestartHost host = new RestartHost(args.toArray(String[]::new));
            hosts.add(host);
            String port = "ul" + i;
            underlay.run(Links.createVeth(port, "ul0", host.box.host, null, null));
            underlay.run(Links.setMaster(port, UNDERLAY_BRIDGE, bridgeIndex), Links.setUp(port, true));
            int index = host.box.links.get("ul0").index();
            host.box.run(Addresses.add("ul0", index, InetAddress.getByName(address(i)), 24), Links.setUp("ul0", true));
        }
    }

    /** Host i's underlay address (i from 1). */
    static String address(int i) {
        return "10.99.0." + i;
    }

    RestartHost host(int i) {
        return hosts.get(i - 1);
    }

    /** Starts every host's daemon at once (a JVM's start is slow on two cores) and waits until all listen. */
    void startAll() throws Exception {
        int[] all = IntStream.rangeClosed(1, hosts.size()).toArray();
        startAll(all);
        for (int i : all) {
            awaitUp(i);
        }
    }

    /** Starts the daemons of hosts {@code which} at once and waits until they listen (not until they joined). */
    void startAll(int... which) throws Exception {
        ExecutorService starting = Executors.newFixedThreadPool(which.length);
        try {
            List<Future<DaemonChild>> started = new ArrayList<>();
            for (int i : which) {
                RestartHost host = host(i);
                started.add(starting.submit(() -> host.start()));
            }
            for (Future<DaemonChild> f : started) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            starting.shutdownNow();
        }
    }

    /**
     * Waits until host {@code i}'s daemon (its last start) sees every host's node up: its membership has converged,
     * so a partition from now on is decided with all of them counted.
     */
    void awaitUp(int i) throws InterruptedException {
        awaitUp(i, IntStream.rangeClosed(1, hosts.size()).toArray());
    }

    /** Waits until host {@code i}'s daemon (its last start) sees the nodes of {@code among} up. */
    void awaitUp(int i, int... among) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            String log = host(i).daemon().log();
            int up = 0;
            for (int other : among) {
                up += log.contains("cluster member " + address(other) + ":25520 is up") ? 1 : 0;
            }
            if (up == among.length) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("host " + i + " sees " + up + " of " + among.length + " nodes up" + logs());
            }
            Thread.sleep(200);
        }
    }

    /** Drops, on the underlay's bridge, everything between host {@code alone} and the others, both ways. */
    void isolate(int alone) {
        nft("table bridge partition {\n  chain cut {\n    type filter hook forward priority 0;\n    iifname \"ul" + alone
                + "\" drop\n    oifname \"ul" + alone + "\" drop\n  }\n}\n");
    }

    void heal() {
        nft("delete table bridge partition\n");
    }

    private void nft(String rules) {
        try {
            Process p = new ProcessBuilder("nsenter", "--net=" + underlay.host.path(), "nft", "-f", "-").redirectErrorStream(true).start();
            p.getOutputStream().write(rules.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("nft -f - failed: " + out + "\n" + rules);
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Every host's daemon log (the last start's), to explain a failure. */
    String logs() {
        StringBuilder logs = new StringBuilder();
        for (int i = 1; i <= hosts.size(); i++) {
            DaemonChild daemon = host(i).daemon();
            logs.append("\n---- host ").append(i).append(" (").append(address(i)).append(") ----\n")
                    .append(daemon == null ? "(not started)" : daemon.log());
        }
        return logs.toString();
    }

    /** Runs {@code test}; a failure carries every host's daemon log. */
    void explained(Step test) throws Exception {
        try {
            test.run();
        } catch (Exception | AssertionError e) {
            throw new AssertionError(e + logs(), e);
        }
    }

    interface Step {
        void run() throws Exception;
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        for (RestartHost host : hosts) {
            try {
                host.close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        underlay.close();
        if (first != null) {
            throw first;
        }
    }
}
