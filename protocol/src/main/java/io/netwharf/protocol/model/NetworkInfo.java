package io.netwharf.protocol.model;

import java.time.Instant;
import java.util.Map;

/**
 * A network as the runtime has made it: every choice filled in. {@code endpoints} is keyed by container id and is
 * empty in listings (as in Docker's {@code GET /networks}); inspecting one network fills it.
 */
public record NetworkInfo(String id, String name, String driver, String bridge, String subnet, String gateway,
                          String ipRange, int mtu, boolean icc, boolean masquerade, boolean internal,
                          boolean isDefault, Map<String, String> labels, Instant created,
                          Map<String, EndpointInfo> endpoints) {
    public NetworkInfo {
        labels = Map.copyOf(labels);
        endpoints = Map.copyOf(endpoints);
    }

    public NetworkInfo withEndpoints(Map<String, EndpointInfo> endpoints) {
        return new NetworkInfo(id, name, driver, bridge, subnet, gateway, ipRange, mtu, icc, masquerade, internal,
                isDefault, labels, created, endpoints);
    }
}
