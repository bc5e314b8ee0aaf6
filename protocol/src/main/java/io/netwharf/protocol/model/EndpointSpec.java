package io.netwharf.protocol.model;

import java.util.List;

/**
 * How a container joins one network.
 *
 * @param ipv4Address   a static IPv4 address; null: one from the pool
 * @param aliases       DNS aliases (kept for name resolution, which a later issue adds)
 * @param macAddress    the interface's MAC, {@code xx:xx:xx:xx:xx:xx}; null: {@code 02:42} and the address's four bytes
 * @param interfaceName the interface's name inside the container; null: the next free {@code ethN}
 * @param noneMode      join even a container in {@code none} mode, whose namespace Docker keeps unconnected: pipework's
 *                      use, asked for explicitly (netwharf refuses it otherwise, as Docker does)
 */
public record EndpointSpec(String ipv4Address, List<String> aliases, String macAddress, String interfaceName, boolean noneMode) {
    public static final EndpointSpec DYNAMIC = new EndpointSpec(null, List.of());

    public EndpointSpec {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
    }

    public EndpointSpec(String ipv4Address, List<String> aliases) {
        this(ipv4Address, aliases, null, null, false);
    }

    public static EndpointSpec staticAddress(String ipv4Address) {
        return new EndpointSpec(ipv4Address, List.of());
    }

    /**
     * Refuses, with Docker's messages, what the default network does not take: a static address or aliases (Docker
     * keeps both for user-defined networks). Checked before any endpoint is made, whether the container runs or not.
     */
    public void checkFor(NetworkInfo network) {
        if (!network.isDefault()) {
            return;
        }
        if (ipv4Address != null) {
            throw NetwharfException.badParameter("user specified IP address is supported on user defined networks only");
        }
        if (!aliases.isEmpty()) {
            throw NetwharfException.badParameter("network-scoped alias is supported only for containers in user defined networks");
        }
    }
}
