package io.netwharf.protocol.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A container as far as the network is concerned.
 *
 * @param id          the container's id, 64 lowercase hex digits, for callers that keep containers of their own
 *                    across network lifetimes (the gateway keeps a stopped container's id); null: a new random one
 * @param networkMode {@code bridge} (the default network), {@code none}, {@code host}, {@code container:<name or
 *                    id>}, or the name or id of a user-defined network
 * @param endpoints   settings per network (static address, aliases), keyed by network name or id; networks named
 *                    here besides the one in {@code networkMode} are joined too, in order
 */
public record ContainerSpec(String id, String name, String networkMode, Map<String, EndpointSpec> endpoints) {
    public ContainerSpec {
        networkMode = networkMode == null || networkMode.isEmpty() ? "bridge" : networkMode;
        endpoints = endpoints == null ? Map.of() : new LinkedHashMap<>(endpoints);
    }

    public ContainerSpec(String name, String networkMode, Map<String, EndpointSpec> endpoints) {
        this(null, name, networkMode, endpoints);
    }

    public static ContainerSpec of(String name, String networkMode) {
        return new ContainerSpec(name, networkMode, Map.of());
    }
}
