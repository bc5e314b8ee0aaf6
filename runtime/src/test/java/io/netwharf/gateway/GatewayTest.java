package io.netwharf.gateway;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.entity;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One route on a Unix socket and TCP at once; binding all or nothing; the gateway's settings; the placeholder route. */
class GatewayTest {
    private static ActorSystem<Void> system;

    @TempDir
    Path dir;

    @BeforeAll
    static void startSystem() {
        system = ActorSystem.create(Behaviors.empty(), "gateway-test");
    }

    @AfterAll
    static void stopSystem() {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().join();
    }

    private static Route route() {
        return concat(
                path("hello", () -> get(() -> complete("hello"))),
                path("upload", () -> post(() -> entity(Unmarshaller.entityToString(), body -> complete("got " + body.length())))));
    }

    @Test
    void servesOnTcpPortZeroAndAUnixSocket() throws Exception {
        Path socket = dir.resolve("gw.sock");
        Gateway gateway = Gateway.bind(system, List.of(ListenAddress.parse("unix://" + socket), ListenAddress.parse("tcp://127.0.0.1:0")),
                route()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        List<String> addresses = gateway.boundAddresses();
        assertEquals("unix://" + socket, addresses.get(0));
        assertTrue(addresses.get(1).matches("tcp://127\\.0\\.0\\.1:[1-9][0-9]*"), addresses.toString());
        URI base = URI.create("http" + addresses.get(1).substring(3));

        HttpClient http = HttpClient.newHttpClient();
        assertEquals("hello", http.send(HttpRequest.newBuilder(base.resolve("/hello")).build(), HttpResponse.BodyHandlers.ofString()).body());
        try (UnixHttpClient client = new UnixHttpClient(socket)) {
            assertEquals("hello", client.get("/hello").body());
        }

        gateway.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertFalse(Files.exists(socket));
        assertThrows(ConnectException.class,
                () -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/hello")).build(), HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    void failsAsAWholeNamingTheAddress() throws Exception {
        Path socket = dir.resolve("gw.sock");
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            String busy = "tcp://127.0.0.1:" + taken.getLocalPort();
            ExecutionException e = assertThrows(ExecutionException.class, () -> Gateway.bind(system,
                    List.of(ListenAddress.parse("unix://" + socket), ListenAddress.parse(busy)), route()).toCompletableFuture().get(10, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertTrue(e.getCause().getMessage().startsWith("cannot listen on " + busy + ": "), e.getCause().getMessage());
        }
        assertFalse(Files.exists(socket), "the socket bound first is unbound again");
    }

    @Test
    void refusesBodiesOverOneMebibyte() throws Exception {
        Gateway gateway = Gateway.bind(system, List.of(ListenAddress.parse("tcp://127.0.0.1:0")), route()).toCompletableFuture().join();
        try {
            URI upload = URI.create("http" + gateway.boundAddresses().get(0).substring(3) + "/upload");
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> small = http.send(HttpRequest.newBuilder(upload).POST(HttpRequest.BodyPublishers.ofString("x".repeat(1000))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("got 1000", small.body());
            HttpResponse<String> large;
            try {
                large = http.send(HttpRequest.newBuilder(upload).POST(HttpRequest.BodyPublishers.ofByteArray(new byte[2 << 20])).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(413, large.statusCode(), large.body());
            } catch (IOException e) {
                // the server may answer 413 and close before the whole body is sent: refused either way
            }
        } finally {
            gateway.unbind().toCompletableFuture().join();
        }
    }

    @Test
    void gatewaySettingsLetRequestsWait() {
        ServerSettings settings = Gateway.serverSettings(system);
        assertFalse(settings.getTimeouts().idleTimeout().isFinite());
        assertFalse(settings.getTimeouts().requestTimeout().isFinite());
        assertEquals(1 << 20, settings.getParserSettings().getMaxContentLength());
        // Only the gateway's: pekko-http's own defaults stay for the embedding application.
        assertTrue(ServerSettings.create(system.classicSystem()).getTimeouts().idleTimeout().isFinite());
    }
}
