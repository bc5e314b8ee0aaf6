package io.netwharf.firewall;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netwharf.kernel.KernelSandbox;
import io.netwharf.kernel.KernelTest;
import io.netwharf.kernel.NamespaceThreads;
import io.netwharf.kernel.Nftables;
import io.netwharf.kernel.NftablesException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What each firewall change leaves in the kernel, read from outside with {@code nft -j list ruleset} inside the
 * test's "host" namespace (real kernel, root, throwaway namespaces).
 */
class NftablesFirewallTest extends KernelTest {
    private static final NetworkRules A = new NetworkRules("a", "br-a", "10.201.0.0/24", true, true, false);
    private static final NetworkRules B = new NetworkRules("b", "br-b", "10.202.0.0/24", false, false, false);

    private Firewall firewall;

    @BeforeEach
    void firewall() {
        firewall = new NftablesFirewall(new Nftables(KernelSandbox.THREADS), box.host);
    }

    @Test
    void setUpMakesTheTablesAndBaseChains() {
        firewall.setUp();
        assertEquals(List.of("table ip netwharf", "set ip bridges", "set ip subnets", "map ip published_any", "map ip published_on",
                "map ip from_bridge", "map ip to_bridge", "map ip masquerade_from", "chain ip forward", "chain ip published",
                "chain ip prerouting", "chain ip output", "chain ip postrouting", "rule ip forward", "rule ip forward",
                "rule ip published", "rule ip published", "rule ip prerouting", "rule ip output", "rule ip postrouting",
                "rule ip postrouting", "rule ip postrouting", "table bridge netwharf", "set bridge icc_off", "chain bridge forward",
                "rule bridge forward"), names(ruleset()));
        JsonNode forward = find("chain", "ip", "forward");
        assertEquals("filter", forward.path("type").asText());
        assertEquals("forward", forward.path("hook").asText());
        assertEquals("accept", forward.path("policy").asText());
        JsonNode postrouting = find("chain", "ip", "postrouting");
        assertEquals("nat", postrouting.path("type").asText());
        assertEquals(100, postrouting.path("prio").asInt(), "srcnat");
        assertEquals("forward", find("chain", "bridge", "forward").path("hook").asText());
    }

    @Test
    void setUpStartsCleanOverAStaleTableAndIsIdempotent() {
        firewall.setUp();
        List<String> fresh = withoutHandles(ruleset());
        // A table left by an earlier run, with a network in it and something no one remembers adding.
        firewall.addNetwork(A);
        firewall.addNetwork(B);
        nftCli("add chain ip netwharf stale { type filter hook input priority 0; policy drop; }");
        nftCli("add rule bridge netwharf forward counter");

        firewall.setUp();
        assertEquals(fresh, withoutHandles(ruleset()));
        firewall.setUp();
        assertEquals(fresh, withoutHandles(ruleset()));
    }

    @Test
    void setUpWithNetworksInstallsInOneBatchWhatAddingThemOneByOneWould() {
        firewall.setUp();
        firewall.addNetwork(A);
        firewall.addNetwork(B);
        // The same objects; listed in the order they were made, which differs.
        Set<String> oneByOne = Set.copyOf(withoutHandles(ruleset()));
        nftCli("add chain ip netwharf stale { type filter hook input priority 0; policy drop; }");

        firewall.setUp(List.of(A, B));
        assertEquals(oneByOne, Set.copyOf(withoutHandles(ruleset())), "and what an earlier run left is gone");
        firewall.setUp(List.of(A, B));
        assertEquals(oneByOne, Set.copyOf(withoutHandles(ruleset())));
        firewall.removeNetwork(B);
        firewall.addNetwork(B);
        assertEquals(oneByOne, Set.copyOf(withoutHandles(ruleset())), "a network so installed is removed and added as any other");
    }

