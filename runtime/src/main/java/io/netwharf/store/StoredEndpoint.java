package io.netwharf.store;

import java.util.List;

/**
 * One endpoint: a container's link on a network, with the address its pool gave. Written in {@link Phase#INTENT}
 * before the link is made, {@link Phase#DONE} once the link is up.
 *
 * @param interfaceName the link's name inside the namespace ({@code eth0})
 * @param hostInterface the host end of a veth pair; null for links made on a parent (macvlan, ipvlan)
 * @param address       dotted IPv4
 * @param prefixLength  of the network's subnet
 * @param dnsNames      the names the embedded DNS answers with its address, so a restart that adopts it answers them again
 */
public record StoredEndpoint(String containerId, String networkId, String endpointId, String interfaceName, String hostInterface,
                             String address, int prefixLength, String mac, List<String> aliases, Phase phase, List<String> dnsNames) {
    public StoredEndpoint {
        aliases = List.copyOf(aliases);
        dnsNames = dnsNames == null ? List.of() : List.copyOf(dnsNames);
    }

    public StoredEndpoint(String containerId, String networkId, String endpointId, String interfaceName, String hostInterface,
                          String address, int prefixLength, String mac, List<String> aliases, Phase phase) {
        this(containerId, networkId, endpointId, interfaceName, hostInterface, address, prefixLength, mac, aliases, phase, List.of());
    }

    public StoredEndpoint with(Phase phase) {
        return new StoredEndpoint(containerId, networkId, endpointId, interfaceName, hostInterface, address, prefixLength, mac, aliases,
                phase, dnsNames);
    }
}
