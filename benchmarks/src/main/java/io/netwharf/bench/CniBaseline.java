package io.netwharf.bench;

import io.netwharf.kernel.NetnsDirectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The CNI side: the reference {@code bridge} plugin with {@code host-local} IPAM (Debian's containernetworking-plugins,
 * in /usr/lib/cni), executed as a CNI runtime executes it, with the container's namespace made first (see
 * {@link PluginRuntime}). Per container, as containerd and CRI-O do for every pod: the {@code loopback} plugin (lo up,
 * which netwharf does too), then {@code bridge}, which executes {@code host-local} for the address; both ADD, with the
 * network configuration on stdin. Teardown: DEL in the reverse order, then the namespace deleted. host-local keeps its
 * allocations in a directory of the round's own, so its state is thrown away with the round.
 */
final class CniBaseline {
    private CniBaseline() {}

    static final Path PLUGINS = Path.of("/usr/lib/cni");
    static final String BRIDGE = "cni0";
    private static final String NETWORK = "nw";

    /** Why this side cannot run here, or null when it can. */
    static String unavailable() {
        for (String plugin : List.of("bridge", "host-local", "loopback")) {
            if (!Files.isExecutable(PLUGINS.resolve(plugin))) {
                return PLUGINS.resolve(plugin) + " not found (Debian: apt-get install containernetworking-plugins)";
            }
        }
        return null;
    }

    /** One round of {@code containers} containers, {@code parallel} plugin invocations at a time. */
    static BaselineRun run(NetnsDirectory hosts, Path runDirectory, int round, int containers, int parallel) throws Exception {
        String hostName = (parallel == 1 ? "cni-seq-" : "cni-par-") + round;
        Path work = runDirectory.resolve(hostName);
        Path allocations = work.resolve("host-local");
        Path bridgeConfig = work.resolve("bridge.json");
        Path loopbackConfig = work.resolve("loopback.json");
        Files.createDirectories(work);
        Files.writeString(bridgeConfig, """
                {"cniVersion": "1.0.0", "name": "%s", "type": "bridge", "bridge": "%s", "isGateway": true, "ipMasq": false,
                 "ipam": {"type": "host-local", "subnet": "10.201.0.0/16", "routes": [{"dst": "0.0.0.0/0"}], "dataDir": "%s"}}
                """.formatted(NETWORK, BRIDGE, allocations));
        Files.writeString(loopbackConfig, """
                {"cniVersion": "1.0.0", "name": "lo", "type": "loopback"}
                """);
        PluginRuntime.Plugin plugin = new PluginRuntime.Plugin() {
            @Override
            public String bridge() {
                return BRIDGE;
            }

            @Override
            public String setup(String container, Path netns) {
                return invoke("ADD", container, netns, "lo", "loopback", loopbackConfig) + " && "
                        + invoke("ADD", container, netns, "eth0", "bridge", bridgeConfig);
            }

            @Override
            public String teardown(String container, Path netns) {
                return invoke("DEL", container, netns, "eth0", "bridge", bridgeConfig) + " && "
                        + invoke("DEL", container, netns, "lo", "loopback", loopbackConfig);
            }

            @Override
            public void checkNothingLeft() {
                List<String> held = allocated(allocations.resolve(NETWORK));
                if (!held.isEmpty()) {
                    throw new IllegalStateException("host-local still holds " + held.size() + " addresses after every DEL, e.g. " + held.get(0));
                }
            }
        };
        return PluginRuntime.round(hosts, hostName, work, containers, parallel, Map.of(), plugin);
    }

    /** One plugin execution, the CNI way: parameters in the environment, the network configuration on stdin. */
    private static String invoke(String command, String container, Path netns, String ifName, String type, Path config) {
        return "CNI_COMMAND=" + command + " CNI_CONTAINERID=" + container + " CNI_NETNS=" + netns + " CNI_IFNAME=" + ifName
                + " CNI_PATH=" + PLUGINS + " " + PLUGINS.resolve(type) + " <" + config;
    }

    /** host-local's allocation files: one per address in use, named after it (besides its lock and last_reserved_ip). */
    private static List<String> allocated(Path directory) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(f -> f.getFileName().toString()).filter(f -> f.matches("\\d+\\.\\d+\\.\\d+\\.\\d+")).toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list host-local's allocations in " + directory, e);
        }
    }
}
