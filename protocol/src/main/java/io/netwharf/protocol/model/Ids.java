package io.netwharf.protocol.model;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Docker-style identifiers: 64 lowercase hex digits, random. */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {}

    public static String newId() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    public static boolean isId(String text) {
        return text.length() == 64 && text.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }

    /** The 12-digit form Docker shows and uses for names derived from an id. */
    public static String shortId(String id) {
        return id.substring(0, 12);
    }
}
