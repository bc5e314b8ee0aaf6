package io.netwharf.protocol.model;

import java.util.List;

/**
 * One container's attachment to one network: the interface inside its namespace and its address.
 *
 * @param dnsNames the names the embedded DNS answers with this endpoint's address on its network; empty on the
 *                 default network, which has no embedded DNS
 */
public record EndpointInfo(String endpointId, String networkId, String networkName, String containerId,
                           String interfaceName, String hostInterfaceName, String macAddress, String ipv4Address,
                           int prefixLength, String gateway, List<String> aliases, List<String> dnsNames) {
    public EndpointInfo {
        aliases = List.copyOf(aliases);
        dnsNames = dnsNames == null ? List.of() : List.copyOf(dnsNames);
    }

    public EndpointInfo(String endpointId, String networkId, String networkName, String containerId, String interfaceName,
                        String hostInterfaceName, String macAddress, String ipv4Address, int prefixLength, String gateway,
                        List<String> aliases) {
        this(endpointId, networkId, networkName, containerId, interfaceName, hostInterfaceName, macAddress, ipv4Address,
                prefixLength, gateway, aliases, List.of());
    }
}
