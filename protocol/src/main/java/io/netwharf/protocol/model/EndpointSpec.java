package io.netwharf.protocol.model;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * How a container joins one network.
 *
 * @param ipv4Address   a static IPv4 address; null: one from the pool
 * @param aliases       DNS aliases (kept for name resolution, which a later issue adds)
 * @param macAddress    the interface's MAC, {@code xx:xx:xx:xx:xx:xx}; null: {@code 02:42} and the address's four bytes
 * @param interfaceName the interface's name inside the container; null: the next free {@code ethN}
 * @param noneMode      join even a container in {@code none} mode, whose namespace Docker keeps unconnected: pipework's
 *                      use, asked for explicitly (netwharf refuses it otherwise, as Docker does)
 * @param lastIpv4Address the address the container had on this network at its last start: given again when it is
 *                      free, else the pool's next (unlike {@link #ipv4Address}, never refused); null: none
 * @param dnsNames      the names the embedded DNS answers for this endpoint to the containers on its network, the
 *                      first also its address's PTR name (Docker's DNSNames: container name, aliases, short id,
 *                      hostname); empty: none. Ignored on the default network, which has no embedded DNS (as Docker)
 */
public record EndpointSpec(String ipv4Address, List<String> aliases, String macAddress, String interfaceName, boolean noneMode,
                           String lastIpv4Address, List<String> dnsNames) {
    public static final EndpointSpec DYNAMIC = new EndpointSpec(null, List.of());

    public EndpointSpec {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        dnsNames = dnsNames == null ? List.of() : List.copyOf(dnsNames);
    }

    public EndpointSpec(String ipv4Address, List<String> aliases, String macAddress, String interfaceName, boolean noneMode,
                        String lastIpv4Address) {
        this(ipv4Address, aliases, macAddress, interfaceName, noneMode, lastIpv4Address, List.of());
    }

    public EndpointSpec(String ipv4Address, List<String> aliases, String macAddress, String interfaceName, boolean noneMode) {
        this(ipv4Address, aliases, macAddress, interfaceName, noneMode, null);
    }

    public EndpointSpec(String ipv4Address, List<String> aliases) {
        this(ipv4Address, aliases, null, null, false);
    }

    /** This spec, asking for {@code address} again at the next start when it is free. */
    public EndpointSpec withLastAddress(String address) {
        return new EndpointSpec(ipv4Address, aliases, macAddress, interfaceName, noneMode, address, dnsNames);
    }

    /** This spec, with {@code names} as the endpoint's DNS names. */
    public EndpointSpec withDnsNames(List<String> names) {
        return new EndpointSpec(ipv4Address, aliases, macAddress, interfaceName, noneMode, lastIpv4Address, names);
    }

    public static EndpointSpec staticAddress(String ipv4Address) {
        return new EndpointSpec(ipv4Address, List.of());
    }

    /**
     * Refuses what no network could take, with Docker's messages where it has them: an IPv4 address that is not four
     * decimal octets (or is 0.0.0.0), a MAC that is not six bytes written {@code xx:xx:xx:xx:xx:xx}, or one that an
     * interface cannot have (multicast, all zeros). Checked when a container is created, before the network is
     * looked at.
     */
    public void validate() {
        if (ipv4Address != null && (ipv4(ipv4Address) == null || ipv4(ipv4Address) == 0)) {
            throw NetwharfException.badParameter("invalid IPv4 address: " + ipv4Address);
        }
        if (macAddress != null) {
            byte[] mac = mac(macAddress);
            if (mac == null) {
                throw NetwharfException.badParameter("invalid MAC address " + macAddress);
            }
            if ((mac[0] & 1) != 0) {
                throw NetwharfException.badParameter("invalid MAC address " + macAddress + ": a multicast address cannot be an interface's");
            }
            if (Arrays.equals(mac, new byte[6])) {
                throw NetwharfException.badParameter("invalid MAC address " + macAddress + ": an interface's address cannot be all zeros");
            }
        }
    }

    /**
     * Refuses what {@code network} does not take, with Docker's messages: on the default network a static address or
     * aliases (Docker keeps both for user-defined networks); elsewhere an address outside the network's subnet, or one
     * no endpoint can have there (the gateway, the network and broadcast addresses, in netwharf's words: Docker finds
     * those only at start). Checked before any endpoint is made, whether the container runs or not, and at creation.
     */
    public void checkFor(NetworkInfo network) {
        validate();
        if (network.isDefault()) {
            if (ipv4Address != null) {
                throw NetwharfException.badParameter("user specified IP address is supported on user defined networks only");
            }
            if (!aliases.isEmpty()) {
                throw NetwharfException.badParameter("network-scoped alias is supported only for containers in user defined networks");
            }
            return;
        }
        if (ipv4Address == null || network.subnet() == null) {
            return;
        }
        String[] subnet = network.subnet().split("/");
        Long base = ipv4(subnet[0]);
        int prefix = Integer.parseInt(subnet[1]);
        long mask = prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
        long address = ipv4(ipv4Address);
        if ((address & mask) != base) {
            throw NetwharfException.badParameter("no configured subnet or ip-range contain the IP address " + ipv4Address);
        }
        if (ipv4Address.equals(network.gateway())) {
            throw NetwharfException.badParameter(ipv4Address + " is the gateway of " + network.subnet());
        }
        // A /31 or /32 has neither (RFC 3021).
        if (prefix <= 30 && address == base) {
            throw NetwharfException.badParameter(ipv4Address + " is the network address of " + network.subnet());
        }
        if (prefix <= 30 && address == (base | (~mask & 0xFFFFFFFFL))) {
            throw NetwharfException.badParameter(ipv4Address + " is the broadcast address of " + network.subnet());
        }
    }

    /** Four decimal octets 0..255 without leading zeros (which some tools read as octal), as an unsigned number; else null. */
    private static Long ipv4(String text) {
        if (!text.matches("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}")) {
            return null;
        }
        long address = 0;
        for (String octet : text.split("\\.")) {
            int value = Integer.parseInt(octet);
            if (value > 255) {
                return null;
            }
            address = address << 8 | value;
        }
        return address;
    }

    /** Six bytes as two hex digits each, separated by colons; else null. */
    private static byte[] mac(String text) {
        if (!text.matches("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}")) {
            return null;
        }
        return HexFormat.ofDelimiter(":").parseHex(text);
    }
}
