package io.netwharf.network;

import io.netwharf.ipam.Ipv4;
import io.netwharf.ipam.Ipv4Subnet;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.protocol.model.NetworkMode;
import io.netwharf.protocol.model.NetworkSpec;
import io.netwharf.protocol.model.NetwharfException;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A network request checked against the networks that exist, before anything touches the kernel. What the user left
 * out stays null ({@code subnet}, {@code gateway}) for the bridge's owner to choose against the host.
 */
public record NetworkDefinition(String id, String name, String bridge, Ipv4Subnet subnet, Integer gateway, Ipv4Subnet ipRange,
                                int mtu, boolean icc, boolean masquerade, boolean internal, boolean isDefault,
                                Map<String, String> labels, Instant created) {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    private static final int MAX_NAME = 255;
    /**
     * Within Linux's rule (at most IFNAMSIZ - 1 = 15 characters, no '/', ':' or space), and narrower: the name also
     * goes into nftables chain names, which take only these characters.
     */
    private static final Pattern LINK_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");

    /** Checks {@code spec} for a new user-defined network with id {@code id}. */
    public static NetworkDefinition check(NetworkSpec spec, String id, int defaultMtu, Collection<NetworkInfo> existing) {
        String name = spec.name();
        if (name == null || name.isEmpty() || name.length() > MAX_NAME || !NAME.matcher(name).matches()) {
            throw NetwharfException.badParameter("invalid network name \"" + (name == null ? "" : name)
                    + "\": use 1 to 255 letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
        if (NetworkMode.PREDEFINED.contains(name)) {
            throw NetwharfException.forbidden("operation is not permitted on predefined " + name + " network");
        }
        for (NetworkInfo other : existing) {
            if (other.name().equals(name)) {
                throw NetwharfException.conflict("network with name " + name + " already exists");
            }
        }
        String bridge = spec.bridgeName() == null ? "br-" + id.substring(0, 12) : spec.bridgeName();
        checkLinkName(bridge);
        for (NetworkInfo other : existing) {
            if (other.bridge().equals(bridge)) {
                throw NetwharfException.conflict("bridge name " + bridge + " is already used by network " + other.name());
            }
        }
        int mtu = spec.mtu() == null ? defaultMtu : spec.mtu();
        if (mtu < 68 || mtu > 65535) {
            throw NetwharfException.badParameter("invalid MTU " + mtu + ": must be 68 to 65535");
        }
        Ipv4Subnet subnet = spec.subnet() == null ? null : parseSubnet("subnet", spec.subnet());
        if (subnet == null && (spec.gateway() != null || spec.ipRange() != null)) {
            throw NetwharfException.badParameter("a gateway or ip-range needs a subnet");
        }
        Integer gateway = null;
        Ipv4Subnet ipRange = null;
        if (subnet != null) {
            if (subnet.prefixLength() > 30) {
                throw NetwharfException.badParameter("subnet " + subnet + " is too small: it needs room for a gateway and a container (at most /30)");
            }
            for (NetworkInfo other : existing) {
                if (subnet.overlaps(Ipv4Subnet.parse(other.subnet()))) {
                    throw NetwharfException.forbidden("Pool overlaps with other one on this address space: subnet " + subnet
                            + " overlaps network " + other.name() + " (" + other.subnet() + ")");
                }
            }
            if (spec.gateway() != null) {
                gateway = parseAddress("gateway", spec.gateway());
                if (!subnet.contains(gateway) || gateway == subnet.network() || gateway == subnet.broadcast()) {
                    throw NetwharfException.badParameter("gateway " + spec.gateway() + " is not a usable address of subnet " + subnet);
                }
            }
            if (spec.ipRange() != null) {
                ipRange = parseSubnet("ip-range", spec.ipRange());
                if (!subnet.contains(ipRange)) {
                    throw NetwharfException.badParameter("ip-range " + ipRange + " is not inside subnet " + subnet);
                }
            }
        }
        return new NetworkDefinition(id, name, bridge, subnet, gateway, ipRange, mtu, spec.icc(), spec.masquerade(),
                spec.internal(), false, spec.labels(), Instant.now());
    }

    /** Refuses a bridge name before the kernel or nftables would. */
    public static void checkLinkName(String name) {
        if (!LINK_NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            throw NetwharfException.badParameter("invalid bridge name \"" + name
                    + "\": use 1 to 15 letters, digits, '_', '.' or '-' (the kernel allows 15 characters)");
        }
    }

    private static Ipv4Subnet parseSubnet(String what, String text) {
        try {
            return Ipv4Subnet.parse(text);
        } catch (IllegalArgumentException e) {
            throw NetwharfException.badParameter("invalid " + what + ": " + e.getMessage());
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
