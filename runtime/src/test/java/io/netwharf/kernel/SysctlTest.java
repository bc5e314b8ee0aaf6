package io.netwharf.kernel;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** sysctl values of one namespace, written as files under /proc/sys from inside it (root; throwaway namespaces). */
class SysctlTest extends KernelTest {

    private String outside(Netns ns, String key) {
        return KernelSandbox.command(List.of("nsenter", "--net=" + ns.path(), "cat", "/proc/sys/" + key)).strip();
    }

    @Test
    void writesOnlyTheNamespaceItIsGiven() {
        Sysctl sysctl = new Sysctl(KernelSandbox.THREADS);
        try (Netns other = box.netns.create("other")) {
            sysctl.write(box.host, "net/ipv4/ip_forward", "1");
            assertEquals("1", outside(box.host, "net/ipv4/ip_forward"));
            assertEquals("0", outside(other, "net/ipv4/ip_forward"));
            assertEquals("1", sysctl.read(box.host, "net/ipv4/ip_forward"));
            assertEquals("0", sysctl.read(other, "net/ipv4/ip_forward"));

            sysctl.write(other, "net/ipv6/conf/lo/disable_ipv6", "1");
            assertEquals("1", outside(other, "net/ipv6/conf/lo/disable_ipv6"));
            assertEquals("0", outside(box.host, "net/ipv6/conf/lo/disable_ipv6"));
            // A value of more than one byte, read whole (/proc's files have a size of 0).
            assertEquals(outside(other, "net/ipv4/ip_local_port_range"), sysctl.read(other, "net/ipv4/ip_local_port_range"));
        }
    }

    @Test
    void badAndUnknownKeys() {
        Sysctl sysctl = new Sysctl(KernelSandbox.THREADS);
        assertEquals("EINVAL", assertThrows(KernelException.class, () -> sysctl.write(box.host, "../etc/passwd", "x")).errnoName());
        assertEquals("ENOENT", assertThrows(KernelException.class, () -> sysctl.write(box.host, "net/ipv4/no_such_thing", "1")).errnoName());
    }
}
