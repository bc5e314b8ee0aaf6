package io.netwharf.gateway;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.server.Route;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** pekko-http over a Unix socket: requests, keep-alive, many clients, a parked request, the socket file's life. */
class UnixSocketListenerTest {
    private static ActorSystem<Void> system;

    @TempDir
    Path dir;

    private final AtomicReference<CompletableFuture<String>> parked = new AtomicReference<>(new CompletableFuture<>());
    private final CountDownLatch parkedArrived = new CountDownLatch(1);
    private final List<UnixSocketListener> listeners = new ArrayList<>();

    @BeforeAll
    static void startSystem() {
        system = ActorSystem.create(Behaviors.empty(), "unix-socket-listener-test");
    }

    @AfterAll
    static void stopSystem() {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().join();
    }

    @AfterEach
    void unbind() {
        parked.get().complete("late");
        listeners.forEach(listener -> listener.unbind().toCompletableFuture().join());
    }

    private Route route() {
        return concat(
                path("hello", () -> get(() -> complete("hello"))),
                path("park", () -> get(() -> {
                    parkedArrived.countDown();
                    return onSuccess(parked.get(), body -> complete(body));
                })));
    }

    private UnixSocketListener bind(Path socket) throws IOException {
        UnixSocketListener listener = UnixSocketListener.bind(system, socket, route());
        listeners.add(listener);
        return listener;
    }

    @Test
    void servesARequest() throws IOException {
        Path socket = dir.resolve("a/b/netwharf.sock"); // parents are created
        bind(socket);
        try (UnixHttpClient client = new UnixHttpClient(socket)) {
            assertEquals(new UnixHttpClient.Response(200, "hello"), client.get("/hello"));
            assertEquals(404, client.get("/nothing").status());
        }
    }

    @Test
    void keepsTheConnectionAlive() throws IOException {
        Path socket = dir.resolve("s.sock");
        UnixSocketListener listener = bind(socket);
        try (UnixHttpClient client = new UnixHttpClient(socket)) {
            assertEquals("hello", client.get("/hello").body());
            assertEquals("hello", client.get("/hello").body());
            assertEquals(1, listener.openConnections());
        }
    }

    @Test
    void servesManyClientsAtOnce() throws Exception {
        Path socket = dir.resolve("s.sock");
        UnixSocketListener listener = bind(socket);
        ExecutorService clients = Executors.newFixedThreadPool(16);
        try {
            List<Future<Integer>> answered = new ArrayList<>();
            for (int c = 0; c < 16; c++) {
                answered.add(clients.submit(() -> {
                    int ok = 0;
                    try (UnixHttpClient client = new UnixHttpClient(socket)) {
                        for (int r = 0; r < 50; r++) {
                            if (client.get("/hello").equals(new UnixHttpClient.Response(200, "hello"))) {
                                ok++;
                            }
                        }
                    }
                    return ok;
                }));
            }
            for (Future<Integer> client : answered) {
                assertEquals(50, client.get(60, TimeUnit.SECONDS));
            }
        } finally {
            clients.shutdownNow();
        }
        eventually(() -> listener.openConnections() == 0);
    }

    @Test
    void aParkedRequestBlocksNoOtherConnectionAndClosingItFreesIt() throws Exception {
        Path socket = dir.resolve("s.sock");
        UnixSocketListener listener = bind(socket);
        UnixHttpClient waiting = new UnixHttpClient(socket);
        waiting.send("GET", "/park");
        assertTrue(parkedArrived.await(10, TimeUnit.SECONDS));
        try (UnixHttpClient other = new UnixHttpClient(socket)) {
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                for (int i = 0; i < 20; i++) {
                    assertEquals("hello", other.get("/hello").body());
                }
            });
            assertEquals(2, listener.openConnections());
            waiting.close(); // as the docker CLI cancels a wait
            eventually(() -> listener.openConnections() == 1);
            parked.get().complete("too late"); // nobody to answer: dropped quietly
            assertEquals("hello", other.get("/hello").body());
        }
        eventually(() -> listener.openConnections() == 0);
    }

    @Test
    void answersAParkedRequestOnceItCompletes() throws Exception {
        Path socket = dir.resolve("s.sock");
        bind(socket);
        try (UnixHttpClient waiting = new UnixHttpClient(socket)) {
            waiting.send("GET", "/park");
            assertTrue(parkedArrived.await(10, TimeUnit.SECONDS));
            parked.get().complete("done");
            assertEquals(new UnixHttpClient.Response(200, "done"), waiting.receive());
            assertEquals("hello", waiting.get("/hello").body());
        }
    }

    @Test
    void curlTalksToIt() throws Exception {
        Path socket = dir.resolve("s.sock");
        bind(socket);
        Process curl = new ProcessBuilder("curl", "-sS", "--max-time", "10", "--unix-socket", socket.toString(), "http://localhost/hello")
                .redirectErrorStream(true).start();
        String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, curl.waitFor(), output);
        assertEquals("hello", output);
    }

    @Test
    void theSocketIsRootsWithMode0660() throws IOException {
        Path socket = dir.resolve("s.sock");
        bind(socket);
        assertEquals(PosixFilePermissions.fromString("rw-rw----"), Files.getPosixFilePermissions(socket));
        assertEquals(0, Files.getAttribute(socket, "unix:uid"));
        assertEquals(0, Files.getAttribute(socket, "unix:gid"));
        assertTrue(Files.isDirectory(dir) && !Files.isRegularFile(socket));
    }

    @Test
    void replacesAStaleSocket() throws IOException {
        Path socket = dir.resolve("s.sock");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket)); // closing leaves the file behind, as a killed daemon does
        }
        assertTrue(Files.exists(socket));
        bind(socket);
        try (UnixHttpClient client = new UnixHttpClient(socket)) {
            assertEquals("hello", client.get("/hello").body());
        }
    }

    @Test
    void refusesASocketSomeoneListensOn() throws IOException {
        Path socket = dir.resolve("s.sock");
        bind(socket);
        IOException e = assertThrows(IOException.class, () -> bind(socket));
        assertEquals("another daemon is listening on unix://" + socket, e.getMessage());
        try (UnixHttpClient client = new UnixHttpClient(socket)) {
            assertEquals("hello", client.get("/hello").body()); // the first is untouched
        }
    }

    @Test
    void refusesToReplaceAFileThatIsNoSocket() throws IOException {
        Path file = Files.writeString(dir.resolve("s.sock"), "data");
        IOException e = assertThrows(IOException.class, () -> bind(file));
        assertTrue(e.getMessage().contains("is not a socket"), e.getMessage());
        assertEquals("data", Files.readString(file));
    }

    @Test
    void unbindRemovesTheFileAndClosesConnections() throws Exception {
        Path socket = dir.resolve("s.sock");
        UnixSocketListener listener = bind(socket);
        try (UnixHttpClient client = new UnixHttpClient(socket)) {
            assertEquals("hello", client.get("/hello").body());
            listener.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertFalse(Files.exists(socket));
            assertTrue(client.closedByServer());
        }
        assertThrows(IOException.class, () -> new UnixHttpClient(socket).close());
    }

    static void eventually(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(20);
        }
    }
}
