package io.netwharf.protocol.model;

import java.util.List;

/** One container's attachment to one network: the interface inside its namespace and its address. */
public record EndpointInfo(String endpointId, String networkId, String networkName, String containerId,
                           String interfaceName, String hostInterfaceName, String macAddress, String ipv4Address,
                           int prefixLength, String gateway, List<String> aliases) {
    public EndpointInfo {
        aliases = List.copyOf(aliases);
    }
}
