package io.netwharf.gateway;

import io.netwharf.kernel.KernelSandbox;
import io.netwharf.kernel.Netns;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code netwharf pipework} as a user runs it: the real command line in a process of its own, in the daemon's
 * network namespace (with that namespace's /sys, where it reads what kind a host link is), against the gateway's
 * socket; then the container's namespace is checked from outside with {@code ip} and {@code ping}. Needs root and
 * the kernel: runs in the test sandbox, against a throwaway "host" namespace.
 */
class PipeworkCommandTest {
    private static GatewayFixture gateway;

    @BeforeAll
    static void start() throws IOException {
        gateway = new GatewayFixture();
    }

    @AfterAll
    static void stop() throws IOException {
        gateway.close();
    }

    @Test
    void aNoneContainerGetsAnInterfaceOnANewBridgeWithTheAddressMacAndNameAsked() {
        gateway.ok("run", "-d", "--name", "pw-none", "--network", "none", "debian");
        Result result = pipework("brpw0", "-i", "eth1", "pw-none", "10.91.0.5/24@10.91.0.1", "02:aa:bb:00:00:05");
        assertEquals(0, result.exit(), result.toString());

        Path sandbox = Path.of(gateway.ok("inspect", "-f", "{{.NetworkSettings.SandboxKey}}", "pw-none"));
        try (Netns ns = Netns.open(sandbox)) {
            JsonNode eth1 = gateway.box.ipJson(ns, "-4", "addr", "show", "dev", "eth1").get(0);
            assertEquals("10.91.0.5", eth1.path("addr_info").get(0).path("local").asText());
            assertEquals(24, eth1.path("addr_info").get(0).path("prefixlen").asInt());
            assertEquals("02:aa:bb:00:00:05", gateway.box.ipJson(ns, "link", "show", "dev", "eth1").get(0).path("address").asText());
            assertEquals("10.91.0.1", gateway.box.ipJson(ns, "route", "show", "default").get(0).path("gateway").asText());
            assertTrue(gateway.box.ping(ns, "10.91.0.1"), "the container reaches the bridge's gateway address");
        }
        assertTrue(gateway.hostAddresses("brpw0").contains("10.91.0.1/24"), "the bridge was made with the gateway address");
        assertEquals("bridge", gateway.ok("network", "inspect", "-f", "{{.Driver}}", "pipework-brpw0"));

        // A second container on the same bridge joins the network made the first time.
        gateway.ok("run", "-d", "--name", "pw-two", "--network", "none", "debian");
        assertEquals(0, pipework("brpw0", "pw-two", "10.91.0.6/24").exit());
        Path second = Path.of(gateway.ok("inspect", "-f", "{{.NetworkSettings.SandboxKey}}", "pw-two"));
        assertTrue(KernelSandbox.ping(second, "10.91.0.5"), "containers on the bridge reach each other");
        assertEquals(1, gateway.ok("network", "ls", "-q", "--filter", "name=pipework-brpw0").lines().count());
    }

    @Test
    void anyOtherLinkBecomesTheParentOfAMacvlanNetwork() {
        String host = "--net=" + gateway.box.host.path();
        KernelSandbox.command(List.of("nsenter", host, "ip", "link", "add", "pwup0", "type", "veth", "peer", "name", "pwup1"));
        KernelSandbox.command(List.of("nsenter", host, "ip", "link", "set", "pwup0", "up"));
        KernelSandbox.command(List.of("nsenter", host, "ip", "link", "set", "pwup1", "up")); // a parent with carrier
        gateway.ok("run", "-d", "--name", "pw-m1", "--network", "none", "debian");
        gateway.ok("run", "-d", "--name", "pw-m2", "--network", "none", "debian");
        assertEquals(0, pipework("pwup0", "pw-m1", "10.92.0.11/24").exit());
        assertEquals(0, pipework("pwup0", "pw-m2", "10.92.0.12/24").exit());
        assertEquals("macvlan", gateway.ok("network", "inspect", "-f", "{{.Driver}}", "pipework-pwup0"));
        Path first = Path.of(gateway.ok("inspect", "-f", "{{.NetworkSettings.SandboxKey}}", "pw-m1"));
        assertTrue(KernelSandbox.ping(first, "10.92.0.12"), "macvlan endpoints on one parent reach each other");
    }

    @Test
    void refusalsChangeNothing() {
        gateway.ok("run", "-d", "--name", "pw-refused", "--network", "none", "debian");
        Result dhcp = pipework("brpw9", "pw-refused", "dhcp");
        assertEquals(2, dhcp.exit());
        assertTrue(dhcp.err().contains("dhcp is not supported"), dhcp.toString());
        Result vlan = pipework("brpw9", "pw-refused", "10.93.0.5/24", "02:aa:bb:00:00:09@10");
        assertTrue(vlan.err().contains("VLAN tags (@10) are not supported"), vlan.toString());
        Result unknownLink = pipework("nosuch0", "pw-refused", "10.93.0.5/24");
        assertEquals(1, unknownLink.exit());
        assertTrue(unknownLink.err().contains("host interface nosuch0 does not exist"), unknownLink.toString());
        Result noContainer = pipework("brpw9", "nosuch", "10.93.0.5/24");
        assertTrue(noContainer.err().contains("no such container nosuch"), noContainer.toString());
        assertFalse(gateway.box.linkNames(gateway.box.host).contains("brpw9"), "no bridge was made for refused requests");
        assertTrue(gateway.ok("network", "ls", "-q", "--filter", "name=pipework-brpw9").isEmpty());
    }

    private record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    /**
     * {@code netwharf pipework args...} in a JVM of its own (this test's classpath), inside the daemon's network
     * namespace and a mount namespace where /sys is that namespace's sysfs.
     */
    private static Result pipework(String... args) {
        List<String> command = new ArrayList<>(List.of("nsenter", "--net=" + gateway.box.host.path(), "unshare", "--mount",
                "--propagation", "private", "sh", "-c", "mount -t sysfs sysfs /sys && exec \"$@\"", "sh",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
                "io.netwharf.launcher.Main", "pipework", "-H", "unix://" + gateway.socket));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("pipework " + String.join(" ", args) + " did not finish in 60 s");
            }
            return new Result(p.exitValue(), out, err);
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
