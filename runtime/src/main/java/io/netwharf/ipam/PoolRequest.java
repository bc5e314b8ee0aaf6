package io.netwharf.ipam;

import io.netwharf.protocol.model.NetwharfException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The addresses a user asks of a network, checked whole before anything is made, so that the {@link AddressPool}
 * made from them later cannot refuse them: a subnet a pool can hold, of unicast addresses a container can use, with
 * the gateway, ip-range and auxiliary addresses inside it. Refusals are bad parameters, in Docker's words where it
 * has them (its daemon's {@code validateIpamConfig}: every problem of the gateway, ip-range and auxiliary addresses
 * at once, under "invalid network config:").
 *
 * @param subnet             null: a free subnet, chosen by the network's owner (and then nothing else is given)
 * @param gateway            null: the subnet's first usable address, chosen by the network's owner
 * @param ipRange            null: the whole subnet
 * @param auxiliaryAddresses by name, sorted
 */
public record PoolRequest(Ipv4Subnet subnet, Integer gateway, Ipv4Subnet ipRange, Map<String, Integer> auxiliaryAddresses) {
    /** Smallest subnet a network takes: a gateway and one container. */
    private static final int MAX_PREFIX_LENGTH = 30;

    public PoolRequest {
        auxiliaryAddresses = Map.copyOf(auxiliaryAddresses);
    }

    /** Parses and checks the texts given; any but the auxiliary addresses may be null. */
    public static PoolRequest parse(String subnetText, String gatewayText, String ipRangeText, Map<String, String> auxiliaryTexts) {
        if (subnetText == null) {
            if (gatewayText != null || ipRangeText != null || !auxiliaryTexts.isEmpty()) {
                throw NetwharfException.badParameter("a gateway, ip-range or auxiliary address needs a subnet");
            }
            return new PoolRequest(null, null, null, Map.of());
        }
        Ipv4Subnet subnet = parseSubnet("subnet", subnetText);
        checkUsable(subnet);
        Integer gateway = gatewayText == null ? null : parseAddress("gateway", gatewayText);
        Ipv4Subnet ipRange = ipRangeText == null ? null : parseSubnet("ip-range", ipRangeText);
        Map<String, Integer> auxiliary = new TreeMap<>();
        new TreeMap<>(auxiliaryTexts).forEach((name, text) -> auxiliary.put(name, parseAddress("auxiliary address " + name, text)));
        List<String> problems = new ArrayList<>();
        if (ipRange != null) {
            if (ipRange.prefixLength() < subnet.prefixLength()) {
                problems.add("invalid ip-range " + ipRange + ": CIDR block is bigger than its parent subnet " + subnet);
            }
            if (!ipRange.overlaps(subnet)) {
                problems.add("invalid ip-range " + ipRange + ": parent subnet " + subnet + " doesn't contain ip-range");
            }
        }
        if (gateway != null) {
            String problem = problemOf(subnet, gateway);
            if (problem != null) {
                problems.add("invalid gateway " + Ipv4.format(gateway) + ": " + problem);
            }
        }
        int effectiveGateway = gateway != null ? gateway : subnet.firstUsable();
        Map<Integer, String> seen = new HashMap<>();
        auxiliary.forEach((name, address) -> {
            String problem = problemOf(subnet, address);
            if (problem == null && address == effectiveGateway) {
                problem = Ipv4.format(address) + " is the gateway of subnet " + subnet;
            } else if (problem == null && seen.containsKey(address)) {
                problem = Ipv4.format(address) + " is auxiliary address " + seen.get(address) + " too";
            }
            if (problem != null) {
                problems.add("invalid auxiliary address " + name + ": " + problem);
            }
            seen.putIfAbsent(address, name);
        });
        if (!problems.isEmpty()) {
            throw NetwharfException.badParameter("invalid network config:\n" + String.join("\n", problems));
        }
        return new PoolRequest(subnet, gateway, ipRange, auxiliary);
    }

    /**
     * Every size from /8 (the pool's bitmap) to /30 (room for a gateway and a container), and no special-purpose
     * block.
     */
    private static void checkUsable(Ipv4Subnet subnet) {
        if (subnet.prefixLength() < AddressPool.MIN_PREFIX_LENGTH) {
            throw NetwharfException.badParameter("subnet " + subnet + " is too large for an address pool: the prefix length must be at least "
                    + AddressPool.MIN_PREFIX_LENGTH);
        }
        if (subnet.prefixLength() > MAX_PREFIX_LENGTH) {
            throw NetwharfException.badParameter("subnet " + subnet + " is too small: it needs room for a gateway and a container (at most /"
                    + MAX_PREFIX_LENGTH + ")");
        }
        String special = SpecialPurposeBlocks.overlapped(subnet);
        if (special != null) {
            throw NetwharfException.badParameter("subnet " + subnet + " overlaps " + special + ": a network needs unicast addresses");
        }
    }

    /**
     * Why {@code address} can be no host's in {@code subnet}, or null. Outside it: Docker's words. The network and
     * broadcast addresses: netwharf's (Docker refuses them only when its allocation fails).
     */
    private static String problemOf(Ipv4Subnet subnet, int address) {
        if (!subnet.contains(address)) {
            return "parent subnet " + subnet + " doesn't contain this address";
        }
        if (address == subnet.network()) {
            return "it is the network address of subnet " + subnet;
        }
        if (address == subnet.broadcast()) {
            return "it is the broadcast address of subnet " + subnet;
        }
        return null;
    }

    private static Ipv4Subnet parseSubnet(String what, String text) {
        try {
            return Ipv4Subnet.parse(text, what);
        } catch (IllegalArgumentException e) {
            throw NetwharfException.badParameter(e.getMessage());
        }
    }

    private static int parseAddress(String what, String text) {
        try {
            return Ipv4.parse(text);
        } catch (IllegalArgumentException e) {
            throw NetwharfException.badParameter("invalid " + what + ": " + e.getMessage());
        }
    }
}
