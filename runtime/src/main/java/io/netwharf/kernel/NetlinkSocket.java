package io.netwharf.kernel;

import io.netwharf.protocol.netlink.Errno;
import io.netwharf.protocol.netlink.MessageWriter;
import io.netwharf.protocol.netlink.Netlink;
import io.netwharf.protocol.netlink.NetlinkAck;
import io.netwharf.protocol.netlink.NetlinkFormatException;
import io.netwharf.protocol.netlink.NetlinkMessage;
import io.netwharf.protocol.rtnetlink.Rtnetlink;
import jnr.ffi.byref.IntByReference;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * One rtnetlink socket. It lives in the network namespace it was opened in (see {@link NamespaceThreads}) and
 * works from any thread afterwards. Every request carries NLM_F_ACK and its own sequence number, and the replies
 * are matched to requests by that number; several requests go in one datagram as a batch. Replies are decoded
 * before a call returns, so the receive buffer can be one per thread rather than one per socket: a runtime holds a
 * socket per container namespace, and a buffer each would cost megabytes.
 *
 * <p>Calls on one socket are serialized; a socket normally has one owner anyway.
 */
public final class NetlinkSocket implements AutoCloseable {
    private static final int RECEIVE_BUFFER = 64 * 1024; // the kernel sends dump datagrams of at most 32 KiB
    private static final int SOCKET_RECEIVE_BUFFER = 1024 * 1024;
    private static final int DUMP_ATTEMPTS = 10;

    private static final ThreadLocal<ByteBuffer> RECEIVE = ThreadLocal.withInitial(
            () -> ByteBuffer.allocateDirect(RECEIVE_BUFFER).order(ByteOrder.nativeOrder()));
    private static final ThreadLocal<MessageWriter> SEND = ThreadLocal.withInitial(
            () -> new MessageWriter(ByteBuffer.allocateDirect(8 * 1024)));

    private final int fd;
    private int sequence;
    private boolean closed;

    private NetlinkSocket(int fd) {
        this.fd = fd;
    }

