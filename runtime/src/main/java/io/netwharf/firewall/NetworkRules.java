package io.netwharf.firewall;

import java.util.Objects;

/**
 * What the firewall needs to know about one bridge network.
 *
 * @param network    the network's name, for messages
 * @param bridge     the Linux bridge the network's containers are on
 * @param subnet     the network's IPv4 subnet in CIDR notation, "172.19.0.0/16"
 * @param icc        whether containers on the bridge may talk to each other (Docker's inter-container communication)
 * @param masquerade whether traffic leaving the host from the subnet is masqueraded behind the outgoing interface
 * @param internal   whether the network is cut off from everything outside its bridge (Docker's --internal)
 */
public record NetworkRules(String network, String bridge, String subnet, boolean icc, boolean masquerade, boolean internal) {
    public NetworkRules {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(bridge, "bridge");
        Objects.requireNonNull(subnet, "subnet");
    }

    /** Masquerading only means something for traffic that may leave the bridge. */
    public boolean masqueraded() {
        return masquerade && !internal;
    }
}
