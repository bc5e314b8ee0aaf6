package io.netwharf.gateway;

import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.model.NetworkSpec;

import java.util.List;

/**
 * Turns the body of {@code POST /networks/create} into a {@link NetworkSpec}, refusing what netwharf does not do
 * (other drivers, IPv6, several subnets, swarm's kinds of network, IPAM options), naming the field: no field of the
 * request is dropped unread. What the runtime checks itself (names, CIDRs, overlaps, duplicates, the driver's
 * options, labels and options without a value) is left to it.
 *
 * <p>Taken as Docker takes them on a local network: {@code CheckDuplicate} (a name in use is always refused, as in
 * Docker since API 1.44, which ignores the field), {@code Scope} "local" ("swarm" for overlay networks, which span the
 * nodes of a cluster), {@code EnableIPv4} true, {@code EnableIPv6}
 * false, and {@code Attachable}, which is kept and shown and restricts nothing: any container may join a local
 * network, as in Docker, where it matters only for swarm networks. IPAM {@code AuxiliaryAddresses} are kept, shown
 * and never given to a container.
 */
final class NetworkCreation {
    private NetworkCreation() {}

    static NetworkSpec spec(NetworkJson.CreateRequest request) {
        String driver = request.driver() == null ? "" : request.driver();
        if (driver.equals("host") || driver.equals("null")) {
            throw NetwharfException.forbidden("only one instance of \"" + driver + "\" network is allowed");
        }
        if (!driver.isEmpty() && !driver.equals("bridge") && !driver.equals("macvlan") && !driver.equals("ipvlan") && !driver.equals("overlay")) {
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
        String scope = NetworkJson.scopeOf(driver);
        if (request.scope() != null && !request.scope().isEmpty() && !request.scope().equals(scope)) {
            throw NetwharfException.badParameter("Scope " + request.scope() + " is not supported for a " + (driver.isEmpty() ? "bridge" : driver)
                    + " network: its scope is " + scope);
        }
        if (Boolean.TRUE.equals(request.ingress())) {
            throw NetwharfException.badParameter("Ingress networks are not supported: they are a swarm's routing mesh, and netwharf has no swarm");
        }
        if (Boolean.TRUE.equals(request.configOnly())) {
            throw NetwharfException.badParameter("ConfigOnly networks are not supported: netwharf keeps no configuration apart from a network");
        }
        if (request.configFrom() != null && request.configFrom().network() != null && !request.configFrom().network().isEmpty()) {
            throw NetwharfException.badParameter("ConfigFrom is not supported: netwharf has no config-only networks to take it from");
        }
        NetworkSpec.Builder spec = NetworkSpec.named(request.name())
                .driver(driver)
                .internal(Boolean.TRUE.equals(request.internal()))
                .attachable(Boolean.TRUE.equals(request.attachable()))
                .labels(request.labels())
                .options(request.options());
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
        if (ipam.options() != null && !ipam.options().isEmpty()) {
            throw NetwharfException.badParameter("IPAM option " + ipam.options().keySet().iterator().next()
                    + " is not supported: netwharf's default IPAM driver takes no options");
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
        spec.subnet(blankToNull(c.subnet())).gateway(blankToNull(c.gateway())).ipRange(blankToNull(c.ipRange()))
                .auxiliaryAddresses(c.auxiliaryAddresses());
    }

    private static boolean isV6(String text) {
        return text != null && text.contains(":");
    }

    private static String blankToNull(String text) {
        return text == null || text.isEmpty() ? null : text;
    }
}
