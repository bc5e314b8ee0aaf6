package io.netwharf.bench;

import io.netwharf.kernel.NetnsDirectory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The netavark side: podman's network backend (Debian's netavark 1.4), executed as podman executes it for a container
 * on a bridge network, one container at a time, with the container's namespace made first (see {@link PluginRuntime}):
 * {@code netavark --config <dir> -f <options.json> setup <netns>}, and {@code teardown} likewise, then the namespace
 * deleted. The network options carry each container's address, as podman's do: podman allocates addresses itself
 * before calling netavark, and that cost is not counted here.
 *
 * <p>netavark 1.4 always programs a firewall: it refuses {@code NETAVARK_FW=none} ("Must provide a valid firewall
 * backend"), so it runs with its iptables driver, whose rules land in the round's own host namespace. The system
 * D-Bus is put out of its reach, so that it cannot find a firewalld of the machine and add the subnet to its zones.
 */
final class NetavarkBaseline {
    private NetavarkBaseline() {}

    private static final List<Path> LOCATIONS = List.of(Path.of("/usr/libexec/podman/netavark"), Path.of("/usr/lib/podman/netavark"));
    private static final String BRIDGE = "nv0";
    private static final Map<String, String> ENVIRONMENT = Map.of(
            "NETAVARK_FW", "iptables",
            "DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/netwharf-bench");

    /**
     * Why this side cannot run here, or null when it can: finds the program, then wires and unwires one container
     * with it in a namespace of its own.
     */
    static String unavailable(NetnsDirectory hosts, Path runDirectory) {
        Path netavark = program();
        if (netavark == null) {
            return "no netavark in " + LOCATIONS + " (Debian: apt-get install netavark)";
        }
        try {
            run(hosts, runDirectory, 0, 1);
            return null;
        } catch (PluginRuntime.PluginFailure e) {
            return "tried " + netavark + " setup and teardown of one container with NETAVARK_FW=" + ENVIRONMENT.get("NETAVARK_FW")
                    + ": exit status " + e.status() + ", " + e.output();
        } catch (Exception e) {
            return "tried " + netavark + " setup and teardown of one container with NETAVARK_FW=" + ENVIRONMENT.get("NETAVARK_FW")
                    + ": " + e.getMessage();
        }
    }

    /** One round of {@code containers} containers, one after another. */
    static BaselineRun run(NetnsDirectory hosts, Path runDirectory, int round, int containers) throws Exception {
        Path netavark = program();
        String hostName = "netavark-" + round;
        Path work = runDirectory.resolve(hostName);
        Path options = work.resolve("options");
        Path config = work.resolve("config");
        Files.createDirectories(options);
        for (int i = 0; i < containers; i++) { // written before timing: podman pipes them, already in memory
            String name = hostName + "-c" + i;
            Files.writeString(options.resolve(name + ".json"), """
                    {"container_id": "%s", "container_name": "%s",
                     "networks": {"nw": {"interface_name": "eth0", "static_ips": ["%s"]}},
                     "network_info": {"nw": {"name": "nw", "id": "%064x", "driver": "bridge", "network_interface": "%s",
                       "subnets": [{"subnet": "10.200.0.0/16", "gateway": "%s"}],
                       "ipv6_enabled": false, "internal": false, "dns_enabled": false}}}
                    """.formatted(name, name, BenchSupport.containerAddress(i), round + 1, BRIDGE, IpBaselines.GATEWAY));
        }
        PluginRuntime.Plugin plugin = new PluginRuntime.Plugin() {
            @Override
            public String bridge() {
                return BRIDGE;
            }

            @Override
            public String setup(String container, Path netns) {
                return netavark + " --config " + config + " -f " + options.resolve(container + ".json") + " setup " + netns;
            }

            @Override
            public String teardown(String container, Path netns) {
                return netavark + " --config " + config + " -f " + options.resolve(container + ".json") + " teardown " + netns;
            }
        };
        return PluginRuntime.round(hosts, hostName, work, containers, 1, ENVIRONMENT, plugin);
    }

    private static Path program() {
        return LOCATIONS.stream().filter(Files::isExecutable).findFirst().orElse(null);
    }
}