    /** Opens a socket in the calling thread's network namespace. */
    public static NetlinkSocket open() {
        LibC c = Native.LIBC;
        int fd = Native.check(c.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, Rtnetlink.NETLINK_ROUTE), "open netlink socket");
        try {
            ByteBuffer address = ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder());
            address.putShort(0, (short) LibC.AF_NETLINK); // nl_pid 0: the kernel assigns the port id
            Native.check(c.bind(fd, address, 12), "bind netlink socket");
            setOption(fd, Netlink.SOL_NETLINK, Netlink.NETLINK_EXT_ACK, 1, "enable netlink extended ACK");
            setOption(fd, Netlink.SOL_NETLINK, Netlink.NETLINK_CAP_ACK, 1, "cap netlink ACKs");
            // As root the larger buffer is granted beyond rmem_max; otherwise fall back to what is allowed.
            if (c.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, new IntByReference(SOCKET_RECEIVE_BUFFER), 4) < 0) {
                c.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, new IntByReference(SOCKET_RECEIVE_BUFFER), 4);
            }
            return new NetlinkSocket(fd);
        } catch (RuntimeException e) {
            Native.closeQuietly(fd);
            throw e;
        }
    }

    private static void setOption(int fd, int level, int option, int value, String what) {
        Native.check(Native.LIBC.setsockopt(fd, level, option, new IntByReference(value), 4), what);
    }

    /** Sends one request and waits for its ACK; a refusal becomes a {@link KernelException} naming the operation. */
    public void execute(NetlinkOperation operation) {
        executeAll(List.of(operation));
    }

    /**
     * Sends the requests in one datagram and waits for every ACK. The kernel handles each request on its own, in
     * order: a failed one does not stop those after it. Throws for the first failure after all replies are in (an
     * answer the operation {@linkplain NetlinkOperation#ignoredErrno ignores} is no failure).
     */
    public synchronized void executeAll(List<NetlinkOperation> operations) {
        if (operations.isEmpty()) {
            return;
        }
        int[] errnos = new int[operations.size()];
        Arrays.fill(errnos, -1); // -1: no reply yet
        String[] details = new String[operations.size()];
        int first = send(operations, Netlink.NLM_F_ACK);
        int pending = operations.size();
        while (pending > 0) {
            for (NetlinkMessage m : NetlinkMessage.parseAll(receive())) {
                int i = m.header().sequence() - first;
                if (i < 0 || i >= errnos.length || m.type() != Netlink.NLMSG_ERROR || errnos[i] != -1) {
                    continue; // a late reply to an earlier, abandoned exchange
                }
                NetlinkAck ack = NetlinkAck.decode(m);
                errnos[i] = ack.errno();
                details[i] = ack.message();
                pending--;
            }
        }
        for (int i = 0; i < errnos.length; i++) {
            if (!operations.get(i).succeeded(errnos[i])) {
                throw new KernelException(operations.get(i).description(), errnos[i], details[i]);
            }
        }
    }

    /** Sends a request that answers with one message (a GET by name or index) and decodes it. */
    public synchronized <T> T query(NetlinkOperation operation, Function<ByteBuffer, T> decoder) {
        List<T> replies = exchange(operation, decoder);
        if (replies.size() != 1) {
            throw new KernelException(operation.description(), Errno.EPROTO.number, "expected one reply, got " + replies.size());
        }
        return replies.get(0);
    }

    /** Sends a dump request and decodes every part; a dump that the kernel marks interrupted is run again. */
    public synchronized <T> List<T> dump(NetlinkOperation operation, Function<ByteBuffer, T> decoder) {
        for (int attempt = 1; ; attempt++) {
            try {
                return exchange(operation, decoder);
            } catch (DumpInterrupted e) {
                if (attempt == DUMP_ATTEMPTS) {
                    throw new KernelException(operation.description(), Errno.EAGAIN.number,
                            "dump interrupted by concurrent changes " + DUMP_ATTEMPTS + " times in a row");
                }
            }
        }
    }

    private static final class DumpInterrupted extends RuntimeException {
        DumpInterrupted() {
            super(null, null, false, false);
        }
    }

    /** Runs one request whose answer is data messages, ending with NLMSG_DONE for a dump or after the one reply. */
    private <T> List<T> exchange(NetlinkOperation operation, Function<ByteBuffer, T> decoder) {
        int seq = send(List.of(operation), Netlink.NLM_F_ACK);
        boolean isDump = (operation.request().flags() & Netlink.NLM_F_DUMP) == Netlink.NLM_F_DUMP;
        List<T> results = new ArrayList<>();
        boolean interrupted = false;
        boolean done = false;
        while (!done) {
            ByteBuffer datagram = receive();
            for (NetlinkMessage m : NetlinkMessage.parseAll(datagram)) {
                if (m.header().sequence() != seq) {
                    continue;
                }
                interrupted |= m.header().has(Netlink.NLM_F_DUMP_INTR);
                switch (m.type()) {
                    case Netlink.NLMSG_ERROR -> {
                        NetlinkAck ack = NetlinkAck.decode(m);
                        if (!ack.ok()) {
                            throw new KernelException(operation.description(), ack.errno(), ack.message());
                        }
                        done = true; // the ACK after a non-dump reply
                    }
                    case Netlink.NLMSG_DONE -> {
                        int error = m.payload().remaining() >= 4 ? m.payload().getInt(0) : 0;
                        if (error < 0) {
                            throw new KernelException(operation.description(), -error, null);
                        }
                        done = true;
                    }
                    case Netlink.NLMSG_NOOP -> { }
                    case Netlink.NLMSG_OVERRUN -> throw new KernelException(operation.description(), Errno.ENOBUFS.number, "reply overrun");
                    default -> {
                        results.add(decoder.apply(m.payload()));
                        // A non-dump GET sends its reply and, because of NLM_F_ACK, an ACK after it.
                    }
                }
            }
        }
        if (interrupted && isDump) {
            throw new DumpInterrupted();
        }
        return results;
    }

    /** Encodes the operations into one datagram with consecutive sequence numbers; returns the first number. */
    private int send(List<NetlinkOperation> operations, int extraFlags) {
        ensureOpen();
        MessageWriter w = SEND.get().reset();
        int first = sequence + 1;
        for (NetlinkOperation op : operations) {
            var r = op.request();
            int start = w.beginMessage(r.type(), r.flags() | Netlink.NLM_F_REQUEST | extraFlags, ++sequence, 0);
            r.body().encode(w);
            w.endMessage(start);
        }
        ByteBuffer out = w.written(); // position 0, whatever jnr-ffi makes of positions
        int length = out.limit();
        long sent;
        do {
            sent = Native.LIBC.send(fd, out, length, 0);
        } while (sent < 0 && Native.errno() == Errno.EINTR.number);
        if (sent < 0) {
            throw new KernelException(operations.size() == 1 ? operations.get(0).description() : "send batch of " + operations.size()
                    + " netlink requests starting with " + operations.get(0).description(), Native.errno(), null);
        }
        return first;
    }

    /** Receives one datagram into this thread's buffer and returns a view of it (valid until the next receive). */
    private ByteBuffer receive() {
        ByteBuffer in = RECEIVE.get();
        long n;
        do {
            n = Native.LIBC.recv(fd, in, in.capacity(), LibC.MSG_TRUNC);
        } while (n < 0 && Native.errno() == Errno.EINTR.number);
        if (n < 0) {
            throw new KernelException("receive from netlink socket", Native.errno(), null);
        }
        if (n > in.capacity()) {
            throw new NetlinkFormatException("netlink reply of " + n + " bytes does not fit the " + in.capacity() + "-byte buffer");
        }
        return in.duplicate().position(0).limit((int) n).order(ByteOrder.nativeOrder());
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("netlink socket is closed");
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Native.closeQuietly(fd);
        }
    }
}
