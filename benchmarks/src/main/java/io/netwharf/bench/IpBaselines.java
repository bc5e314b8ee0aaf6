package io.netwharf.bench;

import io.netwharf.kernel.Links;
import io.netwharf.kernel.NetlinkSocket;
import io.netwharf.kernel.Netns;
import io.netwharf.kernel.NetnsDirectory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The comparisons made with iproute2, for every benchmark that wants them: the host-side part of wiring N namespaces
 * onto a bridge by one {@code ip -batch} process, and the full wiring done pipework-style, one {@code ip} process per
 * operation. Both run in namespaces of their own and leave nothing behind; call them inside the benchmark sandbox.
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

    /**
     * Wires {@code containers} namespaces onto a bridge with one {@code ip} process per operation, run one after
     * another by a bash script, as pipework does: {@code ip netns add}, the veth with its peer in the namespace, master
     * and up, then inside the namespace the address, eth0 up, lo up and the default route (seven processes per
     * container). With {@code ipv6Off}, the host namespace's default turns IPv6 address generation off for the host
     * ends (set before timing) and an eighth process per container turns it off on eth0 before it goes up, as the
     * runtime does with netlink. Teardown is one {@code ip netns del} per container, timed until the bridge has no
     * port left. The namespaces are ip's own, under /run/netns (a private tmpfs inside the sandbox). Each container's
     * own time comes from the script, which stamps the clock after each one with bash's built-in
     * {@code $EPOCHREALTIME} (no extra process).
     */
    static BaselineRun pipework(NetnsDirectory netns, int round, int containers, boolean ipv6Off) throws Exception {
        String host = "pw-host-" + round;
        run(List.of("ip", "netns", "add", host));
        Path hostPath = Path.of("/run/netns", host);
        try (Netns hostNs = Netns.open(hostPath); NetlinkSocket socket = netns.openSocket(hostNs)) {
            ip(hostNs, BRIDGE_SETUP);
            if (ipv6Off) {
                run(List.of("nsenter", "--net=" + hostPath, "sysctl", "-q", "-w", "net.ipv6.conf.default.addr_gen_mode=1"));
            }
            int bridge = new Links(socket).get("nw0").index();
            StringBuilder script = new StringBuilder("set -e\necho $EPOCHREALTIME\n");
            StringBuilder cleanup = new StringBuilder("set -e\n");
            for (int i = 0; i < containers; i++) {
                String ns = "pw-" + round + "-" + i;
                script.append("ip netns add ").append(ns).append('\n')
                        .append("ip -n ").append(host).append(" link add vh").append(i).append(" type veth peer name eth0 netns ").append(ns).append('\n')
                        .append("ip -n ").append(host).append(" link set vh").append(i).append(" master nw0 up\n")
                        .append("ip -n ").append(ns).append(" addr add ").append(BenchSupport.containerAddress(i)).append("/16 dev eth0\n");
                if (ipv6Off) {
                    script.append("ip -n ").append(ns).append(" link set eth0 addrgenmode none\n");
                }
                script.append("ip -n ").append(ns).append(" link set eth0 up\n")
                        .append("ip -n ").append(ns).append(" link set lo up\n")
                        .append("ip -n ").append(ns).append(" route add default via ").append(GATEWAY).append('\n')
                        .append("echo $EPOCHREALTIME\n");
                cleanup.append("ip netns del ").append(ns).append('\n');
            }
            long start = System.nanoTime();
            List<String> stamps = bash(script);
            double seconds = (System.nanoTime() - start) / 1e9;
            if (stamps.size() != containers + 1) {
                throw new IllegalStateException("pipework script stamped " + stamps.size() + " times, expected " + (containers + 1));
            }
            long[] micros = new long[containers];
            for (int i = 0; i < containers; i++) {
                micros[i] = epochMicros(stamps.get(i + 1)) - epochMicros(stamps.get(i));
            }
            int up = BenchSupport.portsUp(socket, bridge).size();
            if (up != containers) {
                throw new IllegalStateException("pipework: expected " + containers + " bridge ports up, found " + up);
            }
            long teardownStart = System.nanoTime();
            bash(cleanup);
            BenchSupport.awaitNoPorts(socket, bridge);
            double teardown = (System.nanoTime() - teardownStart) / 1e9;
            return new BaselineRun(seconds, micros, teardown);
        } finally {
            run(List.of("ip", "netns", "del", host));
            BenchSupport.settle();
        }
    }

    /** "1712345678.123456" (bash's $EPOCHREALTIME) in microseconds. */
    private static long epochMicros(String stamp) {
        String[] parts = stamp.trim().split("[.,]", 2);
        return Long.parseLong(parts[0]) * 1_000_000 + Long.parseLong(parts[1]);
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

    /** Runs a bash script and returns the lines it printed. */
    private static List<String> bash(CharSequence script) throws IOException, InterruptedException {
        Path file = Files.createTempFile("netwharf-bench-", ".sh");
        try {
            Files.writeString(file, script, StandardCharsets.US_ASCII);
            Process p = new ProcessBuilder("bash", file.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            List<String> lines = new ArrayList<>();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    lines.add(line);
                }
            }
            if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("script " + file + " failed");
            }
            return lines;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).inheritIO().start();
        if (!p.waitFor(1, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed");
        }
    }
}
