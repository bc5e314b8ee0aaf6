package io.netwharf.network;

import io.netwharf.ipam.Ipv4;
import io.netwharf.ipam.Ipv4Subnet;
import io.netwharf.ipam.PoolRequest;
import io.netwharf.protocol.model.Ids;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.protocol.model.NetworkMode;
import io.netwharf.protocol.model.NetworkSpec;
import io.netwharf.protocol.model.NetwharfException;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A network request checked against the networks that exist, before anything touches the kernel. What the user left
 * out stays null ({@code subnet}, {@code gateway}) for the network's owner to choose against the host.
 *
 * @param driver which {@link NetworkDriver} serves it: bridge, macvlan, ipvlan, host or null
 * @param link   the host link the network is on: its bridge (bridge), its parent (macvlan, ipvlan: a bridge of the
 *               network's own, {@code dm-<short id>}, when no parent is given); null for host and null
 */
public record NetworkDefinition(String id, String name, String driver, String link, Ipv4Subnet subnet, Integer gateway,
                                Ipv4Subnet ipRange, Map<String, Integer> auxiliaryAddresses, int mtu, boolean icc, boolean masquerade,
                                boolean internal, boolean attachable, boolean isDefault, Map<String, String> labels,
                                Map<String, String> options, Instant created) {
    /** The options of the drivers whose endpoints are links on a parent: the parent, and the driver's mode. */
    public static final String PARENT = "parent";
    public static final String MACVLAN_MODE = "macvlan_mode";
    public static final String IPVLAN_MODE = "ipvlan_mode";
    private static final Map<String, Set<String>> MODES = Map.of(
            MACVLAN_MODE, Set.of("bridge", "private", "vepa", "passthru"),
            IPVLAN_MODE, Set.of("l2", "l3"));

    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    private static final int MAX_NAME = 255;
    /** IPv4's least MTU (RFC 791), and the most a link's MTU attribute takes here. */
    public static final int MIN_MTU = 68;
    public static final int MAX_MTU = 65535;
    /**
     * Within Linux's rule (at most IFNAMSIZ - 1 = 15 characters, no '/', ':' or space), and narrower: the name also
     * goes into nftables chain names, which take only these characters.
     */
    private static final Pattern LINK_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");

    /**
     * {@code host} or {@code none}: the networks of containers that share the host's namespace or have one with
     * loopback only. Their ids are derived from their names, so they are the same in every call and every run, as
     * Docker keeps them.
     */
    public static NetworkDefinition predefined(String name, String driver) {
        return new NetworkDefinition(Ids.derived("netwharf predefined network", name), name, driver, null, null, null, null, Map.of(), 0,
                false, false, false, false, true, Map.of(), Map.of(), Instant.EPOCH);
    }

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
        String link = switch (spec.driver()) {
            case "bridge" -> bridgeName(spec, id, existing);
            case "macvlan", "ipvlan" -> parentName(spec, id, existing);
            case "overlay" -> "ov-" + id.substring(0, 12);
            case "host", "null" -> throw NetwharfException.forbidden("only one instance of \"" + spec.driver() + "\" network is allowed");
            default -> throw NetwharfException.notFound("plugin \"" + spec.driver() + "\" not found");
        };
        int mtu = spec.mtu() == null ? defaultMtu : spec.mtu();
        if (mtu < MIN_MTU || mtu > MAX_MTU) {
            throw invalidMtu(Integer.toString(mtu));
        }
        PoolRequest pool = PoolRequest.parse(spec.subnet(), spec.gateway(), spec.ipRange(), spec.auxiliaryAddresses());
        for (NetworkInfo other : existing) {
            if (pool.subnet() != null && other.hasAddresses() && pool.subnet().overlaps(Ipv4Subnet.parse(other.subnet()))) {
                throw NetwharfException.forbidden("Pool overlaps with other one on this address space: subnet " + pool.subnet()
                        + " overlaps network " + other.name() + " (" + other.subnet() + ")");
            }
        }
        return new NetworkDefinition(id, name, spec.driver(), link, pool.subnet(), pool.gateway(), pool.ipRange(), pool.auxiliaryAddresses(),
                mtu, spec.icc(), spec.masquerade(), spec.internal(), spec.attachable(), false, spec.labels(), spec.options(), Instant.now());
    }

    /**
     * The network as its driver made it on {@code link}, with the subnet and gateway it has (chosen, when this
     * definition left them out), and the MTU and firewall settings it has in the kernel.
     */
    public NetworkInfo made(String link, Ipv4Subnet subnet, int gateway, int mtu, boolean icc, boolean masquerade) {
        Map<String, String> auxiliary = new TreeMap<>();
        auxiliaryAddresses.forEach((auxName, address) -> auxiliary.put(auxName, Ipv4.format(address)));
        return new NetworkInfo(id, name, driver, link, subnet.toString(), Ipv4.format(gateway), ipRange == null ? null : ipRange.toString(),
                auxiliary, mtu, icc, masquerade, internal, attachable, isDefault, labels, options, created, Map.of());
    }

    /**
     * This network as an earlier run made it, to make again the same at a restart: the subnet and gateway it had
     * (chosen then, when the request named none) and its creation time.
     */
    public NetworkDefinition restored(Ipv4Subnet subnet, int gateway, Instant created) {
        return new NetworkDefinition(id, name, driver, link, subnet, gateway, ipRange, auxiliaryAddresses, mtu, icc, masquerade, internal,
                attachable, isDefault, labels, options, created);
    }

    /**
     * A network another node of the cluster made (overlay), as that node describes it: made here the same, with the
     * same id, subnet, gateway and options.
     */
    public static NetworkDefinition of(NetworkInfo info) {
        Map<String, Integer> auxiliary = new TreeMap<>();
        info.auxiliaryAddresses().forEach((auxName, address) -> auxiliary.put(auxName, Ipv4.parse(address)));
        return new NetworkDefinition(info.id(), info.name(), info.driver(), info.bridge(), Ipv4Subnet.parse(info.subnet()),
                Ipv4.parse(info.gateway()), info.ipRange() == null ? null : Ipv4Subnet.parse(info.ipRange()), auxiliary, info.mtu(),
                info.icc(), info.masquerade(), info.internal(), info.attachable(), false, info.labels(), info.options(), info.created());
    }

    /** This definition with other settings, for a driver that decides them (the overlay's MTU, isolation and options). */
    public NetworkDefinition with(int mtu, boolean internal, boolean masquerade, Map<String, String> options) {
        return new NetworkDefinition(id, name, driver, link, subnet, gateway, ipRange, auxiliaryAddresses, mtu, icc, masquerade, internal,
                attachable, isDefault, labels, options, created);
    }

    /** Docker's words for an MTU out of range ({@code mtu} as given, which may not fit an int), and the range. */
    public static NetwharfException invalidMtu(String mtu) {
        return NetwharfException.badParameter("invalid MTU number: " + mtu + ": must be " + MIN_MTU + " to " + MAX_MTU);
    }

    /** A bridge network's bridge: the one asked for, else {@code br-<short id>}, used by no other network. */
    private static String bridgeName(NetworkSpec spec, String id, Collection<NetworkInfo> existing) {
        String bridge = spec.bridgeName() == null ? "br-" + id.substring(0, 12) : spec.bridgeName();
        checkLinkName(bridge);
        for (NetworkInfo other : existing) {
            if (other.driver().equals("bridge") && bridge.equals(other.bridge())) {
                throw NetwharfException.conflict("bridge name " + bridge + " is already used by network " + other.name());
            }
        }
        return bridge;
    }

    /**
     * A macvlan or ipvlan network's parent link, from its options, which are checked whole here: only {@code parent}
     * and the driver's mode; no parent (or {@code --internal}) means a bridge of the network's own as parent, which
     * reaches nothing outside, as Docker's dummy link does. A parent serves one such network, as in Docker.
     */
    private static String parentName(NetworkSpec spec, String id, Collection<NetworkInfo> existing) {
        String driver = spec.driver();
        String modeOption = driver.equals("macvlan") ? MACVLAN_MODE : IPVLAN_MODE;
        for (Map.Entry<String, String> option : spec.options().entrySet()) {
            if (!option.getKey().equals(PARENT) && !option.getKey().equals(modeOption)) {
                throw NetwharfException.badParameter("unknown option " + option.getKey() + " for the " + driver + " driver: it takes "
                        + PARENT + " and " + modeOption);
            }
        }
        String mode = spec.options().get(modeOption);
        if (mode != null && !MODES.get(modeOption).contains(mode)) {
            // Docker's words, and the modes netwharf takes.
            throw NetwharfException.badParameter("requested " + driver + " mode '" + mode + "' is not valid, '"
                    + (driver.equals("macvlan") ? "bridge" : "l2") + "' mode is the " + driver + " driver default (modes: "
                    + String.join(", ", MODES.get(modeOption).stream().sorted().toList()) + ")");
        }
        if (spec.bridgeName() != null || !spec.icc() || !spec.masquerade()) {
            throw NetwharfException.badParameter("bridge name, inter-container connectivity and masquerading are options of "
                    + "bridge networks: a " + driver + " network has no bridge and no firewall rules of netwharf's");
        }
        String parent = spec.options().get(PARENT);
        if (parent == null || parent.isEmpty()) {
            return "dm-" + id.substring(0, 12);
        }
        if (spec.internal()) {
            throw NetwharfException.badParameter("an internal " + driver + " network takes no parent: it gets a link of its own");
        }
        if (!LINK_NAME.matcher(parent).matches()) {
            throw NetwharfException.badParameter("invalid parent interface name \"" + parent + "\"");
        }
        if (parent.equals("lo")) {
            throw NetwharfException.badParameter("the loopback interface cannot be the parent of a " + driver + " network");
        }
        for (NetworkInfo other : existing) {
            if ((other.driver().equals("macvlan") || other.driver().equals("ipvlan")) && parent.equals(other.bridge())) {
                throw NetwharfException.forbidden("network " + other.name() + " is already using parent interface " + parent);
            }
        }
        return parent;
    }

    /** Refuses a bridge name before the kernel or nftables would. */
    public static void checkLinkName(String name) {
        if (!LINK_NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            throw NetwharfException.badParameter("invalid bridge name \"" + name
                    + "\": use 1 to 15 letters, digits, '_', '.' or '-' (the kernel allows 15 characters)");
        }
    }
}
