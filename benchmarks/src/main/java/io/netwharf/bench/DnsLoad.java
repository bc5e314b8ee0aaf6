package io.netwharf.bench;

import org.HdrHistogram.Histogram;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop load of DNS queries over UDP at a fixed rate: each query has a time it is due and is sent then (or as
 * soon as the sender catches up); the sender never waits for answers, so a stalled server cannot slow the load down
 * (no coordinated omission). A query's latency counts from its send; how late the sender was against the schedule is
 * measured apart, so the sender's own delays (it sleeps rather than spins, to leave the CPU to the server on a small
 * machine) are not charged to the server. Each client is a UDP socket connected to the embedded
 * server of one container's namespace and asks for names of its own network; one thread sends, one receives. The
 * messages are dnsjava's, as the server's are; the receiver reads only the header (id, rcode, answer count), so the
 * load generator's parsing does not limit the rate.
 */
final class DnsLoad {
    /** One client: a socket made in a container's namespace, and the names on that container's networks. */
    record Client(DatagramChannel channel, List<String> names) {}

    /** What a run measured; latencies in microseconds from each query's send, lateness from its due time to its send. */
    record Result(long sent, long answered, long errors, long empty, double seconds, Histogram latency, Histogram lateness) {
        double answeredPerSecond() {
            return answered / seconds;
        }
    }

    private static final InetSocketAddress EMBEDDED_DNS = new InetSocketAddress("127.0.0.11", 53);

    private DnsLoad() {}

    /** A UDP socket connected to the embedded server; call it on a thread in the container's namespace. */
    static DatagramChannel connect() throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        channel.connect(EMBEDDED_DNS);
        channel.configureBlocking(false);
        return channel;
    }

    /**
     * Sends {@code rate} queries a second for {@code seconds}, round-robin over the clients, each an A query for a
     * random name of its client's networks; waits up to a second for the last answers.
     */
    static Result run(List<Client> clients, int rate, double seconds) throws IOException, InterruptedException {
        int count = (int) (rate * seconds);
        long[] due = new long[count];
        long[] sentAt = new long[count];
        long[] answeredAt = new long[count];
        byte[] rcode = new byte[count];
        short[] answers = new short[count];
        // Query i goes to client i % clients with the id i / clients: an answer's id and socket name its query, with
        // nothing shared between sender and receiver. A run sends at most 65,536 queries per client for that.
        if ((long) count > 65_536L * clients.size()) {
            throw new IllegalArgumentException("at most 65,536 queries per client: add clients or shorten the run");
        }
        byte[][][] queries = queries(clients);
        Thread receiver;
        try (Selector selector = Selector.open()) {
            for (int c = 0; c < clients.size(); c++) {
                clients.get(c).channel().register(selector, SelectionKey.OP_READ, c);
            }
            long start = System.nanoTime() + 10_000_000;
            long interval = 1_000_000_000L / rate;
            Receiver r = new Receiver(selector, clients.size(), answeredAt, rcode, answers, count);
            receiver = new Thread(r, "dns-load-receiver");
            receiver.start();
            ByteBuffer out = ByteBuffer.allocate(512);
            ThreadLocalRandom random = ThreadLocalRandom.current();
            for (int i = 0; i < count; i++) {
                due[i] = start + i * interval;
                long wait = due[i] - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                int c = i % clients.size();
                int id = i / clients.size();
                byte[][] names = queries[c];
                byte[] query = names[random.nextInt(names.length)];
                query[0] = (byte) (id >> 8);
                query[1] = (byte) id;
                out.clear();
                out.put(query).flip();
                sentAt[i] = System.nanoTime();
                clients.get(c).channel().write(out);
            }
            long end = due[count - 1] + 1_000_000_000L;
            receiver.join(Math.max(1, (end - System.nanoTime()) / 1_000_000));
            r.stop = true;
            selector.wakeup();
            receiver.join();
            Histogram latency = new Histogram(60_000_000L, 3);
            Histogram lateness = new Histogram(60_000_000L, 3);
            long answered = 0;
            long errors = 0;
            long empty = 0;
            long last = start;
            for (int i = 0; i < count; i++) {
                lateness.recordValue(Math.max(0, (sentAt[i] - due[i]) / 1000));
                if (answeredAt[i] != 0) {
                    answered++;
                    latency.recordValue(Math.max(0, (answeredAt[i] - sentAt[i]) / 1000));
                    last = Math.max(last, answeredAt[i]);
                    if (rcode[i] != 0) {
                        errors++;
                    } else if (answers[i] == 0) {
                        empty++;
                    }
                }
            }
            return new Result(count, answered, errors, empty, (last - start) / 1e9, latency, lateness);
        }
    }

    /** Each client's queries, one per name, as wire bytes whose first two bytes (the id) are set at each send. */
    private static byte[][][] queries(List<Client> clients) throws TextParseException {
        byte[][][] queries = new byte[clients.size()][][];
        for (int c = 0; c < clients.size(); c++) {
            List<String> names = clients.get(c).names();
            queries[c] = new byte[names.size()][];
            for (int n = 0; n < names.size(); n++) {
                Message query = Message.newQuery(Record.newRecord(Name.fromString(names.get(n) + "."), Type.A, DClass.IN));
                queries[c][n] = query.toWire();
            }
        }
        return queries;
    }

    /** Reads answers from every client's socket until told to stop or every query is answered. */
    private static final class Receiver implements Runnable {
        private final Selector selector;
        private final int clients;
        private final long[] answeredAt;
        private final byte[] rcode;
        private final short[] answers;
        private final int count;
        volatile boolean stop;

        Receiver(Selector selector, int clients, long[] answeredAt, byte[] rcode, short[] answers, int count) {
            this.selector = selector;
            this.clients = clients;
            this.answeredAt = answeredAt;
            this.rcode = rcode;
            this.answers = answers;
            this.count = count;
        }

        @Override
        public void run() {
            ByteBuffer in = ByteBuffer.allocate(4096);
            int received = 0;
            try {
                while (!stop && received < count) {
                    selector.select(100);
                    long now = System.nanoTime();
                    for (SelectionKey key : selector.selectedKeys()) {
                        DatagramChannel channel = (DatagramChannel) key.channel();
                        int c = (Integer) key.attachment();
                        while (true) {
                            in.clear();
                            if (channel.read(in) <= 0) {
                                break;
                            }
                            if (in.position() < 12) {
                                continue;
                            }
                            int id = ((in.get(0) & 0xff) << 8) | (in.get(1) & 0xff);
                            int i = id * clients + c;
                            if (i < count && answeredAt[i] == 0) {
                                answeredAt[i] = now;
                                rcode[i] = (byte) (in.get(3) & 0x0f);
                                answers[i] = (short) (((in.get(6) & 0xff) << 8) | (in.get(7) & 0xff));
                                received++;
                            }
                        }
                    }
                    selector.selectedKeys().clear();
                }
            } catch (IOException e) {
                throw new IllegalStateException("reading DNS answers", e);
            }
        }
    }
}
