package io.netwharf.ipam;

import java.util.Objects;

/**
 * An IPv4 subnet in CIDR form, {@code 172.17.0.0/16}: a network address with every host bit zero and a prefix
 * length 0..32. {@code of} and {@code parse} refuse host bits instead of masking them off, because
 * {@code 172.17.0.1/16} is usually a gateway address typed where a subnet was meant.
 *
 * <p>For /31 and /32 every address is usable (RFC 3021 point-to-point links, and single-address subnets, as Docker
 * treats them): there is no network or broadcast address to keep free, so {@link #firstUsable()} is the network
 * address and {@link #lastUsable()} the last one. For /30 and shorter the first and last addresses are the network
 * and broadcast addresses and are not usable.
 */
public record Ipv4Subnet(int network, int prefixLength) {

    public Ipv4Subnet {
        if (prefixLength < 0 || prefixLength > 32) {
            throw invalid("subnet", Ipv4.format(network) + "/" + prefixLength, "prefix length must be 0..32");
        }
        if ((network & ~mask(prefixLength)) != 0) {
            throw hostBitsSet("subnet", Ipv4.format(network) + "/" + prefixLength, network, prefixLength);
        }
    }

    public static Ipv4Subnet of(int network, int prefixLength) {
        return new Ipv4Subnet(network, prefixLength);
    }

    /** The subnet an interface address lies in: 172.18.0.1 with prefix 16 → 172.18.0.0/16. */
    public static Ipv4Subnet containing(int address, int prefixLength) {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("invalid prefix length " + prefixLength + " for "
                    + Ipv4.format(address) + ": must be 0..32");
        }
        return new Ipv4Subnet(address & mask(prefixLength), prefixLength);
    }

    /** Strict CIDR text: {@code "172.17.0.0/16"}; no missing prefix, host bits, leading zeros or whitespace. */
    public static Ipv4Subnet parse(String text) {
        return parse(text, "subnet");
    }

    /** As {@link #parse(String)}, naming the text as {@code what} ("ip-range") in the refusal's message. */
    public static Ipv4Subnet parse(String text, String what) {
        Objects.requireNonNull(text, what + " text");
        if (!text.strip().equals(text)) {
            throw invalid(what, text, "leading or trailing whitespace");
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw invalid(what, text, "missing prefix length (as in /16)");
        }
        int network = Ipv4.parse(text.substring(0, slash), reason -> invalid(what, text, "address: " + reason));
        int prefixLength = prefixLength(what, text, text.substring(slash + 1));
        if ((network & ~mask(prefixLength)) != 0) {
            // Strictly parsed text is canonical, so the message quotes it exactly.
            throw hostBitsSet(what, text, network, prefixLength);
        }
        return new Ipv4Subnet(network, prefixLength);
    }

    private static int prefixLength(String what, String text, String digits) {
        String problem = prefixLengthProblem(digits);
        if (problem != null) {
            throw invalid(what, text, problem);
        }
        return Integer.parseInt(digits);
    }

    /** A prefix length written alone, as after the '/' of {@code --bip 172.17.0.1/16}: ASCII digits, 0..32. */
    public static int prefixLength(String digits) {
        String problem = prefixLengthProblem(digits);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return Integer.parseInt(digits);
    }

    /** Null if {@code digits} is a prefix length in canonical decimal (ASCII digits, no sign or leading zero), else why not. */
    private static String prefixLengthProblem(String digits) {
        if (digits.isEmpty()) {
            return "missing prefix length after '/'";
        }
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                return "prefix length " + Ipv4.quote(digits) + " is not a decimal number";
            }
        }
        if (digits.length() > 1 && digits.charAt(0) == '0') {
            return "prefix length " + Ipv4.quote(digits) + " has a leading zero";
        }
        if (digits.length() > 2 || Integer.parseInt(digits) > 32) {
            return "prefix length must be 0..32";
        }
        return null;
    }

    /** The netmask as an int: /16 → 0xFFFF0000. */
    public int mask() {
        return mask(prefixLength);
    }

    /** Number of addresses, usable or not: 2^(32 - prefix length). */
    public long size() {
        return 1L << (32 - prefixLength);
    }

    public boolean contains(int address) {
        return (address & mask()) == network;
    }

    public boolean contains(Ipv4Subnet other) {
        return other.prefixLength >= prefixLength && contains(other.network);
    }

    /** CIDR blocks either nest or are disjoint, so two overlap exactly when one contains the other. */
    public boolean overlaps(Ipv4Subnet other) {
        return contains(other) || other.contains(this);
    }

    /** The last address of the subnet; a real broadcast address only for /30 and shorter (see the class comment). */
    public int broadcast() {
        return network | ~mask();
    }

    public int firstUsable() {
        return prefixLength >= 31 ? network : network + 1;
    }

    public int lastUsable() {
        return prefixLength >= 31 ? broadcast() : broadcast() - 1;
    }

    /** Number of usable addresses: size minus network and broadcast for /30 and shorter. */
    public long usableCount() {
        return prefixLength >= 31 ? size() : size() - 2;
    }

    @Override
    public String toString() {
        return Ipv4.format(network) + "/" + prefixLength;
    }

    /** Java shifts by the count mod 32, so -1 << 32 is -1, not 0: /0 needs its own case. */
    private static int mask(int prefixLength) {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    private static IllegalArgumentException hostBitsSet(String what, String text, int network, int prefixLength) {
        return invalid(what, text, "host bits set; did you mean " + Ipv4.format(network & mask(prefixLength)) + "/" + prefixLength + "?");
    }

    private static IllegalArgumentException invalid(String what, String text, String reason) {
        return new IllegalArgumentException("invalid " + what + " " + Ipv4.quote(text) + ": " + reason);
    }
}
