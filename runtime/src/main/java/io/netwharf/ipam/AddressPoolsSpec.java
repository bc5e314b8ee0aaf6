package io.netwharf.ipam;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The default address pools new networks take their subnets from: dockerd's defaults, and its flag syntax. */
public final class AddressPoolsSpec {
    private AddressPoolsSpec() {}

    /** Docker's built-in list: 172.17.0.0/16 to 172.31.0.0/16 whole, then 192.168.0.0/16 in /20s; 31 candidates. */
    public static List<PoolBase> dockerDefaults() {
        List<PoolBase> pools = new ArrayList<>();
        for (int second = 17; second <= 31; second++) {
            pools.add(new PoolBase(Ipv4Subnet.of(172 << 24 | second << 16, 16), 16));
        }
        pools.add(new PoolBase(Ipv4Subnet.parse("192.168.0.0/16"), 20));
        return List.copyOf(pools);
    }

    /**
     * One {@code --default-address-pool} value, {@code base=172.17.0.0/16,size=16}. Keys are case-insensitive, as
     * in dockerd; both are required, each once.
     */
    public static PoolBase parse(String value) {
        if (value == null) {
            throw new IllegalArgumentException("invalid default address pool: no value given");
        }
        Ipv4Subnet base = null;
        Integer size = null;
        for (String field : value.split(",", -1)) {
            int equals = field.indexOf('=');
            if (equals < 0) {
                throw invalid(value, "field " + Ipv4.quote(field) + " is not key=value");
            }
            String key = field.substring(0, equals).toLowerCase(Locale.ROOT);
            String text = field.substring(equals + 1);
            switch (key) {
                case "base" -> {
                    if (base != null) {
                        throw invalid(value, "base given twice");
                    }
                    base = base(value, text);
                }
                case "size" -> {
                    if (size != null) {
                        throw invalid(value, "size given twice");
                    }
                    size = size(value, text);
                }
                default -> throw invalid(value, "unknown key " + Ipv4.quote(field.substring(0, equals)) + " (expected base or size)");
            }
        }
        if (base == null || size == null) {
            throw invalid(value, "missing " + (base == null ? "base" : "size"));
        }
        String problem = PoolBase.problem(base, size);
        if (problem != null) {
            throw invalid(value, problem);
        }
        return new PoolBase(base, size);
    }

    private static Ipv4Subnet base(String value, String text) {
        try {
            return Ipv4Subnet.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid default address pool " + Ipv4.quote(value) + ": base: " + e.getMessage(), e);
        }
    }

    private static int size(String value, String text) {
        if (text.isEmpty() || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw invalid(value, "size " + Ipv4.quote(text) + " is not a decimal number");
        }
        if (text.length() > 1 && text.charAt(0) == '0') {
            throw invalid(value, "size " + Ipv4.quote(text) + " has a leading zero");
        }
        if (text.length() > 2) {
            throw invalid(value, "size " + text + " is larger than 32");
        }
        return Integer.parseInt(text);
    }

    private static IllegalArgumentException invalid(String value, String reason) {
        return new IllegalArgumentException("invalid default address pool " + Ipv4.quote(value) + ": " + reason);
    }
}
