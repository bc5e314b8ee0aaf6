package io.netwharf.gateway;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import io.netwharf.protocol.model.EndpointInfo;
import io.netwharf.protocol.model.EndpointSpec;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.model.NetworkInfo;

import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The network bodies of the Docker API, as v1.51 and Docker 20.10's captured answers show them. */
final class NetworkJson {
    private NetworkJson() {}

    /** {@code POST /networks/create}. */
    record CreateRequest(@JsonProperty("Name") String name,
                         @JsonProperty("CheckDuplicate") Boolean checkDuplicate,
                         @JsonProperty("Driver") String driver,
                         @JsonProperty("Scope") String scope,
                         @JsonProperty("EnableIPv4") Boolean enableIPv4,
                         @JsonProperty("EnableIPv6") Boolean enableIPv6,
                         @JsonProperty("IPAM") Ipam ipam,
                         @JsonProperty("Internal") Boolean internal,
                         @JsonProperty("Attachable") Boolean attachable,
                         @JsonProperty("Ingress") Boolean ingress,
                         @JsonProperty("ConfigOnly") Boolean configOnly,
                         @JsonProperty("ConfigFrom") ConfigReference configFrom,
                         @JsonProperty("Options") Map<String, String> options,
                         @JsonProperty("Labels") Map<String, String> labels) {
    }

    record Ipam(@JsonProperty("Driver") String driver,
                @JsonProperty("Config") List<IpamConfig> config,
                @JsonProperty("Options") Map<String, String> options) {
    }

    record IpamConfig(@JsonProperty("Subnet") String subnet,
                      @JsonProperty("IPRange") String ipRange,
                      @JsonProperty("Gateway") String gateway,
                      @JsonProperty("AuxiliaryAddresses") Map<String, String> auxiliaryAddresses) {
    }

    record ConfigReference(@JsonProperty("Network") String network) {
    }

    /** {@code POST /networks/{id}/connect}. */
    record ConnectRequest(@JsonProperty("Container") String container,
                          @JsonProperty("EndpointConfig") EndpointConfig endpointConfig) {
    }

    /**
     * How a container joins one network, in {@code POST /networks/{id}/connect} and in a container's
     * {@code NetworkingConfig.EndpointsConfig}. A null alias is refused with a 400 naming the field, not met later as
     * a 500. Of the endpoint driver options, Docker's interface name and pipework's none-mode request are taken; any
     * other is refused by name rather than ignored.
     */
    record EndpointConfig(@JsonProperty("IPAMConfig") EndpointIpam ipamConfig,
                          @JsonProperty("Aliases") @JsonSetter(contentNulls = Nulls.FAIL) List<String> aliases,
                          @JsonProperty("MacAddress") String macAddress,
                          @JsonProperty("DriverOpts") Map<String, String> driverOpts) {
        /** Docker 28's endpoint option for the interface's name inside the container. */
        static final String IFNAME = "com.docker.network.endpoint.ifname";
        /** netwharf's: connect a container even though it is in none mode (what `netwharf pipework` asks). */
        static final String PIPEWORK = "io.netwharf.pipework";

        /** The runtime's endpoint settings; an IPv6 address is refused. */
        EndpointSpec spec() {
            if (ipamConfig != null && ipamConfig.ipv6Address() != null && !ipamConfig.ipv6Address().isEmpty()) {
                throw NetwharfException.badParameter("IPv6 is not supported: cannot assign " + ipamConfig.ipv6Address());
            }
            String ipv4 = ipamConfig == null || ipamConfig.ipv4Address() == null || ipamConfig.ipv4Address().isEmpty()
                    ? null : ipamConfig.ipv4Address();
            Map<String, String> options = driverOpts == null ? Map.of() : driverOpts;
            for (Map.Entry<String, String> option : options.entrySet()) {
                if (!option.getKey().equals(IFNAME) && !option.getKey().equals(PIPEWORK)) {
                    throw NetwharfException.badParameter("endpoint driver option " + option.getKey() + " is not supported (only "
                            + IFNAME + " and " + PIPEWORK + ")");
                }
                if (option.getValue() == null) {
                    throw NetwharfException.badParameter("endpoint driver option " + option.getKey() + " has no value");
                }
            }
            String pipework = options.getOrDefault(PIPEWORK, "false");
            if (!pipework.equals("true") && !pipework.equals("false")) {
                throw NetwharfException.badParameter("endpoint driver option " + PIPEWORK + " must be true or false, not " + pipework);
            }
            String mac = macAddress == null || macAddress.isEmpty() ? null : macAddress;
            return new EndpointSpec(ipv4, aliases, mac, options.get(IFNAME), pipework.equals("true"));
        }
    }

    record EndpointIpam(@JsonProperty("IPv4Address") String ipv4Address,
                        @JsonProperty("IPv6Address") String ipv6Address,
                        @JsonProperty("LinkLocalIPs") List<String> linkLocalIps) {
    }

    /** {@code POST /networks/{id}/disconnect}. */
    record DisconnectRequest(@JsonProperty("Container") String container,
                             @JsonProperty("Force") Boolean force) {
    }

    /** One network as {@code GET /networks} and {@code GET /networks/{id}} show it. */
    static Map<String, Object> network(NetworkInfo n, Map<String, Object> containers) {
        List<Map<String, Object>> config = List.of();
        if (n.subnet() != null) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("Subnet", n.subnet());
            if (n.ipRange() != null) {
                c.put("IPRange", n.ipRange());
            }
            if (n.gateway() != null) {
                c.put("Gateway", n.gateway());
            }
            if (!n.auxiliaryAddresses().isEmpty()) {
                c.put("AuxiliaryAddresses", new TreeMap<>(n.auxiliaryAddresses()));
            }
            config = List.of(c);
        }
        Map<String, Object> ipam = new LinkedHashMap<>();
        ipam.put("Driver", "default");
        ipam.put("Options", Map.of());
        ipam.put("Config", config);

        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Name", n.name());
        body.put("Id", n.id());
        body.put("Created", DateTimeFormatter.ISO_INSTANT.format(n.created()));
        body.put("Scope", scopeOf(n.driver()));
        body.put("Driver", n.driver());
        body.put("EnableIPv4", true);
        body.put("EnableIPv6", false);
        body.put("IPAM", ipam);
        body.put("Internal", n.internal());
        body.put("Attachable", n.attachable());
        body.put("Ingress", false);
        body.put("ConfigFrom", Map.of("Network", ""));
        body.put("ConfigOnly", false);
        body.put("Containers", containers);
        body.put("Options", new TreeMap<>(n.options()));
        body.put("Labels", new TreeMap<>(n.labels()));
        return body;
    }

    /** A container's entry in a network's {@code Containers}. */
    static Map<String, Object> endpoint(String containerName, EndpointInfo e) {
        return endpoint(containerName, e.endpointId(), e.macAddress(),
                e.ipv4Address() == null ? "" : e.ipv4Address() + "/" + e.prefixLength());
    }

    static Map<String, Object> endpoint(String containerName, String endpointId, String mac, String ipv4) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Name", containerName);
        body.put("EndpointID", endpointId);
        body.put("MacAddress", mac == null ? "" : mac);
        body.put("IPv4Address", ipv4);
        body.put("IPv6Address", "");
        return body;
    }


    /** Docker's scope of a network: "swarm" for an overlay network (known to every node of the cluster), else "local". */
    static String scopeOf(String driver) {
        return driver.equals("overlay") ? "swarm" : "local";
    }
}
