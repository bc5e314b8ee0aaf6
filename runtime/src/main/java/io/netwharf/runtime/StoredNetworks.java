package io.netwharf.runtime;

import io.netwharf.ipam.Ipv4;
import io.netwharf.ipam.Ipv4Subnet;
import io.netwharf.network.NetworkDefinition;
import io.netwharf.network.bridge.BridgeOptions;
import io.netwharf.network.overlay.OverlayOptions;
import io.netwharf.protocol.model.EndpointInfo;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.protocol.model.NetworkSpec;
import io.netwharf.store.Phase;
import io.netwharf.store.StoredEndpoint;
import io.netwharf.store.StoredNetwork;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.List;

/**
 * Networks and endpoints between the runtime's terms and the store's rows. A user network is stored with the request
 * it was made from (its {@link NetworkSpec}, as JSON) and what was chosen for it (subnet, gateway, bridge), so a
 * restart makes the same network again; the default network is stored with no request (the config describes it).
 */
final class StoredNetworks {
    /** The default network's row name: the one network stored without a request. */
    static final String DEFAULT_NAME = "bridge";
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private StoredNetworks() {}

    /** A network about to be made: what the request fixed; the subnet and gateway may still be open. */
    static StoredNetwork intent(NetworkDefinition definition, NetworkSpec spec) {
        return new StoredNetwork(definition.id(), definition.name(), definition.driver(), definition.link(),
                definition.subnet() == null ? null : definition.subnet().toString(),
                definition.gateway() == null ? null : Ipv4.format(definition.gateway()), Phase.INTENT, definition.created(), json(spec));
    }

    /** A network made as {@code info} says; {@code spec} null for the default network. */
    static StoredNetwork done(NetworkInfo info, NetworkSpec spec) {
        return new StoredNetwork(info.id(), info.name(), info.driver(), info.bridge(), info.subnet(), info.gateway(), Phase.DONE,
                info.created(), spec == null ? null : json(spec));
    }

    static boolean isDefault(StoredNetwork row) {
        return row.specJson() == null && row.name().equals(DEFAULT_NAME);
    }

    static NetworkSpec spec(StoredNetwork row) {
        try {
            return JSON.readValue(row.specJson(), NetworkSpec.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("network " + row.name() + " (" + row.id() + "): its stored request cannot be read: "
                    + e.getOriginalMessage(), e);
        }
    }

    /** The definition a user network was made from, with the subnet and gateway it got then. */
    static NetworkDefinition definition(StoredNetwork row, int defaultMtu) {
        NetworkSpec spec = spec(row);
        // Checked alone: the networks it shares the host with were checked against it when it was made.
        NetworkDefinition definition = switch (spec.driver()) {
            case "bridge" -> BridgeOptions.define(spec, row.id(), defaultMtu, List.of());
            // Kept with the VNI and MTU it was made with (overlaySpec): the same on every node.
            case "overlay" -> OverlayOptions.define(spec, row.id(), spec.mtu() + OverlayOptions.VXLAN_OVERHEAD, List.of());
            default -> NetworkDefinition.check(spec, row.id(), defaultMtu, List.of());
        };
        return definition.restored(Ipv4Subnet.parse(row.subnet()), Ipv4.parse(row.gateway()), row.created());
    }

    /**
     * An overlay network's request as kept: with what the cluster's nodes must all agree on (subnet, gateway, VNI, MTU),
     * so that a restart makes it again the same whoever chose them.
     */
    static NetworkSpec overlaySpec(NetworkInfo info) {
        return NetworkSpec.named(info.name()).driver(info.driver()).subnet(info.subnet()).gateway(info.gateway()).ipRange(info.ipRange())
                .auxiliaryAddresses(info.auxiliaryAddresses()).internal(true).attachable(info.attachable()).labels(info.labels())
                .options(info.options()).mtu(info.mtu()).build();
    }

    /** An endpoint as a restart finds it in the store, on the network now described by {@code network}. */
    static EndpointInfo endpoint(StoredEndpoint row, NetworkInfo network) {
        return new EndpointInfo(row.endpointId(), row.networkId(), network.name(), row.containerId(), row.interfaceName(),
                row.hostInterface(), row.mac(), row.address(), row.prefixLength(), network.gateway(), row.aliases(), row.dnsNames());
    }

    private static String json(NetworkSpec spec) {
        try {
            return JSON.writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("write network request " + spec.name() + " as JSON", e);
        }
    }
}
