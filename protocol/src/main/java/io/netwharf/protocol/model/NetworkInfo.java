package io.netwharf.protocol.model;

import java.time.Instant;
import java.util.Map;

/**
 * A network as the runtime has made it: every choice filled in. {@code endpoints} is keyed by container id and is
 * empty in listings (as in Docker's {@code GET /networks}); inspecting one network fills it.
 *
 * @param driver    {@code bridge}, {@code host}, {@code null}, {@code macvlan} or {@code ipvlan}
 * @param bridge    the host link the network is on: the bridge of a bridge network, the parent of a macvlan or ipvlan
 *                  network; null for host and null networks
 * @param subnet    null for host and null networks, which hand out no addresses
 * @param isDefault one of the networks that always exist (bridge, host, none): not removable
 * @param auxiliaryAddresses addresses of the subnet by name that are never handed out ({@link NetworkSpec})
 * @param attachable as it was asked ({@link NetworkSpec#attachable()}): it restricts nothing on a local network
 * @param options   the driver options it was created with, as given
 */
public record NetworkInfo(String id, String name, String driver, String bridge, String subnet, String gateway,
                          String ipRange, Map<String, String> auxiliaryAddresses, int mtu, boolean icc, boolean masquerade,
                          boolean internal, boolean attachable, boolean isDefault, Map<String, String> labels,
                          Map<String, String> options, Instant created, Map<String, EndpointInfo> endpoints) {
    public NetworkInfo {
        auxiliaryAddresses = Map.copyOf(auxiliaryAddresses);
        labels = Map.copyOf(labels);
        options = Map.copyOf(options);
        endpoints = Map.copyOf(endpoints);
    }

    /** A network created without auxiliary addresses and {@code Attachable} (the predefined ones, and tests' stand-ins). */
    public NetworkInfo(String id, String name, String driver, String bridge, String subnet, String gateway,
                       String ipRange, int mtu, boolean icc, boolean masquerade, boolean internal,
                       boolean isDefault, Map<String, String> labels, Map<String, String> options, Instant created,
                       Map<String, EndpointInfo> endpoints) {
        this(id, name, driver, bridge, subnet, gateway, ipRange, Map.of(), mtu, icc, masquerade, internal, false, isDefault,
                labels, options, created, endpoints);
    }

    public NetworkInfo withEndpoints(Map<String, EndpointInfo> endpoints) {
        return new NetworkInfo(id, name, driver, bridge, subnet, gateway, ipRange, auxiliaryAddresses, mtu, icc, masquerade,
                internal, attachable, isDefault, labels, options, created, endpoints);
    }

    /** Whether it hands out addresses: false for the host and null networks. */
    public boolean hasAddresses() {
        return subnet != null;
    }
}
