package io.netwharf.dns;

import io.netwharf.kernel.NamespaceThreads;
import io.netwharf.kernel.Netns;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The embedded DNS server of every container on a user-defined network, as Docker's: {@code 127.0.0.11:53}, UDP and
 * TCP, inside each container's namespace. The sockets are made in the namespace (a socket stays in the namespace it
 * was made in), on one of the runtime's namespace threads; one thread then serves all of them with one selector: no
 * process, and no thread, per container. Names of the asker's networks are answered from the current
 * {@link DnsRecords}; other names are forwarded to the container's upstream servers from a socket in its own
 * namespace, or from the host's namespace for a loopback upstream (systemd-resolved's 127.0.0.53 is only there), and
 * the answer is passed back. The messages are read and written by {@link DnsAnswers} (dnsjava).
 */
public final class DnsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DnsServer.class);
    public static final String ADDRESS = "127.0.0.11";
    private static final int PORT = 53;
    /** How long a forwarded query waits for its upstream before the next one is tried, or SERVFAIL answered. */
    private static final long FORWARD_TIMEOUT_NANOS = 2_000_000_000L;
    private static final int MAX_MESSAGE = 65_535;

    private final NamespaceThreads threads;
    private final List<InetSocketAddress> hostUpstreams;
    private final Selector selector;
    private final DatagramChannel hostForwarder;
    private final Thread loop;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Map<String, Listener> listeners = new ConcurrentHashMap<>();
    /** Forwarded queries by the id they were sent upstream with; the loop's alone. */
    private final Map<Integer, Pending> pending = new HashMap<>();
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_MESSAGE);
    private volatile DnsRecords records = DnsRecords.EMPTY;
    private volatile boolean closed;

    /** A container's sockets: its listeners and the one it forwards from; {@code upstreams} in order of preference. */
    private record Listener(String containerId, DatagramChannel udp, ServerSocketChannel tcp, DatagramChannel forwarder,
                            List<InetSocketAddress> upstreams) {}

    /** Where a forwarded query's answer goes: a UDP client's address, or a TCP connection. */
    private record Pending(Listener listener, int clientId, SocketAddress udpClient, TcpClient tcpClient, byte[] query, int upstream,
                           long deadline) {}

    /** A TCP client: its connection, the bytes of a message not yet read whole, and answers not yet written. */
    private static final class TcpClient {
        final SocketChannel channel;
        final Listener listener;
        ByteBuffer in = ByteBuffer.allocate(2 + MAX_MESSAGE);
        final Queue<ByteBuffer> out = new ConcurrentLinkedQueue<>();

        TcpClient(SocketChannel channel, Listener listener) {
            this.channel = channel;
            this.listener = listener;
        }
    }

    /**
     * {@code host}: the host's namespace, where loopback upstreams are reached; {@code hostResolvConf}: the file whose
     * name servers a container without upstreams of its own forwards to.
     */
    public DnsServer(NamespaceThreads threads, Netns host, Path hostResolvConf) {
        this.threads = threads;
        this.hostUpstreams = upstreams(nameservers(hostResolvConf));
        try {
            this.selector = Selector.open();
            this.hostForwarder = threads.call(host, () -> {
                DatagramChannel channel = DatagramChannel.open();
                channel.bind(new InetSocketAddress(0));
                return channel;
            });
            hostForwarder.configureBlocking(false);
            hostForwarder.register(selector, SelectionKey.OP_READ, null);
        } catch (IOException e) {
            throw new UncheckedIOException("start the embedded DNS server", e);
        }
        loop = new Thread(this::run, "netwharf-dns");
        loop.setDaemon(true);
        loop.start();
    }

    /** The records answered from now on. */
    public void publish(DnsRecords records) {
        this.records = records;
    }

    /**
     * Serves the container whose namespace is {@code sandbox}: its listeners on 127.0.0.11:53 made there. Forwards
     * to {@code upstreams} (addresses; empty: the host's). Serving it already is not an error.
     */
    public void listen(String containerId, Path sandbox, List<String> upstreams) {
        if (listeners.containsKey(containerId)) {
            return;
        }
        List<InetSocketAddress> servers = upstreams.isEmpty() ? hostUpstreams : upstreams(upstreams);
        Listener listener;
        try (Netns ns = Netns.open(sandbox)) {
            listener = threads.call(ns, () -> {
                InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(ADDRESS), PORT);
                DatagramChannel udp = DatagramChannel.open();
                ServerSocketChannel tcp = ServerSocketChannel.open();
                DatagramChannel forwarder = DatagramChannel.open();
                try {
                    udp.bind(address);
                    tcp.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                    tcp.bind(address);
                    forwarder.bind(new InetSocketAddress(0));
                } catch (IOException e) {
                    udp.close();
                    tcp.close();
                    forwarder.close();
                    throw e;
                }
                return new Listener(containerId, udp, tcp, forwarder, servers);
            });
        }
        listeners.put(containerId, listener);
        onLoop(() -> {
            try {
                for (SelectableChannel channel : List.of(listener.udp(), listener.forwarder())) {
                    channel.configureBlocking(false);
                    channel.register(selector, SelectionKey.OP_READ, listener);
                }
                listener.tcp().configureBlocking(false);
                listener.tcp().register(selector, SelectionKey.OP_ACCEPT, listener);
            } catch (IOException e) {
                LOG.error("container {}: its embedded DNS listeners could not be served: {}", containerId, e.getMessage());
                close(listener);
            }
        });
    }

    /** Stops serving the container: its sockets are closed (its namespace may be gone already). */
    public void forget(String containerId) {
        Listener listener = listeners.remove(containerId);
        if (listener != null) {
            onLoop(() -> close(listener));
        }
    }

    /** How many containers are served. */
    public int listening() {
        return listeners.size();
    }

    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            loop.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void onLoop(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    private void run() {
        try {
            while (!closed) {
                selector.select(500);
                for (Runnable task; (task = tasks.poll()) != null; ) {
                    task.run();
                }
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    try {
                        handle(key);
                    } catch (IOException | RuntimeException e) {
                        LOG.debug("embedded DNS: {}", e.toString());
                        if (key.attachment() instanceof TcpClient client) {
                            closeQuietly(client.channel);
                        }
                    }
                }
                expire(System.nanoTime());
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("the embedded DNS server stopped: {}", e.toString(), e);
        } finally {
            listeners.values().forEach(this::close);
            closeQuietly(hostForwarder);
            closeQuietly(selector);
        }
    }

    private void handle(SelectionKey key) throws IOException {
        if (!key.isValid()) {
            return;
        }
        if (key.attachment() instanceof TcpClient client) {
            if (key.isReadable()) {
                readTcp(key, client);
            }
            if (key.isValid() && key.isWritable()) {
                writeTcp(key, client);
            }
            return;
        }
        Listener listener = (Listener) key.attachment();
        if (key.isAcceptable()) {
            SocketChannel channel = listener.tcp().accept();
            if (channel != null) {
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ, new TcpClient(channel, listener));
            }
            return;
        }
        DatagramChannel channel = (DatagramChannel) key.channel();
        while (true) {
            buffer.clear();
            SocketAddress from = channel.receive(buffer);
            if (from == null) {
                return;
            }
            buffer.flip();
            byte[] message = new byte[buffer.remaining()];
            buffer.get(message);
            if (listener == null || channel == listener.forwarder()) {
                fromUpstream(message, (InetSocketAddress) from);
            } else {
                query(listener, message, from, null);
            }
        }
    }

    /** A query from a container: answered here when it asks for a name of its networks, else forwarded. */
    private void query(Listener listener, byte[] message, SocketAddress udpClient, TcpClient tcpClient) throws IOException {
        DnsAnswers.Answer answer = DnsAnswers.answer(message, records, listener.containerId(), udpClient != null);
        if (answer.local() != null) {
            reply(listener, answer.local(), udpClient, tcpClient);
        } else if (answer.forward()) {
            forward(new Pending(listener, id(message), udpClient, tcpClient, message, 0, System.nanoTime() + FORWARD_TIMEOUT_NANOS));
        }
    }

    /** Sends the query to upstream {@code p.upstream()} under an id of its own; SERVFAIL when there is none left. */
    private void forward(Pending p) throws IOException {
        List<InetSocketAddress> upstreams = p.listener().upstreams();
        if (p.upstream() >= upstreams.size()) {
            reply(p.listener(), DnsAnswers.serverFailure(p.query()), p.udpClient(), p.tcpClient());
            return;
        }
        int id;
        do {
            id = ThreadLocalRandom.current().nextInt(1 << 16);
        } while (pending.containsKey(id));
        byte[] query = p.query().clone();
        setId(query, id);
        InetSocketAddress upstream = upstreams.get(p.upstream());
        DatagramChannel from = upstream.getAddress().isLoopbackAddress() ? hostForwarder : p.listener().forwarder();
        pending.put(id, p);
        from.send(ByteBuffer.wrap(query), upstream);
    }

    private void fromUpstream(byte[] message, InetSocketAddress from) throws IOException {
        if (message.length < 12) {
            return;
        }
        Pending p = pending.get(id(message));
        if (p == null || !from.equals(p.listener().upstreams().get(p.upstream()))) {
            return; // late, or not from where the query went: dropped, as a resolver drops spoofed answers
        }
        pending.remove(id(message));
        setId(message, p.clientId());
        reply(p.listener(), message, p.udpClient(), p.tcpClient());
    }

    /** Forwarded queries past their time go to the next upstream, or are answered SERVFAIL. */
    private void expire(long now) throws IOException {
        if (pending.isEmpty()) {
            return;
        }
        List<Map.Entry<Integer, Pending>> late = new ArrayList<>();
        for (Map.Entry<Integer, Pending> e : pending.entrySet()) {
            if (now - e.getValue().deadline() > 0) {
                late.add(e);
            }
        }
        for (Map.Entry<Integer, Pending> e : late) {
            pending.remove(e.getKey());
            Pending p = e.getValue();
            if (listeners.get(p.listener().containerId()) == p.listener()) {
                forward(new Pending(p.listener(), p.clientId(), p.udpClient(), p.tcpClient(), p.query(), p.upstream() + 1,
                        now + FORWARD_TIMEOUT_NANOS));
            }
        }
    }

    private void reply(Listener listener, byte[] answer, SocketAddress udpClient, TcpClient tcpClient) throws IOException {
        if (udpClient != null) {
            listener.udp().send(ByteBuffer.wrap(answer), udpClient);
            return;
        }
        ByteBuffer framed = ByteBuffer.allocate(2 + answer.length);
        framed.putShort((short) answer.length).put(answer).flip();
        tcpClient.out.add(framed);
        SelectionKey key = tcpClient.channel.keyFor(selector);
        if (key != null && key.isValid()) {
            writeTcp(key, tcpClient);
        }
    }

    /** TCP: each message is its length in two bytes, then the message; a connection may carry several. */
    private void readTcp(SelectionKey key, TcpClient client) throws IOException {
        if (client.channel.read(client.in) < 0) {
            closeQuietly(client.channel);
            return;
        }
        while (client.in.position() >= 2) {
            int length = ((client.in.get(0) & 0xff) << 8) | (client.in.get(1) & 0xff);
            if (client.in.position() < 2 + length) {
                return;
            }
            byte[] message = new byte[length];
            client.in.flip();
            client.in.position(2);
            client.in.get(message);
            client.in.compact();
            query(client.listener, message, null, client);
        }
    }

    private void writeTcp(SelectionKey key, TcpClient client) throws IOException {
        for (ByteBuffer next; (next = client.out.peek()) != null; ) {
            client.channel.write(next);
            if (next.hasRemaining()) {
                key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                return;
            }
            client.out.poll();
        }
        key.interestOps(SelectionKey.OP_READ);
    }

    private void close(Listener listener) {
        closeQuietly(listener.udp());
        closeQuietly(listener.tcp());
        closeQuietly(listener.forwarder());
        pending.values().removeIf(p -> p.listener() == listener);
        for (SelectionKey key : selector.keys()) {
            if (key.attachment() instanceof TcpClient client && client.listener == listener) {
                closeQuietly(client.channel);
            }
        }
    }

    private static int id(byte[] message) {
        return ((message[0] & 0xff) << 8) | (message[1] & 0xff);
    }

    private static void setId(byte[] message, int id) {
        message[0] = (byte) (id >> 8);
        message[1] = (byte) id;
    }

    /** The {@code nameserver} lines of a resolv.conf; none when it cannot be read. */
    static List<String> nameservers(Path resolvConf) {
        try {
            return Files.readAllLines(resolvConf).stream().map(String::strip).filter(l -> l.startsWith("nameserver"))
                    .map(l -> l.substring("nameserver".length()).strip()).filter(s -> !s.isEmpty()).toList();
        } catch (NoSuchFileException e) {
            return List.of(); // a host without name servers: names outside netwharf get SERVFAIL
        } catch (IOException e) {
            LOG.warn("embedded DNS: {} cannot be read ({}): names outside netwharf are not resolved", resolvConf, e.getMessage());
            return List.of();
        }
    }

    /** IPv4 upstreams on port 53 (the address may carry a port, as {@code --dns} cannot); others are skipped. */
    private static List<InetSocketAddress> upstreams(List<String> servers) {
        List<InetSocketAddress> found = new ArrayList<>();
        for (String server : servers) {
            if (server.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
                found.add(new InetSocketAddress(server, PORT)); // a literal: no lookup
            }
        }
        return List.copyOf(found);
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException | RuntimeException e) {
            // Closing what is going away.
        }
    }
}