    @Test
    void addNetworkAddsExactlyItsChainsAndElements() {
        firewall.setUp();
        List<String> before = withoutHandles(ruleset());
        firewall.addNetwork(A);
        // New or changed objects: a's chains and rules, and the sets and maps that gained its elements.
        List<JsonNode> added = ruleset().stream().filter(o -> !before.contains(withoutHandle(o))).toList();
        assertEquals(List.of("set ip bridges", "set ip subnets", "map ip from_bridge", "map ip to_bridge", "map ip masquerade_from",
                "chain ip from-br-a", "chain ip to-br-a", "chain ip nat-br-a", "rule ip from-br-a", "rule ip nat-br-a"), names(added));
        assertEquals(Set.of("\"br-a\""), elements("set", "ip", "bridges"));
        assertEquals(Set.of("[\"br-a\",{\"jump\":{\"target\":\"from-br-a\"}}]"), elements("map", "ip", "from_bridge"));
        assertEquals(Set.of("[\"br-a\",{\"jump\":{\"target\":\"to-br-a\"}}]"), elements("map", "ip", "to_bridge"));
        assertEquals(Set.of("[{\"prefix\":{\"addr\":\"10.201.0.0\",\"len\":24}},{\"jump\":{\"target\":\"nat-br-a\"}}]"),
                elements("map", "ip", "masquerade_from"));
        assertEquals(Set.of(), elements("set", "bridge", "icc_off"), "ICC is on for a");
        String isolation = find("rule", "ip", "from-br-a").path("expr").toString();
        assertTrue(isolation.contains("\"right\":\"@bridges\"") && isolation.contains("\"drop\""), isolation);
        assertTrue(find("rule", "ip", "nat-br-a").path("expr").toString().contains("\"masquerade\""));
    }

    @Test
    void masqueradeIsThereOnlyWhenAskedForAndNeverOnAnInternalNetwork() {
        firewall.setUp();
        firewall.addNetwork(B);
        firewall.addNetwork(new NetworkRules("i", "br-i", "10.203.0.0/24", true, true, true));
        assertEquals(Set.of(), elements("map", "ip", "masquerade_from"));
        // No network's masquerade rule: only the base chain's two, for published ports (127.0.0.1 and hairpin).
        assertTrue(ruleset().stream().filter(o -> o.toString().contains("masquerade\":null"))
                .allMatch(o -> o.path("rule").path("chain").asText().equals("postrouting")), "no network's masquerade rule");
        // ICC off for b: its subnet to itself.
        assertEquals(Set.of("{\"concat\":[{\"prefix\":{\"addr\":\"10.202.0.0\",\"len\":24}},{\"prefix\":{\"addr\":\"10.202.0.0\",\"len\":24}}]}"),
                elements("set", "bridge", "icc_off"));
        // Internal: cut off both ways.
        assertEquals(2, names(ruleset()).stream().filter("rule ip from-br-i"::equals).count());
        assertEquals(1, names(ruleset()).stream().filter("rule ip to-br-i"::equals).count());
    }

    @Test
    void removeNetworkLeavesNothingOfIt() {
        firewall.setUp();
        List<String> before = withoutHandles(ruleset());
        firewall.addNetwork(A);
        firewall.addNetwork(new NetworkRules("b", "br-b", "10.202.0.0/24", false, false, true));
        firewall.removeNetwork(new NetworkRules("b", "br-b", "10.202.0.0/24", false, false, true));
        firewall.removeNetwork(A);
        assertEquals(before, withoutHandles(ruleset()));
        assertTrue(ruleset().stream().noneMatch(o -> o.toString().contains("br-a") || o.toString().contains("10.201.")), ruleset().toString());
    }

    @Test
    void twoNetworksCoexistAndRemovingOneKeepsTheOther() {
        firewall.setUp();
        firewall.addNetwork(B);
        List<String> onlyB = withoutHandles(ruleset());

        firewall.setUp();
        firewall.addNetwork(A);
        firewall.addNetwork(B);
        assertEquals(Set.of("\"br-a\"", "\"br-b\""), elements("set", "ip", "bridges"));
        firewall.removeNetwork(A);
        assertEquals(onlyB, withoutHandles(ruleset()), "b exactly as if a had never been there");
    }

    @Test
    void networksChangeConcurrently() throws Exception {
        // As network actors do: each its own network, at the same time, through the same libnftables, on eight
        // namespace threads, so up to eight contexts exist at once.
        firewall.setUp();
        List<String> fresh = withoutHandles(ruleset());
        List<NetworkRules> networks = IntStream.range(0, 16)
                .mapToObj(i -> new NetworkRules("n" + i, "br-n" + i, "10.210." + i + ".0/24", i % 2 == 0, i % 3 == 0, i % 5 == 0)).toList();
        try (NamespaceThreads threads = new NamespaceThreads("nft-concurrent", 8)) {
            Firewall onEightThreads = new NftablesFirewall(new Nftables(threads), box.host);
            inParallel(networks, onEightThreads::addNetwork);
            assertEquals(16, elements("set", "ip", "bridges").size());
            inParallel(networks, onEightThreads::removeNetwork);
        }
        assertEquals(fresh, withoutHandles(ruleset()));
    }

