package io.netwharf.protocol.netlink;

import java.util.Arrays;
import java.util.HexFormat;

/** A link-layer address (IFLA_ADDRESS): six bytes for Ethernet, other sizes for other link types. */
public final class HardwareAddress {
    private static final HexFormat COLONS = HexFormat.ofDelimiter(":");
    private final byte[] bytes;

    private HardwareAddress(byte[] bytes) {
        this.bytes = bytes;
    }

    public static HardwareAddress of(byte[] bytes) {
        return new HardwareAddress(bytes.clone());
    }

    /** Parses "02:42:ac:11:00:02". */
    public static HardwareAddress parse(String text) {
        try {
            byte[] bytes = COLONS.parseHex(text);
            if (bytes.length == 0) {
                throw new IllegalArgumentException("empty");
            }
            return new HardwareAddress(bytes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a MAC address: '" + text + "' (expected hex bytes separated by ':')", e);
        }
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    public int length() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HardwareAddress other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return COLONS.formatHex(bytes);
    }
}
