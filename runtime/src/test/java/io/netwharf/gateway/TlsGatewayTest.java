package io.netwharf.gateway;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.server.Route;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TCP with dockerd's TLS settings, over real connections: mutual TLS lets a client with a certificate from the CA in
 * and fails the handshake of one without (or with another CA's); TLS without verification serves any client; a
 * listener on a non-loopback address without client authentication is refused unless the user opted out
 * explicitly, and then warns. The non-loopback address is one this test puts on a bridge of the test JVM's own
 * throwaway network namespace.
 */
class TlsGatewayTest {
    /** An address of the documentation range, on a bridge made in the test JVM's namespace. */
    private static final String OUTSIDE = "192.0.2.1";
    private static final String BRIDGE = "nwtls0";
    private static ActorSystem<Void> system;
    private static TestCertificates certificates;

    @TempDir
    static Path dir;

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();

    @BeforeAll
    static void start() throws Exception {
        system = ActorSystem.create(Behaviors.empty(), "tls-gateway-test");
        certificates = new TestCertificates(dir);
        ip("link", "add", BRIDGE, "type", "bridge");
        ip("addr", "add", OUTSIDE + "/24", "dev", BRIDGE);
        ip("link", "set", BRIDGE, "up");
    }

    @AfterAll
    static void stop() throws Exception {
        ip("link", "del", BRIDGE);
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().join();
    }

    @BeforeEach
    void captureWarnings() {
        log.start();
        ((Logger) LoggerFactory.getLogger(Gateway.class)).addAppender(log);
    }

    @AfterEach
    void stopCapturing() {
        ((Logger) LoggerFactory.getLogger(Gateway.class)).detachAppender(log);
    }

    private static Route route() {
        return path("hello", () -> get(() -> complete("hello")));
    }

    private static Gateway bind(String address, TlsOptions tls) {
        return Gateway.bind(system, List.of(ListenAddress.parse(address)), route(), tls).toCompletableFuture().join();
    }

    private static int port(Gateway gateway) {
        String bound = gateway.boundAddresses().get(0);
        return Integer.parseInt(bound.substring(bound.lastIndexOf(':') + 1));
    }

    private static HttpResponse<String> hello(String scheme, String host, int port, SSLContext tls) throws IOException, InterruptedException {
        HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (tls != null) {
            client.sslContext(tls);
        }
        return client.build().send(HttpRequest.newBuilder(URI.create(scheme + "://" + host + ":" + port + "/hello"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<String> warnings() {
        return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void mutualTlsLetsInOnlyClientsWithACertificateFromTheCa() throws Exception {
        Gateway gateway = bind("tcp://127.0.0.1:0", certificates.server(true));
        try {
            int port = port(gateway);
            HttpResponse<String> answer = hello("https", "127.0.0.1", port, certificates.clientWithCertificate());
            assertEquals(200, answer.statusCode());
            assertEquals("hello", answer.body());
            assertEquals("hello", hello("https", "localhost", port, certificates.clientWithCertificate()).body());

            assertThrows(IOException.class, () -> hello("https", "127.0.0.1", port, certificates.clientWithoutCertificate()),
                    "no client certificate: the handshake fails");
            assertThrows(IOException.class, () -> hello("https", "127.0.0.1", port, certificates.clientWithStrangersCertificate()),
                    "a certificate from another CA: the handshake fails");
            assertThrows(IOException.class, () -> hello("http", "127.0.0.1", port, null), "no plain HTTP on a TLS port");
            assertEquals(List.of(), warnings(), "mutual TLS: nothing to warn about");
        } finally {
            gateway.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void tlsWithoutVerificationServesClientsWithoutACertificate() throws Exception {
        Gateway gateway = bind("tcp://127.0.0.1:0", certificates.server(false));
        try {
            assertEquals("hello", hello("https", "127.0.0.1", port(gateway), certificates.clientWithoutCertificate()).body());
            assertTrue(warnings().stream().anyMatch(w -> w.contains("without --tlsverify is insecure")), warnings().toString());
        } finally {
            gateway.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aPkcs8KeyWorksAndBadFilesAreRefusedNamingThem() throws Exception {
        TlsOptions pkcs8 = new TlsOptions(true, true, certificates.caCert, certificates.serverCert, certificates.serverKeyAsPkcs8());
        Gateway gateway = bind("tcp://127.0.0.1:0", pkcs8);
        try {
            assertEquals("hello", hello("https", "127.0.0.1", port(gateway), certificates.clientWithCertificate()).body());
        } finally {
            gateway.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }

        Path missing = dir.resolve("missing.pem");
        String message = refused("tcp://127.0.0.1:0", new TlsOptions(true, true, certificates.caCert, certificates.serverCert, missing));
        assertTrue(message.contains("invalid TLS configuration: could not read key file \"" + missing + "\""), message);
        message = refused("tcp://127.0.0.1:0", new TlsOptions(true, true, certificates.caCert, certificates.serverCert, certificates.clientKey));
        assertTrue(message.contains("does not match the public key of certificate"), message);
        message = refused("tcp://127.0.0.1:0", new TlsOptions(true, true, missing, certificates.serverCert, certificates.serverKey));
        assertTrue(message.contains("could not read CA certificate file \"" + missing + "\""), message);
        Path notPem = Files.writeString(dir.resolve("not.pem"), "hello\n");
        message = refused("tcp://127.0.0.1:0", new TlsOptions(true, true, certificates.caCert, notPem, certificates.serverKey));
        assertTrue(message.contains("no PEM certificate in certificate file \"" + notPem + "\""), message);
    }

    @Test
    void nonLoopbackWithoutClientAuthenticationIsRefusedUnlessTheUserOptsOutExplicitly() throws Exception {
        for (String address : List.of("tcp://0.0.0.0:0", "tcp://" + OUTSIDE + ":0")) {
            String message = refused(address, TlsOptions.notGiven());
            assertTrue(message.startsWith("cannot listen on " + address + ": refusing to serve " + address
                    + " without TLS client authentication"), message);
            assertTrue(message.contains("--tls=false or --tlsverify=false"), message);
            message = refused(address, new TlsOptions(null, null, certificates.caCert, certificates.serverCert, certificates.serverKey));
            assertTrue(message.contains("refusing to serve"), "--tlscert alone turns nothing on: " + message);
        }

        // --tls=false, explicitly: served, with dockerd's warnings and netwharf's own.
        Gateway open = bind("tcp://" + OUTSIDE + ":0", new TlsOptions(false, null, certificates.caCert, certificates.serverCert,
                certificates.serverKey));
        try {
            assertEquals("hello", hello("http", OUTSIDE, port(open), null).body());
            List<String> warned = warnings();
            assertTrue(warned.stream().anyMatch(w -> w.contains("gives root access on this machine to everyone")), warned.toString());
            assertTrue(warned.stream().anyMatch(w -> w.contains("because --tls=false was given")), warned.toString());
        } finally {
            open.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        // --tlsverify=false: TLS without client certificates, explicitly.
        Gateway serverTlsOnly = bind("tcp://0.0.0.0:0", certificates.server(false));
        serverTlsOnly.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
        // Mutual TLS needs no opt-out.
        Gateway mutual = bind("tcp://" + OUTSIDE + ":0", certificates.server(true));
        mutual.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void loopbackWithoutTlsIsServedWithDockerdsWarnings() throws Exception {
        Gateway gateway = bind("tcp://localhost:0", TlsOptions.notGiven());
        try {
            assertEquals("hello", hello("http", "127.0.0.1", port(gateway), null).body());
            assertTrue(warnings().stream().anyMatch(w -> w.contains("can also give access to scripts run in a browser")), warnings().toString());
        } finally {
            gateway.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static String refused(String address, TlsOptions tls) {
        CompletionException e = assertThrows(CompletionException.class, () -> bind(address, tls));
        assertTrue(e.getCause() instanceof IllegalStateException, e.getCause().toString());
        return e.getCause().getMessage();
    }

    private static void ip(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(command + " failed: " + out);
        }
    }
}
