package io.netwharf.protocol.model;

import java.util.Map;

/**
 * What a user asks for when creating a network. Every field but the name may be left out (null): the runtime then
 * chooses as Docker does (a free subnet, its first address as gateway, {@code br-<id>} as bridge name, the runtime's
 * MTU).
 *
 * @param driver     {@code bridge} (null: bridge), {@code macvlan} or {@code ipvlan}
 * @param subnet     IPv4 CIDR, e.g. {@code 10.1.0.0/24}
 * @param gateway    an address inside the subnet
 * @param ipRange    a CIDR inside the subnet that dynamic addresses come from
 * @param auxiliaryAddresses Docker's {@code AuxiliaryAddresses}: addresses of the subnet, by name, that something
 *                   outside the network uses; never given to a container
 * @param bridgeName the Linux bridge device (at most 15 characters); bridge networks only
 * @param options    the driver's options as Docker names them ({@code parent}, {@code macvlan_mode}, the bridge's
 *                   {@code com.docker.network.bridge.*}), kept and shown with the network; what a driver does not
 *                   know is refused
 * @param attachable Docker's {@code Attachable}: kept and shown. On a swarm's overlay network it lets standalone
 *                   containers join; every netwharf network is local, and any container may join it either way, as
 *                   on Docker's local networks
 * @throws NetwharfException (bad parameter) for a label, option or auxiliary address without a value (JSON's
 *                           null), naming it
 */
public record NetworkSpec(String name, String driver, String subnet, String gateway, String ipRange,
                          Map<String, String> auxiliaryAddresses, String bridgeName, Integer mtu, boolean icc, boolean masquerade,
                          boolean internal, boolean attachable, Map<String, String> labels, Map<String, String> options) {
    public NetworkSpec {
        driver = driver == null || driver.isEmpty() ? "bridge" : driver;
        auxiliaryAddresses = copyWithValues("auxiliary address", auxiliaryAddresses);
        labels = copyWithValues("label", labels);
        options = copyWithValues("option", options);
    }

    private static Map<String, String> copyWithValues(String what, Map<String, String> entries) {
        if (entries == null) {
            return Map.of();
        }
        entries.forEach((key, value) -> {
            if (key == null) {
                throw NetwharfException.badParameter(what + " without a name");
            }
            if (value == null) {
                throw NetwharfException.badParameter(what + " " + key + " has no value (null)");
            }
        });
        return Map.copyOf(entries);
    }

    public static Builder named(String name) {
        return new Builder(name);
    }

    public static final class Builder {
        private final String name;
        private String driver;
        private String subnet;
        private String gateway;
        private String ipRange;
        private Map<String, String> auxiliaryAddresses = Map.of();
        private String bridgeName;
        private Integer mtu;
        private boolean icc = true;
        private boolean masquerade = true;
        private boolean internal;
        private boolean attachable;
        private Map<String, String> labels = Map.of();
        private Map<String, String> options = Map.of();

        private Builder(String name) {
            this.name = name;
        }

        public Builder driver(String driver) {
            this.driver = driver;
            return this;
        }

        public Builder options(Map<String, String> options) {
            this.options = options;
            return this;
        }

        public Builder subnet(String subnet) {
            this.subnet = subnet;
            return this;
        }

        public Builder gateway(String gateway) {
            this.gateway = gateway;
            return this;
        }

        public Builder ipRange(String ipRange) {
            this.ipRange = ipRange;
            return this;
        }

        public Builder auxiliaryAddresses(Map<String, String> auxiliaryAddresses) {
            this.auxiliaryAddresses = auxiliaryAddresses;
            return this;
        }

        public Builder bridgeName(String bridgeName) {
            this.bridgeName = bridgeName;
            return this;
        }

        public Builder mtu(Integer mtu) {
            this.mtu = mtu;
            return this;
        }

        public Builder icc(boolean icc) {
            this.icc = icc;
            return this;
        }

        public Builder masquerade(boolean masquerade) {
            this.masquerade = masquerade;
            return this;
        }

        public Builder internal(boolean internal) {
            this.internal = internal;
            return this;
        }

        public Builder attachable(boolean attachable) {
            this.attachable = attachable;
            return this;
        }

        public Builder labels(Map<String, String> labels) {
            this.labels = labels;
            return this;
        }

        public NetworkSpec build() {
            return new NetworkSpec(name, driver, subnet, gateway, ipRange, auxiliaryAddresses, bridgeName, mtu, icc, masquerade,
                    internal, attachable, labels, options);
        }
    }
}
