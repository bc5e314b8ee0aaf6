package io.netwharf.gateway;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Request bodies whose framing is broken, written byte by byte on TCP and on the Unix socket: each is the client's
 * fault, answered with a 4xx in Docker's JSON, never a 500, and creates nothing; so are bodies that are not one
 * JSON value in UTF-8. Needs root; runs in CI.
 */
class BodyFramingApiTest extends ApiTest {
    private static final String HEAD = "POST /v1.51/networks/create HTTP/1.1\r\nHost: localhost\r\n"
            + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    private static final String BODY = "{\"Name\":\"framed\"}";

    private interface Listener {
        RawHttp connect() throws IOException;
    }

    private List<Listener> listeners() {
        return List.of(() -> RawHttp.tcp(gateway.port), () -> RawHttp.unix(gateway.socket));
    }

    private List<String> networks() {
        List<String> names = new ArrayList<>();
        gateway.get("/v1.51/networks").json().forEach(n -> names.add(n.get("Name").asText()));
        return names;
    }

    private static void refused(int status, String messageStart, RawHttp.Response r) throws IOException {
        assertEquals(status, r.status(), r.body());
        String message = GatewayFixture.JSON.readTree(r.body()).path("message").asText();
        assertTrue(message.startsWith(messageStart), message);
    }

    @Test
    void wellFormedChunksAreReadWhole() throws IOException {
        for (Listener listener : listeners()) {
            try (RawHttp c = listener.connect()) {
                c.write(HEAD + "5\r\n{\"Nam\r\n" + Integer.toHexString(BODY.length() - 5) + ";ext=1\r\n" + BODY.substring(5) + "\r\n0\r\n\r\n");
                RawHttp.Response r = c.response(Duration.ofSeconds(10));
                assertEquals(201, r.status(), r.body());
            }
            gateway.send("DELETE", "/v1.51/networks/framed", (String) null);
        }
    }

    @Test
    void aBadChunkSizeOrALongExtensionIsA400() throws IOException {
        List<String> before = networks();
        for (Listener listener : listeners()) {
            for (String broken : List.of(
                    HEAD + "zz\r\n" + BODY + "\r\n0\r\n\r\n",
                    HEAD + "-1\r\n" + BODY + "\r\n0\r\n\r\n",
                    HEAD + "fffffffffffffffff\r\n" + BODY + "\r\n0\r\n\r\n",
                    HEAD + Integer.toHexString(BODY.length()) + ";" + "x".repeat(10_000) + "\r\n" + BODY + "\r\n0\r\n\r\n",
                    // the size first, then a bad one after a good chunk, in a later packet
                    HEAD + "5\r\n{\"Nam\r\n")) {
                try (RawHttp c = listener.connect()) {
                    c.write(broken);
                    if (broken.endsWith("{\"Nam\r\n")) {
                        c.write("q\r\n" + BODY + "\r\n0\r\n\r\n");
                    }
                    refused(400, "invalid request body: ", c.response(Duration.ofSeconds(10)));
                }
            }
        }
        assertEquals(before, networks());
    }

    @Test
    void aBodyCutShortIsA400AndOneThatStopsArrivingA408() throws Exception {
        List<String> before = networks();
        for (Listener listener : listeners()) {
            try (RawHttp c = listener.connect()) {
                c.write(HEAD + "40\r\n" + BODY).shutdownOutput();
                RawHttp.Response r = c.response(Duration.ofSeconds(10));
                // The server may close as soon as the client does (no half-close, as pekko-http's TCP server): if
                // it still answers, it answers 400.
                if (r != null) {
                    refused(400, "invalid request body: Entity stream truncation", r);
                }
            }
        }
        // A body that stops arriving, on both listeners at once: answered when the body's read times out.
        List<CompletableFuture<RawHttp.Response>> stalled = new ArrayList<>();
        List<RawHttp> open = new ArrayList<>();
        for (Listener listener : listeners()) {
            RawHttp c = listener.connect();
            open.add(c);
            c.write(HEAD + "40\r\n" + BODY);
            stalled.add(CompletableFuture.supplyAsync(() -> c.response(Duration.ofSeconds(60))));
        }
        try {
            for (CompletableFuture<RawHttp.Response> f : stalled) {
                RawHttp.Response r = f.get();
                refused(408, "the request body did not arrive within 30 s", r);
                assertTrue(r.after().compareTo(Duration.ofSeconds(40)) < 0, "answered after " + r.after());
            }
        } finally {
            for (RawHttp c : open) {
                c.close();
            }
        }
        assertEquals(before, networks());
    }

    @Test
    void aByteOrderMarkOrASecondObjectIsRefusedAndCreatesNothing() {
        List<String> before = networks();
        for (String body : List.of("\uFEFF" + BODY, BODY + "{\"Name\":\"second\"}")) {
            GatewayFixture.Answer a = gateway.post("/v1.51/networks/create", body);
            assertEquals(400, a.status(), a.body());
            assertTrue(a.message().startsWith("invalid JSON: "), a.message());
        }
        assertEquals(before, networks());
    }

    @Test
    void aRequestTooMalformedForARouteIsRefusedInDockersJson() throws IOException {
        for (Listener listener : listeners()) {
            try (RawHttp c = listener.connect()) {
                c.write("GET /v1.51/networks?filters=" + "x".repeat(3_000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
                refused(414, "URI length exceeds the configured limit", c.response(Duration.ofSeconds(10)));
            }
            try (RawHttp c = listener.connect()) {
                c.write("GET /_ping HTTP/1.1\r\nHost: localhost\r\nX-Long: " + "x".repeat(20_000) + "\r\n\r\n");
                RawHttp.Response r = c.response(Duration.ofSeconds(10));
                assertEquals(431, r.status(), r.body());
                assertTrue(GatewayFixture.JSON.readTree(r.body()).path("message").asText().contains("header"), r.body());
            }
        }
    }
}
