package io.netwharf.network.bridge;

import io.netwharf.network.NetworkDefinition;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.protocol.model.NetworkSpec;

import java.math.BigInteger;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The bridge driver's options in Docker's spelling, and the definition of a bridge network from a spec: an option
 * sets the same thing as the spec's field of that name (the embedded API's way), and the network shows both as
 * options. An option the bridge driver does not know is refused, naming it.
 */
public final class BridgeOptions {
    public static final String BRIDGE_NAME = "com.docker.network.bridge.name";
    public static final String ENABLE_ICC = "com.docker.network.bridge.enable_icc";
    public static final String ENABLE_MASQUERADE = "com.docker.network.bridge.enable_ip_masquerade";
    public static final String MTU = "com.docker.network.driver.mtu";
    public static final String DEFAULT_BRIDGE = "com.docker.network.bridge.default_bridge";
    public static final String HOST_BINDING = "com.docker.network.bridge.host_binding_ipv4";
    /** The only host binding netwharf has: it publishes no ports yet, so no other address can mean anything. */
    private static final String ANY_ADDRESS = "0.0.0.0";
    private static final Set<String> KNOWN = Set.of(BRIDGE_NAME, ENABLE_ICC, ENABLE_MASQUERADE, MTU, HOST_BINDING);
    private static final Set<String> TRUE = Set.of("1", "t", "T", "TRUE", "true", "True");
    private static final Set<String> FALSE = Set.of("0", "f", "F", "FALSE", "false", "False");
    private static final Pattern ASCII_DIGITS = Pattern.compile("[0-9]+");

    private BridgeOptions() {}

    /** Checks {@code spec} for a new bridge network with id {@code id}. */
    public static NetworkDefinition define(NetworkSpec spec, String id, int defaultMtu, Collection<NetworkInfo> existing) {
        Map<String, String> given = spec.options();
        for (String key : given.keySet()) {
            if (!KNOWN.contains(key)) {
                throw NetwharfException.badParameter("option " + key + " is not an option of the bridge driver"
                        + (key.equals(DEFAULT_BRIDGE) ? ": only the runtime's default network is the default bridge" : ""));
            }
        }
        NetworkSpec.Builder merged = NetworkSpec.named(spec.name()).subnet(spec.subnet()).gateway(spec.gateway()).ipRange(spec.ipRange())
                .auxiliaryAddresses(spec.auxiliaryAddresses())
                .internal(spec.internal()).attachable(spec.attachable()).labels(spec.labels()).driver("bridge").options(given)
                .bridgeName(agree(BRIDGE_NAME, spec.bridgeName(), bridgeName(given.get(BRIDGE_NAME))))
                .mtu(agree(MTU, spec.mtu(), mtu(given.get(MTU))))
                .icc(given.containsKey(ENABLE_ICC) ? bool(ENABLE_ICC, given.get(ENABLE_ICC)) : spec.icc())
                .masquerade(given.containsKey(ENABLE_MASQUERADE) ? bool(ENABLE_MASQUERADE, given.get(ENABLE_MASQUERADE)) : spec.masquerade());
        if (given.containsKey(HOST_BINDING) && !ANY_ADDRESS.equals(given.get(HOST_BINDING))) {
            throw NetwharfException.badParameter("invalid value \"" + given.get(HOST_BINDING) + "\" for option " + HOST_BINDING
                    + ": netwharf publishes no ports, so the only host binding is " + ANY_ADDRESS);
        }
        NetworkSpec checked = merged.build();
        return NetworkDefinition.check(merged.options(shown(checked, given)).build(), id, defaultMtu, existing);
    }

    /** The options Docker shows on its default bridge network. */
    public static Map<String, String> ofDefaultBridge(String bridge, int mtu, boolean icc, boolean masquerade) {
        Map<String, String> o = new TreeMap<>();
        o.put(DEFAULT_BRIDGE, "true");
        o.put(ENABLE_ICC, Boolean.toString(icc));
        o.put(ENABLE_MASQUERADE, Boolean.toString(masquerade));
        o.put(HOST_BINDING, ANY_ADDRESS);
        o.put(BRIDGE_NAME, bridge);
        o.put(MTU, Integer.toString(mtu));
        return o;
    }

    /** The options given, and the settings given as the spec's fields that differ from the defaults, in Docker's spelling. */
    private static Map<String, String> shown(NetworkSpec spec, Map<String, String> given) {
        Map<String, String> o = new TreeMap<>(given);
        if (spec.bridgeName() != null) {
            o.putIfAbsent(BRIDGE_NAME, spec.bridgeName());
        }
        if (spec.mtu() != null) {
            o.putIfAbsent(MTU, Integer.toString(spec.mtu()));
        }
        if (!spec.icc()) {
            o.putIfAbsent(ENABLE_ICC, "false");
        }
        if (!spec.masquerade()) {
            o.putIfAbsent(ENABLE_MASQUERADE, "false");
        }
        return o;
    }

    /** A setting given both as a field and as an option must say the same. */
    private static <T> T agree(String option, T field, T fromOption) {
        if (field != null && fromOption != null && !field.equals(fromOption)) {
            throw NetwharfException.badParameter("option " + option + "=" + fromOption + " disagrees with the network's " + field);
        }
        return field != null ? field : fromOption;
    }

    private static String bridgeName(String value) {
        if (value != null && value.isEmpty()) {
            throw NetwharfException.badParameter("invalid value \"\" for option " + BRIDGE_NAME + ": a bridge name is needed");
        }
        return value;
    }

    /**
     * ASCII decimal digits only: Java's parseInt would also take other scripts' digits (Arabic-Indic), which Go's
     * {@code strconv.Atoi} in Docker's bridge driver does not, and inspect would then show them as given. A sign,
     * which Atoi takes, is refused too: no MTU needs one.
     */
    private static Integer mtu(String value) {
        if (value == null) {
            return null;
        }
        if (!ASCII_DIGITS.matcher(value).matches()) {
            throw NetwharfException.badParameter("failed to parse " + MTU + " value: " + value + " (not a number in ASCII decimal digits)");
        }
        BigInteger mtu = new BigInteger(value);
        if (mtu.compareTo(BigInteger.valueOf(NetworkDefinition.MAX_MTU)) > 0) {
            throw NetworkDefinition.invalidMtu(value);
        }
        return mtu.intValue();
    }

    private static boolean bool(String option, String value) {
        if (TRUE.contains(value)) {
            return true;
        }
        if (FALSE.contains(value)) {
            return false;
        }
        throw NetwharfException.badParameter("failed to parse " + option + " value: " + value + " (must be true or false)");
    }
}
