package io.netwharf.bench;

import io.netwharf.protocol.model.ContainerInfo;
import io.netwharf.protocol.model.PortBinding;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Checks, from outside the runtime, that published ports became forwarding rules in the host namespace's nftables
 * ruleset and went away with their containers: a sample of containers, each looked for by its address and host ports
 * in {@code nft list ruleset} (run through {@code nsenter}, as the benchmark's other sides run {@code ip}). Only a
 * sample: the listing of 4,000 rules is read once, but looking up every container in it would dominate the check.
 */
final class PublishedPortRules {
    private static final int SAMPLE = 20;

    private PublishedPortRules() {}

    /** Fails unless every sampled container's address and host ports are in the ruleset; returns the sampled addresses. */
    static List<String> verifyPresent(Path hostNetns, List<ContainerInfo> made, int ports) throws IOException, InterruptedException {
        if (ports == 0) {
            return List.of();
        }
        String ruleset = ruleset(hostNetns);
        List<String> sample = new ArrayList<>();
        for (int i = 0; i < made.size(); i += Math.max(1, made.size() / SAMPLE)) {
            ContainerInfo c = made.get(i);
            String address = c.endpoints().get("bridge").ipv4Address();
            if (!mentions(ruleset, address)) {
                throw new IllegalStateException("no rule names " + c.name() + "'s address " + address + " in the host's ruleset");
            }
            for (PortBinding p : c.ports()) {
                if (!mentions(ruleset, Integer.toString(p.hostPort()))) {
                    throw new IllegalStateException("no rule names " + c.name() + "'s host port " + p.hostPort() + " in the host's ruleset");
                }
            }
            sample.add(address);
        }
        return sample;
    }

    /** Fails if any of the sampled addresses is still named in the ruleset after their containers were removed. */
    static void verifyGone(Path hostNetns, List<String> sample) throws IOException, InterruptedException {
        if (sample.isEmpty()) {
            return;
        }
        String ruleset = ruleset(hostNetns);
        for (String address : sample) {
            if (mentions(ruleset, address)) {
                throw new IllegalStateException("the host's ruleset still names " + address + " after its container was removed");
            }
        }
    }

    /** The word as a whole: 10.0.0.1 must not match inside 10.0.0.10, nor port 80 inside 8080. */
    private static boolean mentions(String ruleset, String word) {
        return Pattern.compile("(?<![0-9.])" + Pattern.quote(word) + "(?![0-9])").matcher(ruleset).find();
    }

    private static String ruleset(Path hostNetns) throws IOException, InterruptedException {
        Process nft = new ProcessBuilder("nsenter", "--net=" + hostNetns, "nft", "list", "ruleset").redirectErrorStream(true).start();
        byte[] out = nft.getInputStream().readAllBytes();
        if (!nft.waitFor(1, TimeUnit.MINUTES) || nft.exitValue() != 0) {
            throw new IllegalStateException("nft list ruleset in " + hostNetns + " failed: " + new String(out, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
