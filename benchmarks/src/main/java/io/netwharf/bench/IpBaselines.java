package io.netwharf.bench;

import io.netwharf.kernel.Links;
import io.netwharf.kernel.NetlinkSocket;
import io.netwharf.kernel.Netns;
import io.netwharf.kernel.NetnsDirectory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The comparisons made with iproute2, for every benchmark that wants them: the host-side part of wiring N namespaces
 * onto a bridge by one {@code ip -batch} process. It runs in namespaces of its own and leaves nothing behind; call it
 * inside the benchmark sandbox.
 */
final class IpBaselines {
    private IpBaselines() {}

    static final String GATEWAY = "10.200.0.1";

    private static final String BRIDGE_SETUP = "link set lo up\nlink add nw0 type bridge\naddr add " + GATEWAY
            + "/16 dev nw0\nlink set nw0 up\n";

    /**
     * The host-side part of wiring {@code containers} namespaces with one {@code ip -batch} process, in a fresh host
     * namespace made under {@code netns}: netns add, veth with its peer created in the namespace, master and up. Times
     * the batch only; then deletes everything and waits for the kernel's cleanup. Returns seconds.
     */
    static double ipBatchHostSide(NetnsDirectory netns, int round, int containers) throws Exception {
        String hostName = "ip-host-" + round;
        try (Netns host = netns.create(hostName)) {
            StringBuilder batch = new StringBuilder();
            StringBuilder cleanup = new StringBuilder();
            for (int i = 0; i < containers; i++) {
                String ns = "ipb-" + round + "-" + i;
                batch.append("netns add ").append(ns).append('\n')
                        .append("link add vh").append(i).append(" type veth peer name eth0 netns ").append(ns).append('\n')
                        .append("link set vh").append(i).append(" master nw0 up\n");
                cleanup.append("netns del ").append(ns).append('\n');
            }
            ip(host, BRIDGE_SETUP);
            long start = System.nanoTime();
            ip(host, batch);
            double seconds = (System.nanoTime() - start) / 1e9;
            ip(host, cleanup);
            try (NetlinkSocket socket = netns.openSocket(host)) {
                BenchSupport.awaitNoPorts(socket, new Links(socket).get("nw0").index());
            }
            BenchSupport.settle();
            return seconds;
        } finally {
            netns.delete(hostName);
        }
    }

    /** Runs one ip -batch process inside {@code ns}. */
    static void ip(Netns ns, CharSequence commands) throws IOException, InterruptedException {
        Path file = Files.createTempFile("netwharf-bench-", ".batch");
        try {
            Files.writeString(file, commands, StandardCharsets.US_ASCII);
            Process p = new ProcessBuilder("nsenter", "--net=" + ns.path(), "ip", "-batch", file.toString()).inheritIO().start();
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("ip -batch failed in " + ns);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
