package io.netwharf.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * libnftables through jnr-ffi: batches run inside the namespace they are given and nowhere else, apply whole or
 * not at all, and come back with libnftables' own error text. Checked from outside with {@code nft -j} (real
 * kernel, root, throwaway namespaces).
 */
class NftablesTest extends KernelTest {
    private final Nftables nft = new Nftables(KernelSandbox.THREADS);

    @Test
    void aBatchChangesOnlyTheNamespaceItIsGiven() {
        nft.run(box.host, "add table ip probe\nadd chain ip probe c { type filter hook input priority 0; }\n");
        assertEquals(List.of("table probe", "chain c"), names(box.nftRuleset(box.host)));
        try (Netns other = box.netns.create("other")) {
            assertEquals(List.of(), box.nftRuleset(other));
        }
        // The test JVM's own namespace, where the calling thread and a plain nft run.
        assertEquals("", KernelSandbox.command(List.of("nft", "list", "ruleset")).strip());
    }

    @Test
    void aRefusedBatchAppliesNothingAndSaysWhy() {
        // The kernel refuses the last command (no such chain) after the first two were sent in the same batch.
        String commands = "add table ip partial\nadd chain ip partial c\nadd rule ip partial absent drop\n";
        NftablesException e = assertThrows(NftablesException.class, () -> nft.run(box.host, "make a partial table", commands));
        assertEquals("make a partial table in netns host: Error: Could not process rule: No such file or directory", e.getMessage());
        assertTrue(e.error().contains("^^^^^^"), "libnftables' own text, carets and all: " + e.error());
        assertEquals(commands, e.commands());
        assertEquals(List.of(), box.nftRuleset(box.host), "nothing of the batch was applied");
    }

    @Test
    void syntaxErrorsComeBackAsText() {
        NftablesException e = assertThrows(NftablesException.class, () -> nft.run(box.host, "add table ip\n"));
        assertTrue(e.error().contains("syntax error"), e.error());
    }

    @Test
    void jsonOutputReadsTheRulesetBack() throws IOException {
        nft.run(box.host, "add table ip probe\nadd set ip probe names { type ifname; elements = { \"br0\" } }\n");
        JsonNode listed = new ObjectMapper().readTree(nft.json(box.host, "list table ip probe"));
        JsonNode set = listed.path("nftables").findParent("elem");
        assertEquals("names", set.path("name").asText(), listed.toString());
        assertEquals("br0", set.path("elem").get(0).asText());
        assertTrue(nft.run(box.host, "list table ip probe").contains("table ip probe {"), "without JSON, nft's own syntax");
    }

    @Test
    void contextsAreFreedAfterEachCall() throws IOException {
        nft.run(box.host, "add table ip probe\n");
        long before = openDescriptors();
        for (int i = 0; i < 300; i++) {
            nft.run(box.host, "add chain ip probe c" + i + "\n");
        }
        assertTrue(openDescriptors() <= before + 2, "descriptors leak: " + before + " -> " + openDescriptors());
        assertEquals(301, box.nftRuleset(box.host).size(), "the table and its 300 chains");
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** "table probe", "chain c", ...: each object's kind and name. */
    static List<String> names(List<JsonNode> ruleset) {
        return ruleset.stream().map(o -> {
            String kind = o.fieldNames().next();
            return kind + " " + o.get(kind).path("name").asText();
        }).toList();
    }
}
