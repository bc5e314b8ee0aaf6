package io.netwharf.network;

import io.netwharf.protocol.model.EndpointInfo;

/**
 * An endpoint of another node of the cluster, on an overlay network: the node that holds it (its cluster address,
 * {@code host:port}), that node's underlay address (where its VXLAN link listens), and the endpoint as that node
 * has it (address, MAC, names).
 */
public record RemoteEndpoint(String node, String underlayAddress, EndpointInfo endpoint) {
    /** The key that names it cluster-wide: one endpoint per container and network. */
    public String key() {
        return endpoint.networkId() + "/" + endpoint.containerId();
    }
}
