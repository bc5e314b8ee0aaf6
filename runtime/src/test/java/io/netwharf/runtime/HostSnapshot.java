package io.netwharf.runtime;

import io.netwharf.kernel.KernelSandbox;
import io.netwharf.kernel.Netns;

import java.util.List;

/**
 * What a namespace holds, as the kernel's own tools print it: links, addresses and routes ({@code ip -j}, every
 * table) and the whole {@code nft -j list ruleset}, each the exact text printed. A refused request must leave all
 * four byte for byte the same; {@code equals} compares them, and an assertion message shows which part differs.
 */
public record HostSnapshot(String links, String addresses, String routes, String ruleset) {
    /**
     * The namespace once the kernel has stopped changing it on its own: a link brought up just before gets its
     * IPv6 link-local address as "tentative", and a second or so later (duplicate address detection) the address
     * loses that flag and gains its local route. A snapshot taken before then would differ from any later one.
     */
    public static HostSnapshot settled(Netns ns) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        HostSnapshot last = of(ns);
        while (System.nanoTime() < deadline) {
            sleep();
            HostSnapshot now = of(ns);
            if (now.equals(last) && !now.addresses().contains("\"tentative\"")) {
                return now;
            }
            last = now;
        }
        throw new AssertionError("the namespace kept changing for 10 s: " + last);
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public static HostSnapshot of(Netns ns) {
        return new HostSnapshot(run(ns, "ip", "-j", "link", "show"), run(ns, "ip", "-j", "addr", "show"),
                run(ns, "ip", "-j", "route", "show", "table", "all"), run(ns, "nft", "-j", "list", "ruleset"));
    }

    private static String run(Netns ns, String... command) {
        List<String> line = new java.util.ArrayList<>(List.of("nsenter", "--net=" + ns.path()));
        line.addAll(List.of(command));
        return KernelSandbox.command(line);
    }
}
