package io.netwharf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Guards the test setup, not product code: this module's tests run as root and create bridges,
 * veths, namespaces and firewall rules, so they must run in a throwaway network + mount namespace
 * and never in the machine's own. runtime/pom.xml starts the test JVM through
 * src/test/sandbox-jvm/bin/java (unshare). If that wiring is ever removed or broken, these tests
 * fail before any kernel test can touch the host's network.
 */
class SandboxedTestJvmTest {

    @Test
    void testJvmIsNotInTheNetworkNamespaceOfTheMachine() {
        String own = namespace(ProcessHandle.current().pid(), "net").orElseThrow();

        String host = System.getenv("NETWHARF_HOST_NETNS");
        assertNotNull(host, "NETWHARF_HOST_NETNS unset: the test JVM was not started by the sandbox wrapper");
        assertNotEquals(host, own, "test JVM shares the network namespace the wrapper was started in");

        // Independent of the wrapper's word: some ancestor (the Maven JVM) is in another namespace.
        List<String> ancestors = ancestorNamespaces("net");
        assertTrue(ancestors.stream().anyMatch(ns -> !ns.equals(own)),
                "no ancestor process is in a different network namespace than the test JVM: " + ancestors);
    }

    @Test
    void testJvmHasItsOwnMountNamespace() {
        String own = namespace(ProcessHandle.current().pid(), "mnt").orElseThrow();
        List<String> ancestors = ancestorNamespaces("mnt");
        assertTrue(ancestors.stream().anyMatch(ns -> !ns.equals(own)),
                "test JVM shares its mount namespace with all ancestors: " + ancestors);
    }

    @Test
    void sandboxStartsWithOnlyLoopbackUp() throws IOException {
        // /sys was remounted inside the sandbox, so it lists this namespace's interfaces only.
        try (Stream<Path> links = Files.list(Path.of("/sys/class/net"))) {
            List<String> names = links.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
            assertEquals(List.of("lo"), names, "a fresh network namespace has only lo");
        }
        String flags = Files.readString(Path.of("/sys/class/net/lo/flags")).trim();
        assertEquals(1, Integer.decode(flags) & 1, "lo is up (IFF_UP) so tests can use 127.0.0.1");
    }

    private static List<String> ancestorNamespaces(String kind) {
        List<String> result = new ArrayList<>();
        Optional<ProcessHandle> p = ProcessHandle.current().parent();
        while (p.isPresent()) {
            namespace(p.get().pid(), kind).ifPresent(result::add);
            p = p.get().parent();
        }
        return result;
    }

    /** The namespace link, e.g. "net:[4026531833]"; empty if the process is gone or unreadable. */
    private static Optional<String> namespace(long pid, String kind) {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", kind)).toString();
            return link.isEmpty() ? Optional.empty() : Optional.of(link);
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }
}
