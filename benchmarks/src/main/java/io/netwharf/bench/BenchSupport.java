package io.netwharf.bench;

import io.netwharf.kernel.Addresses;
import io.netwharf.kernel.Links;
import io.netwharf.kernel.NetlinkSocket;
import io.netwharf.kernel.Netns;
import io.netwharf.kernel.NetnsDirectory;
import io.netwharf.kernel.Routes;
import io.netwharf.protocol.netlink.AddressFamily;
import io.netwharf.protocol.rtnetlink.AddressMessage;
import io.netwharf.protocol.rtnetlink.LinkMessage;
import io.netwharf.protocol.rtnetlink.RouteMessage;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What every benchmark here needs: the sandbox check, counting bridge ports, waiting for the kernel, medians, cleaning
 * up a round's directory.
 */
final class BenchSupport {
    private BenchSupport() {}

    /**
     * A throwaway namespace holds nothing but lo; anything else means this may be the machine's own network. Prints
     * why and answers false when the benchmark must not run here.
     */
    static boolean inThrowawayNamespace() {
        List<String> present;
        try (NetlinkSocket own = NetlinkSocket.open()) {
            present = new Links(own).list().stream().map(LinkMessage::name).filter(n -> !n.equals("lo")).toList();
        }
        if (!present.isEmpty()) {
            System.err.println("refusing to run in a network namespace that already has links " + present
                    + ": start it through benchmarks/run-in-sandbox (a throwaway namespace)");
            return false;
        }
        return true;
    }

    /** The bridge's ports that are up, as the kernel lists them. */
    static List<LinkMessage> portsUp(NetlinkSocket socket, int bridge) {
        return new Links(socket).list().stream().filter(l -> l.master() != null && l.master() == bridge && l.isUp()).toList();
    }

    /**
     * Checks from outside, in the kernel's own listings, that every namespace in {@code containers} is wired onto the
     * bridge: {@code n} ports of it up in the host, and in each namespace eth0 up with an IPv4 address no other has
     * and a default route. For sides whose tools report no addresses to the benchmark.
     */
    static void verifyWired(NetlinkSocket host, int bridge, NetnsDirectory containers, int n) {
        int up = portsUp(host, bridge).size();
        if (up != n) {
            throw new IllegalStateException("expected " + n + " bridge ports up, found " + up);
        }
        List<String> names = containers.list();
        if (names.size() != n) {
            throw new IllegalStateException("expected " + n + " container namespaces, found " + names.size());
        }
        Set<InetAddress> addresses = new HashSet<>();
        for (String name : names) {
            try (Netns ns = containers.open(name); NetlinkSocket inside = containers.openSocket(ns)) {
                LinkMessage eth0 = new Links(inside).get("eth0");
                List<InetAddress> own = new Addresses(inside).list(AddressFamily.AF_INET).stream()
                        .filter(a -> a.index() == eth0.index()).map(AddressMessage::ip).toList();
                boolean defaultRoute = new Routes(inside).list(AddressFamily.AF_INET).stream().anyMatch(RouteMessage::isDefault);
                String problem = !eth0.isUp() ? "eth0 is down"
                        : own.size() != 1 ? "eth0 has the IPv4 addresses " + own
                        : !addresses.add(own.get(0)) ? own.get(0).getHostAddress() + " is another container's address too"
                        : !defaultRoute ? "no default route" : null;
                if (problem != null) {
                    throw new IllegalStateException("container " + name + " is not wired: " + problem);
                }
            }
        }
    }

    /** Waits until the kernel has removed every port of the bridge (veths of deleted namespaces go in the background). */
    static void awaitNoPorts(NetlinkSocket socket, int bridge) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (new Links(socket).list().stream().anyMatch(l -> l.master() != null && l.master() == bridge)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("bridge ports still present two minutes after their namespaces were deleted");
            }
            Thread.sleep(5);
        }
    }

    /** Gives the kernel's asynchronous namespace cleanup time to finish, so it does not slow the next phase. */
    static void settle() throws InterruptedException {
        Thread.sleep(2000);
    }

    /** The median of {@code value} over {@code runs}. */
    static <T> double medianOf(List<T> runs, java.util.function.ToDoubleFunction<T> value) {
        return median(runs.stream().map(r -> value.applyAsDouble(r)).toList());
    }

    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        return v.length == 0 ? Double.NaN : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** 10.200.0.0/16 host i's address, the gateway being 10.200.0.1 (i up to 62,499). */
    static String containerAddress(int i) {
        return "10.200." + (1 + i / 250) + "." + (1 + i % 250);
    }

    /**
     * This process's CPU time so far and that of its reaped children, in clock ticks (USER_HZ, 100 a second on
     * Linux): {user, system, children's user, children's system}, from /proc/self/stat.
     */
    static long[] cpuTicks() {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields from the third (state) on: utime is the 14th field of the line, so index 11 here
            return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14])};
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Removes what a round left in its directory: empty files and directories once the namespaces are unmounted.
     * Something that cannot go (a namespace still mounted) is reported, not thrown over the round's own outcome.
     */
    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("warning: could not clean up " + root + ": " + e);
        }
    }

    /** The stage's value, waiting at most five minutes; its failure's message as an IllegalStateException's. */
    static <T> T await(java.util.concurrent.CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(5, java.util.concurrent.TimeUnit.MINUTES);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