    private static void inParallel(List<NetworkRules> networks, Consumer<NetworkRules> change) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(networks.size());
        try {
            List<Future<?>> done = networks.stream().<Future<?>>map(n -> pool.submit(() -> change.accept(n))).toList();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aRefusedChangeChangesNothing() {
        firewall.setUp();
        firewall.addNetwork(A);
        List<String> before = withoutHandles(ruleset());

        // Refused before libnftables sees it.
        NftablesException bad = assertThrows(NftablesException.class,
                () -> firewall.addNetwork(new NetworkRules("c", "br-c", "10.203.0.300/24", true, true, false)));
        assertEquals("add firewall rules of network c (bridge br-c, 10.203.0.300/24): subnet '10.203.0.300/24' has an octet over 255",
                bad.getMessage());
        assertNull(bad.commands());
        assertThrows(NftablesException.class, () -> firewall.addNetwork(new NetworkRules("c", "br\"c", "10.203.0.0/24", true, true, false)));

        // Refused by the kernel halfway through the batch: the chains were new, the subnet was not.
        NftablesException clash = assertThrows(NftablesException.class,
                () -> firewall.addNetwork(new NetworkRules("c", "br-c", "10.201.0.0/24", true, true, false)));
        assertTrue(clash.getMessage().startsWith("add firewall rules of network c (bridge br-c, 10.201.0.0/24) in netns host: Error: "),
                clash.getMessage());
        assertTrue(clash.getMessage().contains("File exists"), clash.getMessage());
        // The same network twice, and one that was never added.
        assertThrows(NftablesException.class, () -> firewall.addNetwork(A));
        assertThrows(NftablesException.class, () -> firewall.removeNetwork(B));

        assertEquals(before, withoutHandles(ruleset()));
    }

    @Test
    void tearDownDeletesTheTablesAndMayBeRepeated() {
        firewall.setUp();
        firewall.addNetwork(A);
        firewall.tearDown();
        assertEquals(List.of(), ruleset());
        firewall.tearDown();
        assertEquals(List.of(), ruleset());
    }

    // ---- reading the ruleset from outside ----

    private List<JsonNode> ruleset() {
        return box.nftRuleset(box.host);
    }

    private void nftCli(String command) {
        KernelSandbox.command(List.of("nsenter", "--net=" + box.host.path(), "nft", command));
    }

    /** The one object of {@code kind} ("chain", "set", "map", "rule") in {@code family} named (or, for a rule, in chain) {@code name}. */
    private JsonNode find(String kind, String family, String name) {
        List<JsonNode> found = ruleset().stream().map(o -> o.path(kind))
                .filter(o -> o.path("family").asText().equals(family) && o.path(kind.equals("rule") ? "chain" : "name").asText().equals(name))
                .toList();
        assertEquals(1, found.size(), kind + " " + family + " " + name + " in " + ruleset());
        return found.get(0);
    }

    /** The elements of a set or map, each as compact JSON. */
    private Set<String> elements(String kind, String family, String name) {
        Set<String> elements = new HashSet<>();
        find(kind, family, name).path("elem").forEach(e -> elements.add(e.toString()));
        return elements;
    }

    /** "chain ip forward", "rule ip forward" (a rule is named by its chain): each object's kind, family and name. */
    private static List<String> names(List<JsonNode> ruleset) {
        return ruleset.stream().map(o -> {
            String kind = o.fieldNames().next();
            JsonNode body = o.get(kind);
            return kind + " " + body.path("family").asText() + " " + body.path(kind.equals("rule") ? "chain" : "name").asText();
        }).toList();
    }

    /** Each object as compact JSON without its handle, which differs between two makings of the same ruleset. */
    private static List<String> withoutHandles(List<JsonNode> ruleset) {
        return ruleset.stream().map(NftablesFirewallTest::withoutHandle).toList();
    }

    private static String withoutHandle(JsonNode object) {
        ObjectNode copy = object.deepCopy();
        copy.fields().forEachRemaining(kind -> ((ObjectNode) kind.getValue()).remove("handle"));
        return copy.toString();
    }
}
