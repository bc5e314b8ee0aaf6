package io.netwharf.protocol.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A container as far as the network is concerned. The runtime knows containers by id alone: names and id prefixes
 * are the container engine's.
 *
 * @param id          the container's id, 64 lowercase hex digits, for callers that keep containers of their own
 *                    across network lifetimes (the engine keeps a stopped container's id); null: a new random one
 * @param name        a label for logs and messages, not a key: the runtime neither checks nor resolves it; null or
 *                    empty: the short id
 * @param networkMode {@code bridge} (the default network), {@code none}, {@code host}, {@code container:<full id>}
 *                    of a container the runtime has, or the name, id or unique id prefix of a network
 * @param endpoints   settings per network (static address, aliases), keyed by network name, id or id prefix;
 *                    networks named here besides the one in {@code networkMode} are joined too, in order
 * @param ports       ports published on the host's addresses and forwarded to the container ({@code -p}); a host port
 *                    0 is chosen by the runtime
 * @param dnsServers  the upstream servers the container's embedded DNS forwards other names to ({@code --dns});
 *                    empty: the host's
 */
public record ContainerSpec(String id, String name, NetworkMode networkMode, Map<String, EndpointSpec> endpoints,
                            List<PortBinding> ports, List<String> dnsServers) {
    public ContainerSpec {
        networkMode = networkMode == null ? NetworkMode.BRIDGE_MODE : networkMode;
        endpoints = endpoints == null ? Map.of() : new LinkedHashMap<>(endpoints);
        ports = ports == null ? List.of() : List.copyOf(ports);
        dnsServers = dnsServers == null ? List.of() : List.copyOf(dnsServers);
    }

    public ContainerSpec(String id, String name, NetworkMode networkMode, Map<String, EndpointSpec> endpoints) {
        this(id, name, networkMode, endpoints, List.of(), List.of());
    }

    /** With the mode in Docker's spelling, parsed here. */
    public ContainerSpec(String id, String name, String networkMode, Map<String, EndpointSpec> endpoints) {
        this(id, name, NetworkMode.parse(networkMode), endpoints);
    }

    public ContainerSpec(String name, String networkMode, Map<String, EndpointSpec> endpoints) {
        this(null, name, networkMode, endpoints);
    }

    public static ContainerSpec of(String name, String networkMode) {
        return new ContainerSpec(name, networkMode, Map.of());
    }
}
