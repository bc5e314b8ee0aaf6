package io.netwharf.protocol.model;

import java.util.List;

/**
 * How a container joins one network: a static IPv4 address (null: one from the pool) and DNS aliases (kept for
 * name resolution, which a later issue adds).
 */
public record EndpointSpec(String ipv4Address, List<String> aliases) {
    public static final EndpointSpec DYNAMIC = new EndpointSpec(null, List.of());

    public EndpointSpec {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
    }

    public static EndpointSpec staticAddress(String ipv4Address) {
        return new EndpointSpec(ipv4Address, List.of());
    }
}
