package io.netwharf.ipam;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.function.Function;

/**
 * IPv4 addresses as {@code int}s (network byte order: 172.17.0.1 is {@code 0xAC110001}), converted to and from
 * dotted text and {@link Inet4Address}. Parsing is strict and never does a DNS lookup: four decimal octets,
 * 0..255, no leading zeros (which some tools read as octal), no whitespace.
 */
public final class Ipv4 {
    private Ipv4() {}

    /** {@code "172.17.0.1"} → {@code 0xAC110001}; bad text gives {@code invalid IPv4 address "1.2.3": ...}. */
    public static int parse(String text) {
        return parse(text, reason -> new IllegalArgumentException("invalid IPv4 address " + quote(text) + ": " + reason));
    }

    public static String format(int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 0xff) + "." + ((address >>> 8) & 0xff) + "." + (address & 0xff);
    }

    public static Inet4Address toInet(int address) {
        byte[] bytes = {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
        try {
            // Raw bytes: the JDK builds the address without any lookup.
            return (Inet4Address) InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError("four bytes are always a valid IPv4 address", e);
        }
    }

    public static int fromInet(Inet4Address address) {
        byte[] b = address.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    /**
     * Parses dotted text; a problem is described in a few words ("octet "256" is out of range 0..255") and handed
     * to {@code error}, so a caller parsing a larger text (a subnet) can name the whole of it.
     */
    static int parse(String text, Function<String, IllegalArgumentException> error) {
        if (text == null) {
            throw error.apply("no address given");
        }
        String problem = syntaxProblem(text);
        if (problem != null) {
            throw error.apply(problem);
        }
        String[] octets = text.split("\\.", -1);
        if (octets.length != 4) {
            throw error.apply("expected four octets separated by dots, found " + octets.length);
        }
        int address = 0;
        for (String octet : octets) {
            address = address << 8 | octet(octet, error);
        }
        return address;
    }

    private static int octet(String octet, Function<String, IllegalArgumentException> error) {
        if (octet.isEmpty()) {
            throw error.apply("empty octet");
        }
        if (octet.length() > 1 && octet.charAt(0) == '0') {
            throw error.apply("octet " + quote(octet) + " has a leading zero");
        }
        // At most three digits, so the number cannot overflow before the range check.
        int value = octet.length() > 3 ? Integer.MAX_VALUE : Integer.parseInt(octet);
        if (value > 255) {
            throw error.apply("octet " + quote(octet) + " is out of range 0..255");
        }
        return value;
    }

    /** Null if {@code text} holds only ASCII digits and dots; else what is wrong with it. */
    private static String syntaxProblem(String text) {
        if (text.isEmpty()) {
            return "empty";
        }
        if (!text.strip().equals(text)) {
            return "leading or trailing whitespace";
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '.' && (c < '0' || c > '9')) {
                return "unexpected character " + describe(c) + " at index " + i;
            }
        }
        return null;
    }

    private static String describe(char c) {
        return c > ' ' && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    /** Text in double quotes, for error messages, so that whitespace and empty text stay visible. */
    static String quote(String text) {
        return text == null ? "null" : "\"" + text + "\"";
    }
}
