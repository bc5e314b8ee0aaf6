package io.netwharf.gateway;

import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.model.NetworkSpec;

import java.util.List;
import java.util.Map;

/**
 * Turns the body of {@code POST /networks/create} into a {@link NetworkSpec}, refusing what netwharf does not do
 * (other drivers, IPv6, several subnets), naming the field. What the runtime checks itself (names, CIDRs, overlaps,
 * duplicates, the driver's options) is left to it.
 */
final class NetworkCreation {
    private NetworkCreation() {}

    static NetworkSpec spec(NetworkJson.CreateRequest request) {
        String driver = request.driver() == null ? "" : request.driver();
        if (driver.equals("host") || driver.equals("null")) {
            throw NetwharfException.forbidden("only one instance of \"" + driver + "\" network is allowed");
        }
        if (!driver.isEmpty() && !driver.equals("bridge") && !driver.equals("macvlan") && !driver.equals("ipvlan")) {
            throw NetwharfException.notFound("plugin \"" + driver + "\" not found");
        }
        if (request.name() == null || request.name().isEmpty()) {
            throw NetwharfException.badParameter("invalid name: ");
        }
        if (Boolean.TRUE.equals(request.enableIPv6())) {
            throw NetwharfException.badParameter("IPv6 is not supported: EnableIPv6 must be false");
        }
        if (Boolean.FALSE.equals(request.enableIPv4())) {
            throw NetwharfException.badParameter("IPv4 cannot be disabled: EnableIPv4 must be true");
        }
        if (request.scope() != null && !request.scope().isEmpty() && !request.scope().equals("local")) {
            throw NetwharfException.badParameter("scope " + request.scope() + " is not supported: only local networks");
        }
        if (Boolean.TRUE.equals(request.ingress()) || Boolean.TRUE.equals(request.configOnly())
                || (request.configFrom() != null && request.configFrom().network() != null && !request.configFrom().network().isEmpty())) {
            throw NetwharfException.badParameter("ingress, config-only and config-from networks need a swarm, which netwharf does not have");
        }
        Map<String, String> options = request.options() == null ? Map.of() : request.options();
        options.forEach((key, value) -> {
            if (value == null) {
                throw NetwharfException.badParameter("option " + key + " has no value");
            }
        });
        NetworkSpec.Builder spec = NetworkSpec.named(request.name())
                .driver(driver)
                .internal(Boolean.TRUE.equals(request.internal()))
                .labels(request.labels())
                .options(options);
        ipam(request.ipam(), spec);
        // The driver's options, bridge or macvlan or ipvlan, are the runtime's to check and keep.
        return spec.build();
    }

    private static void ipam(NetworkJson.Ipam ipam, NetworkSpec.Builder spec) {
        if (ipam == null) {
            return;
        }
        if (ipam.driver() != null && !ipam.driver().isEmpty() && !ipam.driver().equals("default")) {
            throw NetwharfException.notFound("plugin \"" + ipam.driver() + "\" not found");
        }
        List<NetworkJson.IpamConfig> configs = ipam.config() == null ? List.of() : ipam.config();
        for (NetworkJson.IpamConfig c : configs) {
            if (c != null && (isV6(c.subnet()) || isV6(c.gateway()) || isV6(c.ipRange()))) {
                throw NetwharfException.badParameter("IPv6 is not supported: IPAM config " + c.subnet());
            }
        }
        if (configs.size() > 1) {
            throw NetwharfException.badParameter("only one IPv4 IPAM config is supported per network, got " + configs.size());
        }
        if (configs.isEmpty() || configs.get(0) == null) {
            return;
        }
        NetworkJson.IpamConfig c = configs.get(0);
        if (c.auxiliaryAddresses() != null && !c.auxiliaryAddresses().isEmpty()) {
            throw NetwharfException.badParameter("IPAM AuxiliaryAddresses are not supported");
        }
        spec.subnet(blankToNull(c.subnet())).gateway(blankToNull(c.gateway())).ipRange(blankToNull(c.ipRange()));
    }

    private static boolean isV6(String text) {
        return text != null && text.contains(":");
    }

    private static String blankToNull(String text) {
        return text == null || text.isEmpty() ? null : text;
    }
}
