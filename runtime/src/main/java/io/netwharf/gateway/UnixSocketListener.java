package io.netwharf.gateway;

import io.netwharf.kernel.Directories;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.TLSProtocol;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.TLSPlacebo;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Serves HTTP/1.1 on a Unix domain socket, which pekko-http cannot bind itself (it binds TCP only): one thread accepts
 * connections, and each accepted connection runs pekko-http's server layer over the socket channel, joined to the
 * handler.
 *
 * <p>Channels are non-blocking. A read that finds nothing waits on the listener's {@link ReadinessPoller} (one thread
 * for all connections), so a quiet connection (keep-alive, or a parked request such as Docker's container wait)
 * holds no thread: measured on this machine, 2,000 idle connections took the daemon from 35 to 70 threads and about
 * 190 MB more resident memory (with a thread each, as before: 2,044 threads and 340 MB). A write that the client does
 * not take at once waits on {@value #IO_DISPATCHER}, a dispatcher that grows with such writes.
 *
 * <p>A client that closes its connection ends that connection's stream, answered or not (as pekko-http's TCP server
 * does without half-close): the pending response is dropped.
 *
 * <p>Each connection runs behind a {@link ConnectionGuard} (as the TCP listener's do), which closes idle and trickling
 * connections and makes room at the cap; unbinding drains them.
 */
public final class UnixSocketListener {
    /** The dispatcher connection writes block on while a client reads slowly; see reference.conf. */
    public static final String IO_DISPATCHER = "netwharf.gateway.io-dispatcher";

    private static final Logger log = LoggerFactory.getLogger(UnixSocketListener.class);
    private static final int READ_BUFFER = 16 * 1024;
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    /** After the shutdown deadline, how long connections may take to close (their 503 written) before they are cut. */
    private static final Duration CLOSE_MARGIN = Duration.ofSeconds(1);

    private final Path path;
    private final ServerSocketChannel server;
    private final Flow<HttpRequest, HttpResponse, ?> handler;
    private final ServerSettings settings;
    private final Http http;
    private final Materializer materializer;
    private final LoggingAdapter httpLog;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final GuardedConnections guarded;
    private final ReadinessPoller poller;
    private final ConnectionLimits limits;
    private final AtomicBoolean unbound = new AtomicBoolean();
    private final CompletableFuture<Done> acceptStopped = new CompletableFuture<>();
    private final CompletableFuture<Done> stopped = new CompletableFuture<>();

    private UnixSocketListener(ActorSystem<?> system, Path path, ServerSocketChannel server,
                               Flow<HttpRequest, HttpResponse, ?> handler, ServerSettings settings, ConnectionLimits limits,
                               ReadinessPoller poller) {
        this.path = path;
        this.server = server;
        this.guarded = new GuardedConnections(limits, settings.getMaxConnections());
        this.poller = poller;
        this.limits = limits;
        this.handler = guarded.guard(handler);
        this.settings = settings;
        this.http = Http.get(system);
        this.materializer = Materializer.matFromSystem(system);
        this.httpLog = Logging.getLogger(system.classicSystem(), UnixSocketListener.class);
    }

    /** Binds {@code socket} and serves {@code route} (sealed) with the gateway's server settings. */
    public static UnixSocketListener bind(ActorSystem<?> system, Path socket, Route route) throws IOException {
        return bind(system, socket, route.seal().flow(system), Gateway.serverSettings(system),
                ConnectionLimits.from(system.settings().config()));
    }

    /**
     * Binds {@code socket} and starts accepting. A socket file nobody answers on (left
     * by a daemon that died) is replaced; if a server answers on it, or the path is not a socket, binding is refused.
     * A missing parent directory is made with mode 0711 (an existing one is left as it is: it may be shared, as /tmp).
     * The socket gets mode 0660, owner root:root.
     *
     * @throws IOException naming the socket when it cannot be bound
     */
    public static UnixSocketListener bind(ActorSystem<?> system, Path socket, Flow<HttpRequest, HttpResponse, ?> handler,
                                          ServerSettings settings, ConnectionLimits limits) throws IOException {
        Path path = socket.toAbsolutePath().normalize();
        if (path.getParent() != null) {
            Directories.ensureExists(path.getParent());
        }
        removeIfStale(path);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path), 1024);
            // Bound with the process's umask (usually 022: only root can connect meanwhile), then narrowed. Connecting
            // needs write permission on the socket: owner root and group root, as dockerd's socket with group root.
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
            try {
                Files.setAttribute(path, "unix:uid", 0, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(path, "unix:gid", 0, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException | UnsupportedOperationException e) {
                log.warn("Cannot give {} to root:root: {}", path, e.toString());
            }
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        UnixSocketListener listener = new UnixSocketListener(system, path, server, handler, settings, limits,
                new ReadinessPoller("netwharf-gateway-poll-" + path));
        Thread acceptor = new Thread(listener::acceptLoop, "netwharf-gateway-accept-" + path);
        acceptor.setDaemon(true);
        acceptor.start();
        log.debug("Listening on unix://{}", path);
        return listener;
    }

    public Path path() {
        return path;
    }

    /** Connections accepted and not yet closed. */
    public int openConnections() {
        return connections.size();
    }

    /** {@link #unbind(Duration)} with the configured shutdown deadline. */
    public CompletionStage<Done> unbind() {
        return unbind(limits.shutdownDeadline());
    }

    /**
     * Stops accepting and removes the socket file; closes idle connections at once and the others once their request
     * is answered; past {@code deadline}, a request still unanswered is answered 503. Completes when every connection is
     * closed. Calling it again does nothing.
     */
    public CompletionStage<Done> unbind(Duration deadline) {
        if (!unbound.compareAndSet(false, true)) {
            return stopped;
        }
        // Clients may have connected and sent a request that the accepting thread has not taken yet: closing the
        // socket now would reset them. Wake that thread with a connection of our own instead; it takes every
        // connection still queued, then closes the socket (acceptQueuedAndClose).
        try (SocketChannel wake = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            wake.connect(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            log.debug("Cannot wake the accepting thread on {} ({}); closing the socket", path, e.toString());
            closeServer();
        }
        // Guards of connections accepted a moment ago start later, and drain then: wait for the connections
        // themselves to close, not only for the guards already started; past the deadline and a margin, close them.
        acceptStopped.thenRun(() -> {
            guarded.drain(deadline);
            stopIfNoConnection();
        });
        stopped.completeOnTimeout(Done.getInstance(), deadline.plus(CLOSE_MARGIN).toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((done, failure) -> {
                    connections.forEach(Connection::close);
                    poller.close();
                });
        return stopped;
    }

    /** On the accepting thread, once unbinding: takes the connections still queued, then closes the socket. */
    private void acceptQueuedAndClose() {
        try {
            Files.deleteIfExists(path); // no new client can connect now
        } catch (IOException e) {
            log.warn("Cannot remove the socket file {}: {}", path, e.toString());
        }
        try {
            server.configureBlocking(false);
            for (SocketChannel queued = server.accept(); queued != null; queued = server.accept()) {
                serve(queued);
            }
        } catch (IOException e) {
            log.debug("Taking the connections queued on {}: {}", path, e.toString());
        }
        closeServer();
    }

    private void closeServer() {
        try {
            server.close();
        } catch (IOException e) {
            log.debug("Closing the server socket {}: {}", path, e.toString());
        }
    }

    private void stopIfNoConnection() {
        if (unbound.get() && acceptStopped.isDone() && connections.isEmpty()) {
            stopped.complete(Done.getInstance());
        }
    }

    private static void removeIfStale(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & S_IFMT) != S_IFSOCK) {
            throw new IOException(path + " exists and is not a socket; not replacing it");
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
        } catch (ConnectException e) {
            // Nobody accepts on it: left by a daemon that is gone.
            log.info("Replacing the stale socket {}", path);
            Files.delete(path);
            return;
        }
        throw new IOException("another daemon is listening on unix://" + path);
    }

    private void acceptLoop() {
        try {
            while (true) {
                SocketChannel channel;
                try {
                    channel = server.accept();
                } catch (ClosedChannelException e) {
                    return;
                } catch (IOException e) {
                    if (!server.isOpen()) {
                        return;
                    }
                    // Out of file descriptors, most likely: wait a little rather than spin.
                    log.warn("Accepting on {} failed: {}", path, e.toString());
                    sleepQuietly();
                    continue;
                }
                if (unbound.get()) {
                    serve(channel);
                    acceptQueuedAndClose();
                    return;
                }
                // At the cap, the connection idle the longest makes room; only when every one is busy is this one
                // refused. Connections whose guard has not started yet are not known to be busy: this one is then
                // served, and its guard makes room when it starts (GuardedConnections.joined), as on TCP.
                if (connections.size() >= settings.getMaxConnections() && guarded.size() >= connections.size()
                        && !guarded.evictIdlest()) {
                    log.warn("Refusing a connection on {}: {} connections open, all busy (max-connections)", path,
                            connections.size());
                    closeQuietly(channel);
                    continue;
                }
                serve(channel);
            }
        } catch (RuntimeException | Error e) {
            log.error("The accept loop on {} stopped", path, e);
        } finally {
            acceptStopped.complete(Done.getInstance());
        }
    }

    private void serve(SocketChannel channel) {
        SharedKillSwitch clientEnded = KillSwitches.shared("client-ended");
        Connection connection = new Connection(channel, poller, clientEnded::shutdown);
        connections.add(connection); // accepted as unbind() began: its guard drains it (a request it sent is answered)
        try {
            channel.configureBlocking(false); // reads wait on the poller, not on a thread of their own
            Source<ByteString, NotUsed> in = Source.unfoldResourceAsync(() -> CompletableFuture.completedFuture(connection),
                    Connection::read, c -> CompletableFuture.completedFuture(Done.getInstance()));
            Sink<ByteString, CompletionStage<Done>> out = Flow.<ByteString>create().via(clientEnded.flow())
                    .toMat(Sink.foreach(connection::write), Keep.right()).async(IO_DISPATCHER);
            // Either side ending ends the other: the client closing stops the responses (the kill switch, see
            // Connection#read), the server closing (after "Connection: close" or a protocol error) stops the reading.
            // Except that a connection switched to a container's streams (attach) is half-closed by the client when
            // its input ends, and the output goes on: the docker CLI closes its writing side at once without -i.
            Flow<ByteString, ByteString, CompletionStage<Done>> transport = Flow.fromSinkAndSourceMat(out, in, Keep.left());
            CompletionStage<Done> done = http.serverLayer(settings, Optional.empty(), httpLog)
                    .atop(placebo())
                    .join(transport, Keep.right())
                    .joinMat(handler, Keep.left())
                    .run(materializer);
            done.whenComplete((ok, failure) -> {
                connection.close();
                connections.remove(connection);
                stopIfNoConnection();
                if (failure != null) {
                    log.debug("Connection on {} ended with {}", path, failure.toString());
                }
            });
        } catch (IOException | RuntimeException e) {
            log.warn("Cannot serve a connection on {}: {}", path, e.toString());
            connection.close();
            connections.remove(connection);
            stopIfNoConnection();
        }
    }

    /**
     * TLS left out. The Java DSL's types are invariant: the placebo's SessionBytes are the SslTlsInbound the server layer
     * takes (covariant in the Scala DSL).
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static BidiFlow<TLSProtocol.SslTlsOutbound, ByteString, ByteString, TLSProtocol.SslTlsInbound, NotUsed> placebo() {
        return (BidiFlow) TLSPlacebo.getInstance();
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("Closing a connection: {}", e.toString());
        }
    }

    /** One accepted connection; {@link #read} and {@link #write} run on different threads, which the channel allows. */
    private static final class Connection {
        private static final ByteString SWITCHING_PROTOCOLS = ByteString.fromString("HTTP/1.1 101 ");
        private final SocketChannel channel;
        private final ReadinessPoller poller;
        private final ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER);
        private volatile boolean broken;
        private volatile CompletableFuture<Void> readable;
        private volatile CompletableFuture<Void> writable;
        private final Runnable clientEnded;
        /** The server answered 101: the connection carries raw streams now, and the client may half-close it. */
        private volatile boolean switched;

        Connection(SocketChannel channel, ReadinessPoller poller, Runnable clientEnded) {
            this.channel = channel;
            this.poller = poller;
            this.clientEnded = clientEnded;
        }

        /** The end of the client's bytes: the end of the connection, unless it was switched to raw streams. */
        private CompletionStage<Optional<ByteString>> ended() {
            if (!switched) {
                clientEnded.run();
            }
            return CompletableFuture.completedFuture(Optional.empty());
        }

        /**
         * The next bytes, or empty at the end: the client closed, or the connection was closed here. While the client is
         * quiet, no thread waits: the poller completes the stage when bytes come.
         */
        CompletionStage<Optional<ByteString>> read() {
            if (broken) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
            buffer.clear();
            int count;
            try {
                count = channel.read(buffer);
            } catch (IOException e) {
                // Closed here or reset by the client: both just end the connection.
                log.debug("Reading a connection ended: {}", e.toString());
                return ended();
            }
            if (count < 0) {
                return ended();
            }
            if (count > 0) {
                buffer.flip();
                return CompletableFuture.completedFuture(Optional.of(ByteString.fromByteBuffer(buffer)));
            }
            CompletableFuture<Void> ready = poller.whenReadable(channel);
            readable = ready;
            if (broken) {
                ready.completeExceptionally(new ClosedChannelException());
            }
            return ready.handle((ok, failure) -> failure == null)
                    .thenCompose(open -> open ? read() : ended());
        }

        /** Writes all of {@code bytes}; blocks its thread only while the client reads too slowly to take them. */
        void write(ByteString bytes) {
            if (broken) {
                return; // the client is gone; the read side ends the stream
            }
            if (!switched && bytes.length() >= SWITCHING_PROTOCOLS.length()
                    && bytes.slice(0, SWITCHING_PROTOCOLS.length()).equals(SWITCHING_PROTOCOLS)) {
                switched = true;
            }
            try {
                ByteBuffer data = bytes.asByteBuffer();
                while (data.hasRemaining()) {
                    if (channel.write(data) == 0) {
                        CompletableFuture<Void> ready = poller.whenWritable(channel);
                        writable = ready;
                        if (broken) {
                            return;
                        }
                        ready.get();
                    }
                }
            } catch (IOException | java.util.concurrent.ExecutionException e) {
                log.debug("Writing a connection failed, closing it: {}", e.toString());
                close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
            }
        }

        void close() {
            broken = true;
            closeQuietly(channel);
            // A closed channel's key is cancelled: the poller will not answer these any more.
            for (CompletableFuture<Void> waiting : new CompletableFuture[] {readable, writable}) {
                if (waiting != null) {
                    waiting.completeExceptionally(new ClosedChannelException());
                }
            }
        }
    }
}
