package io.netwharf.protocol.netlink;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The attributes (struct nlattr, type-length-value) of one message or one nest, parsed once into an index of
 * offsets. Lookups return the last attribute of a type, as the kernel's own nla_parse does. Every accessor checks
 * the attribute's size, so a malformed value raises {@link NetlinkFormatException} rather than a wrong number.
 */
public final class Attributes {
    private static final int HEADER = 4;
    private static final Attributes EMPTY = new Attributes(ByteBuffer.allocate(0), new int[0], new int[0], new int[0], 0);

    private final ByteBuffer buffer;
    private final int[] types;
    private final int[] offsets; // of each value, after its 4-byte header
    private final int[] lengths; // of each value
    private final int count;

    private Attributes(ByteBuffer buffer, int[] types, int[] offsets, int[] lengths, int count) {
        this.buffer = buffer;
        this.types = types;
        this.offsets = offsets;
        this.lengths = lengths;
        this.count = count;
    }

    public static Attributes empty() {
        return EMPTY;
    }

    /** Parses the attributes in {@code buffer} from {@code from} (absolute index) to its limit. */
    public static Attributes parse(ByteBuffer buffer, int from) {
        ByteBuffer in = buffer.duplicate().order(ByteOrder.nativeOrder());
        int end = in.limit();
        int[] types = new int[16];
        int[] offsets = new int[16];
        int[] lengths = new int[16];
        int count = 0;
        int offset = from;
        while (end - offset > 0) {
            if (end - offset < HEADER) {
                throw new NetlinkFormatException("truncated attribute header: " + (end - offset) + " bytes at offset " + offset);
            }
            int length = Short.toUnsignedInt(in.getShort(offset));
            int type = Short.toUnsignedInt(in.getShort(offset + 2)) & Netlink.NLA_TYPE_MASK;
            if (length < HEADER) {
                throw new NetlinkFormatException("attribute type " + type + " at offset " + offset + " claims length " + length
                        + ", less than its own header");
            }
            if (length > end - offset) {
                throw new NetlinkFormatException("attribute type " + type + " at offset " + offset + " claims length " + length
                        + " but only " + (end - offset) + " bytes remain");
            }
            if (count == types.length) {
                types = Arrays.copyOf(types, count * 2);
                offsets = Arrays.copyOf(offsets, count * 2);
                lengths = Arrays.copyOf(lengths, count * 2);
            }
            types[count] = type;
            offsets[count] = offset + HEADER;
            lengths[count] = length - HEADER;
            count++;
            offset = Math.min(end, offset + Netlink.align(length));
        }
        return new Attributes(in, types, offsets, lengths, count);
    }

    public int size() {
        return count;
    }

    public boolean has(int type) {
        return find(type) >= 0;
    }

    private int find(int type) {
        for (int i = count - 1; i >= 0; i--) {
            if (types[i] == type) {
                return i;
            }
        }
        return -1;
    }

    private int sized(int type, int size, String what) {
        int i = find(type);
        if (i >= 0 && lengths[i] < size) {
            throw new NetlinkFormatException("attribute " + type + " holds " + lengths[i] + " bytes, too few for " + what);
        }
        return i;
    }

    public Integer u8(int type) {
        int i = sized(type, 1, "a u8");
        return i < 0 ? null : Byte.toUnsignedInt(buffer.get(offsets[i]));
    }

    public Integer u16(int type) {
        int i = sized(type, 2, "a u16");
        return i < 0 ? null : Short.toUnsignedInt(buffer.getShort(offsets[i]));
    }

    /** A 32-bit value; Java's int holds it bit for bit (use Integer.toUnsignedLong where it can exceed 2^31). */
    public Integer u32(int type) {
        int i = sized(type, 4, "a u32");
        return i < 0 ? null : buffer.getInt(offsets[i]);
    }

    public Long u64(int type) {
        int i = sized(type, 8, "a u64");
        return i < 0 ? null : buffer.getLong(offsets[i]);
    }

    /** A NUL-terminated string; the terminator is optional, as some senders omit it. */
    public String string(int type) {
        int i = find(type);
        if (i < 0) {
            return null;
        }
        int length = lengths[i];
        int start = offsets[i];
        int n = 0;
        while (n < length && buffer.get(start + n) != 0) {
            n++;
        }
        byte[] bytes = new byte[n];
        buffer.get(start, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    public byte[] bytes(int type) {
        int i = find(type);
        if (i < 0) {
            return null;
        }
        byte[] bytes = new byte[lengths[i]];
        buffer.get(offsets[i], bytes);
        return bytes;
    }

    /** An IPv4 or IPv6 address; its size must match the family the message declared. */
    public InetAddress address(int type, int family) {
        byte[] bytes = bytes(type);
        if (bytes == null) {
            return null;
        }
        int expected = AddressFamily.addressLength(family);
        if (bytes.length != expected) {
            throw new NetlinkFormatException("attribute " + type + " holds a " + bytes.length + "-byte address in a message of family "
                    + family + " (expects " + expected + ")");
        }
        try {
            // Inet6Address keeps ::ffff:a.b.c.d an IPv6 address; InetAddress.getByAddress would turn it into IPv4.
            return family == AddressFamily.AF_INET6 ? Inet6Address.getByAddress(null, bytes, -1) : InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new NetlinkFormatException("attribute " + type + ": " + e.getMessage());
        }
    }

    /** The attributes nested inside attribute {@code type}, or an empty set when it is absent. */
    public Attributes nested(int type) {
        int i = find(type);
        if (i < 0) {
            return EMPTY;
        }
        return parse(buffer.duplicate().limit(offsets[i] + lengths[i]), offsets[i]);
    }

    /** A read-only view of an attribute's value, for values that are structures of their own. */
    public ByteBuffer value(int type) {
        int i = find(type);
        if (i < 0) {
            return null;
        }
        return buffer.slice(offsets[i], lengths[i]).asReadOnlyBuffer().order(ByteOrder.nativeOrder());
    }
}
