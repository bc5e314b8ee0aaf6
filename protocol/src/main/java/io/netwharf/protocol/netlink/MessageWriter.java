package io.netwharf.protocol.netlink;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes netlink messages into a buffer, in the machine's byte order: headers, fixed structures, attributes and
 * nests. Lengths of messages and nests are patched in when they end. Several messages can be written one after
 * the other into one buffer, which is then sent as a single datagram (a batch). The buffer grows when full.
 */
public final class MessageWriter {
    private ByteBuffer buffer;
    private final boolean direct;

    public MessageWriter(int capacity) {
        this(ByteBuffer.allocate(capacity));
    }

    /** Writes into {@code buffer} from its start; a direct buffer stays direct when it has to grow. */
    public MessageWriter(ByteBuffer buffer) {
        this.buffer = buffer.clear().order(ByteOrder.nativeOrder());
        this.direct = buffer.isDirect();
    }

    public MessageWriter reset() {
        buffer.clear();
        return this;
    }

    /** The bytes written so far, as a view from 0 to the current position. */
    public ByteBuffer written() {
        return buffer.duplicate().flip().order(ByteOrder.nativeOrder());
    }

    /** The backing buffer (it may change when the writer grows). */
    public ByteBuffer buffer() {
        return buffer;
    }

    public int position() {
        return buffer.position();
    }

    private void ensure(int more) {
        if (buffer.remaining() >= more) {
            return;
        }
        int capacity = Math.max(buffer.capacity() * 2, buffer.position() + more + 64);
        ByteBuffer bigger = (direct ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity)).order(ByteOrder.nativeOrder());
        buffer.flip();
        bigger.put(buffer);
        buffer = bigger;
    }

    /** Starts a message; returns its start, to be given to {@link #endMessage}. */
    public int beginMessage(int type, int flags, int sequence, int portId) {
        ensure(Netlink.HEADER_LENGTH);
        int start = buffer.position();
        buffer.putInt(0).putShort((short) type).putShort((short) flags).putInt(sequence).putInt(portId);
        return start;
    }

    public void endMessage(int start) {
        pad();
        buffer.putInt(start, buffer.position() - start);
    }

    public MessageWriter u8(int value) {
        ensure(1);
        buffer.put((byte) value);
        return this;
    }

    public MessageWriter u16(int value) {
        ensure(2);
        buffer.putShort((short) value);
        return this;
    }

    public MessageWriter u32(int value) {
        ensure(4);
        buffer.putInt(value);
        return this;
    }

    public MessageWriter raw(byte[] bytes) {
        ensure(bytes.length);
        buffer.put(bytes);
        return this;
    }

    public MessageWriter zeros(int count) {
        ensure(count);
        for (int i = 0; i < count; i++) {
            buffer.put((byte) 0);
        }
        return this;
    }

    private void pad() {
        int padding = Netlink.align(buffer.position()) - buffer.position();
        zeros(padding);
    }

    private void attributeHeader(int type, int valueLength) {
        ensure(4 + valueLength + 3);
        buffer.putShort((short) (4 + valueLength)).putShort((short) type);
    }

    public MessageWriter attrU8(int type, int value) {
        attributeHeader(type, 1);
        buffer.put((byte) value);
        pad();
        return this;
    }

    public MessageWriter attrU16(int type, int value) {
        attributeHeader(type, 2);
        buffer.putShort((short) value);
        pad();
        return this;
    }

    public MessageWriter attrU32(int type, int value) {
        attributeHeader(type, 4);
        buffer.putInt(value);
        return this;
    }

    public MessageWriter attrU64(int type, long value) {
        attributeHeader(type, 8);
        buffer.putLong(value);
        return this;
    }

    /** A NUL-terminated string, as the kernel's NLA_STRING and NLA_NUL_STRING policies accept. */
    public MessageWriter attrString(int type, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        attributeHeader(type, bytes.length + 1);
        buffer.put(bytes).put((byte) 0);
        pad();
        return this;
    }

    public MessageWriter attrBytes(int type, byte[] value) {
        attributeHeader(type, value.length);
        buffer.put(value);
        pad();
        return this;
    }

    public MessageWriter attrAddress(int type, InetAddress address) {
        return attrBytes(type, address.getAddress());
    }

    /** Starts a nest; returns its start, to be given to {@link #endNested}. */
    public int beginNested(int type) {
        ensure(4);
        int start = buffer.position();
        buffer.putShort((short) 0).putShort((short) type);
        return start;
    }

    public void endNested(int start) {
        buffer.putShort(start, (short) (buffer.position() - start));
        // Like every attribute, a nest whose content ends unaligned (raw bytes) is padded after its length.
        pad();
    }
}
