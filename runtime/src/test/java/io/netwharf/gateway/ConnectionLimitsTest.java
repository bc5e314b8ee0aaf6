package io.netwharf.gateway;

import io.netwharf.gateway.RawConnection.Endpoint;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.entity;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Idle and slow clients cannot lock the API out, on the Unix socket and on TCP alike: 2,000 idle connections and 100
 * slowloris connections leave {@code /_ping} answering; idle and trickling connections are closed after the idle
 * timeout, a trickling body after the body timeout; at the connection cap the idlest connection makes room; a parked
 * request (as Docker's container wait) outlives every one of these timeouts.
 */
class ConnectionLimitsTest {
    /** The defaults of reference.conf (idle timeout 60 s, cap 10,000). */
    private static ActorSystem<Void> standard;
    /** Idle and body timeouts of one second. */
    private static ActorSystem<Void> quick;
    /** A cap of 64 connections per listener. */
    private static ActorSystem<Void> capped;

    @TempDir
    Path dir;

    private final CompletableFuture<String> parked = new CompletableFuture<>();

    @BeforeAll
    static void startSystems() {
        standard = ActorSystem.create(Behaviors.empty(), "connection-limits-standard");
        quick = ActorSystem.create(Behaviors.empty(), "connection-limits-quick", ConfigFactory.parseString(
                "netwharf.gateway.connections { idle-timeout = 1s, request-body-timeout = 1s }").withFallback(ConfigFactory.load()));
        capped = ActorSystem.create(Behaviors.empty(), "connection-limits-capped", ConfigFactory.parseString(
                "netwharf.gateway.server.max-connections = 64").withFallback(ConfigFactory.load()));
    }

    @AfterAll
    static void stopSystems() {
        for (ActorSystem<Void> system : List.of(standard, quick, capped)) {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().join();
        }
    }

    private Route route() {
        return concat(
                path("_ping", () -> get(() -> complete("OK"))),
                path("park", () -> get(() -> {
                    // Headers at once, body later: as netwharf answers a container wait.
                    Source<ByteString, ?> body = Source.completionStage(parked.thenApply(ByteString::fromString));
                    return complete(HttpResponse.create().withEntity(HttpEntities.createChunked(ContentTypes.APPLICATION_JSON, body)));
                })),
                path("slow", () -> get(() -> onSuccess(parked, body -> complete(body)))),
                path("echo", () -> post(() -> entity(Unmarshaller.entityToString(), body -> complete("got " + body)))));
    }

    /** The gateway on a Unix socket and on TCP 127.0.0.1, with {@code system}'s settings; both endpoints. */
    private List<Endpoint> bind(ActorSystem<Void> system, List<Gateway> bound) throws Exception {
        Path socket = dir.resolve(system.name() + ".sock");
        Gateway gateway = Gateway.bind(system, List.of(new ListenAddress.Unix(socket), new ListenAddress.Tcp("127.0.0.1", 0)), route())
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        bound.add(gateway);
        int port = Integer.parseInt(gateway.boundAddresses().get(1).replaceAll(".*:", ""));
        return List.of(Endpoint.unix(socket), Endpoint.tcp(port));
    }

    private static void unbind(List<Gateway> gateways) {
        gateways.forEach(g -> g.unbind().toCompletableFuture().join());
    }

    /** One ping on a new connection; its round trip in milliseconds, or -1 if it got no 200. */
    private static double ping(Endpoint endpoint) throws Exception {
        long start = System.nanoTime();
        try (RawConnection c = endpoint.open()) {
            c.write("GET /_ping HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            String answer = c.readUntilClosed(10);
            return RawConnection.status(answer) == 200 && answer.endsWith("OK") ? (System.nanoTime() - start) / 1e6 : -1;
        }
    }

    /** {@code count} connections that have sent a request's first headers and leave the last one open. */
    private static List<RawConnection> slowloris(Endpoint endpoint, int count) throws IOException {
        List<RawConnection> slow = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            RawConnection c = endpoint.open();
            c.write("GET /_ping HTTP/1.1\r\nHost: localhost\r\nX-Slow: ");
            slow.add(c);
        }
        return slow;
    }

    /** A byte every half second on each slow connection, as slowloris does; {@code closed} hears of each the server closed. */
    private static ScheduledFuture<?> trickle(ScheduledExecutorService executor, List<RawConnection> slow,
                                              Consumer<RawConnection> closed) {
        return executor.scheduleAtFixedRate(() -> slow.forEach(c -> {
            try {
                c.write("a");
            } catch (IOException e) {
                closed.accept(c);
            }
        }), 500, 500, TimeUnit.MILLISECONDS);
    }

    @Test
    void pingAnswersBeside2000IdleAnd100SlowlorisConnections() throws Exception {
        List<Gateway> gateways = new ArrayList<>();
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        try {
            for (Endpoint endpoint : bind(standard, gateways)) {
                List<RawConnection> idle = new ArrayList<>();
                List<RawConnection> slow = new ArrayList<>();
                try {
                    for (int i = 0; i < 2000; i++) {
                        idle.add(endpoint.open());
                    }
                    slow.addAll(slowloris(endpoint, 100));
                    var trickling = trickle(trickle, slow, closed -> {}); // closed by the server: fine
                    double[] rtt = new double[300];
                    for (int i = 0; i < rtt.length; i++) {
                        rtt[i] = ping(endpoint);
                        Thread.sleep(10);
                    }
                    trickling.cancel(false);
                    long failed = Arrays.stream(rtt).filter(r -> r < 0).count();
                    double[] sorted = Arrays.stream(rtt).filter(r -> r >= 0).sorted().toArray();
                    double p50 = sorted[sorted.length / 2];
                    double p99 = sorted[(int) Math.ceil(sorted.length * 0.99) - 1];
                    System.out.printf("[ConnectionLimitsTest] %s: 2000 idle + 100 slowloris connections open; %d pings: p50 %.1f ms, p99 %.1f ms, max %.1f ms, %d unanswered%n",
                            endpoint, rtt.length, p50, p99, sorted[sorted.length - 1], failed);
                    assertEquals(0, failed, endpoint + ": every ping is answered");
                    assertTrue(p99 < 1000, endpoint + ": pings answer promptly, p99 " + p99 + " ms");
                    // The idle connections were kept open all along, and serve requests.
                    for (RawConnection c : idle.subList(0, 10)) {
                        c.write("GET /_ping HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
                        assertEquals(200, RawConnection.status(c.readUntilClosed(10)), endpoint.toString());
                    }
                } finally {
                    for (RawConnection c : idle) {
                        c.close();
                    }
                    for (RawConnection c : slow) {
                        c.close();
                    }
                }
            }
        } finally {
            trickle.shutdownNow();
            unbind(gateways);
        }
    }

    @Test
    void idleAndTricklingConnectionsAreClosedAfterTheIdleTimeout() throws Exception {
        List<Gateway> gateways = new ArrayList<>();
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        try {
            for (Endpoint endpoint : bind(quick, gateways)) {
                List<RawConnection> slow = slowloris(endpoint, 30);
                Set<RawConnection> refused = ConcurrentHashMap.newKeySet();
                long start = System.nanoTime();
                var trickling = trickle(trickle, slow, refused::add);
                try (RawConnection idle = endpoint.open(); RawConnection answered = endpoint.open()) {
                    answered.write("GET /_ping HTTP/1.1\r\nHost: localhost\r\n\r\n"); // kept alive after its answer
                    assertEquals("", idle.readUntilClosed(5), endpoint + ": an idle connection is closed without a word");
                    assertTrue(answered.readUntilClosed(5).endsWith("OK"), endpoint + ": closed after its answer and the idle time");
                    UnixSocketListenerTest.eventually(() -> refused.size() == slow.size());
                    System.out.printf("[ConnectionLimitsTest] %s: 30 slowloris connections closed within %.1f s (idle timeout 1 s)%n",
                            endpoint, (System.nanoTime() - start) / 1e9);
                } finally {
                    trickling.cancel(false);
                    for (RawConnection c : slow) {
                        c.close();
                    }
                }
            }
        } finally {
            trickle.shutdownNow();
            unbind(gateways);
        }
    }

    @Test
    void aBodyThatTricklesInIsAnswered408() throws Exception {
        List<Gateway> gateways = new ArrayList<>();
        try {
            for (Endpoint endpoint : bind(quick, gateways)) {
                try (RawConnection c = endpoint.open()) {
                    c.write("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nab");
                    String answer = c.readUntilClosed(5);
                    assertEquals(408, RawConnection.status(answer), endpoint + ": " + answer);
                    assertTrue(answer.contains("the request body did not arrive within 1 s"), answer);
                }
                try (RawConnection c = endpoint.open()) { // a whole body goes through
                    c.write("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
                    assertTrue(c.readUntilClosed(5).endsWith("got hello"), endpoint.toString());
                }
            }
        } finally {
            unbind(gateways);
        }
    }

    @Test
    void aParkedRequestOutlivesTheIdleTimeout() throws Exception {
        List<Gateway> gateways = new ArrayList<>();
        try {
            List<Endpoint> endpoints = bind(quick, gateways);
            List<RawConnection> waiting = new ArrayList<>();
            for (Endpoint endpoint : endpoints) {
                RawConnection c = endpoint.open();
                c.write("GET /park HTTP/1.1\r\nHost: localhost\r\n\r\n");
                waiting.add(c);
            }
            Thread.sleep(3500); // more than three idle timeouts, with no byte in either direction after the headers
            parked.complete("{\"StatusCode\":0}");
            for (RawConnection c : waiting) {
                String answer = c.readUntilClosed(5); // then closed after another idle timeout
                assertEquals(200, RawConnection.status(answer), answer);
                assertTrue(answer.contains("{\"StatusCode\":0}"), answer);
                c.close();
            }
        } finally {
            unbind(gateways);
        }
    }

    @Test
    void atTheCapTheIdlestConnectionMakesRoom() throws Exception {
        List<Gateway> gateways = new ArrayList<>();
        try {
            for (Endpoint endpoint : bind(capped, gateways)) {
                List<RawConnection> idle = new ArrayList<>();
                try {
                    for (int i = 0; i < 200; i++) {
                        idle.add(endpoint.open());
                    }
                    for (int i = 0; i < 20; i++) {
                        assertTrue(ping(endpoint) >= 0, endpoint + ": ping " + i + " with 200 idle connections over a cap of 64");
                    }
                    assertEquals("", idle.get(0).readUntilClosed(5), endpoint + ": the oldest idle connection was closed");
                } finally {
                    for (RawConnection c : idle) {
                        c.close();
                    }
                }
            }
        } finally {
            unbind(gateways);
        }
    }

    @Test
    void unbindAnswersWhatIsInFlightAnd503PastTheDeadline() throws Exception {
        List<Gateway> gateways = new ArrayList<>();
        List<Endpoint> endpoints = bind(standard, gateways);
        List<RawConnection> slow = new ArrayList<>();
        List<RawConnection> answered = new ArrayList<>();
        for (Endpoint endpoint : endpoints) {
            RawConnection c = endpoint.open();
            c.write("GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n"); // its answer never comes
            slow.add(c);
            RawConnection a = endpoint.open();
            a.write("GET /_ping HTTP/1.1\r\nHost: localhost\r\n\r\n"); // answered, then kept alive
            answered.add(a);
        }
        Thread.sleep(300);
        long start = System.nanoTime();
        gateways.get(0).unbind(Duration.ofSeconds(1)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds >= 0.9 && seconds < 5, "unbind waited for the deadline, and not much longer: " + seconds + " s");
        assertTrue(Files.notExists(dir.resolve(standard.name() + ".sock")));
        for (int i = 0; i < endpoints.size(); i++) {
            String late = slow.get(i).readUntilClosed(5);
            assertEquals(503, RawConnection.status(late), endpoints.get(i) + ": " + late);
            assertTrue(late.contains("shutting down"), late);
            assertTrue(answered.get(i).readUntilClosed(5).endsWith("OK"), endpoints.get(i) + ": answered before, then closed");
            slow.get(i).close();
            answered.get(i).close();
        }
    }
}
