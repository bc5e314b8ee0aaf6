package io.netwharf.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a web page can make a browser send, against the whole API on plain TCP 127.0.0.1: a cross-origin request
 * (with {@code Origin}), a DNS-rebinding request (its own name in {@code Host}) and a body that is not declared JSON
 * (what a page may post without asking first) are refused, and change nothing; what the docker CLI and the SDKs send
 * still works.
 */
class BrowserRequestsTest extends ApiTest {
    private static final String CREATE_ROOT_SHELL = """
            {"Image":"debian","Cmd":["/bin/sh","-c","id > /tmp/pwned"],"HostConfig":{"NetworkMode":"host"}}""";

    /** A raw HTTP/1.1 exchange, so that any Host header (or none) can be sent: status and body. */
    private record Raw(int status, String body) {
        String message() {
            try {
                return GatewayFixture.JSON.readTree(body).path("message").asText();
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    private Raw raw(String method, String path, String headers, String body) throws IOException {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        String request = method + " " + path + " HTTP/1.1\r\n" + headers
                + (content.length > 0 || method.equals("POST") ? "Content-Length: " + content.length + "\r\n" : "")
                + "Connection: close\r\n\r\n";
        try (Socket socket = new Socket("127.0.0.1", gateway.port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.write(content);
            out.flush();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(answer.substring(9, 12));
            int start = answer.indexOf("\r\n\r\n");
            return new Raw(status, start < 0 ? "" : answer.substring(start + 4));
        }
    }

    private GatewayFixture.Answer send(String method, String path, String contentType, String origin, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (origin != null) {
            request.header("Origin", origin);
        }
        HttpResponse<String> r = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new GatewayFixture.Answer(r.statusCode(), r.headers(), r.body());
    }

    /** What a refusal must leave as it was: the host's links, the containers and the networks. */
    private String state() {
        JsonNode containers = gateway.get("/containers/json?all=1").json();
        JsonNode networks = gateway.get("/networks").json();
        StringBuilder names = new StringBuilder();
        containers.forEach(c -> names.append(c.path("Names")).append(' '));
        networks.forEach(n -> names.append(n.path("Name").asText()).append(' '));
        return gateway.box.linkNames(gateway.box.host) + " | " + names;
    }

    @Test
    void aCrossOriginRequestIsRefusedAndChangesNothing() throws Exception {
        String before = state();
        for (String contentType : new String[] {"text/plain", "application/json", null}) {
            GatewayFixture.Answer create = send("POST", "/v1.51/containers/create?name=pwned", contentType, "http://evil.example",
                    CREATE_ROOT_SHELL);
            assertEquals(403, create.status(), create.body());
            assertEquals("cross-origin request refused (Origin: http://evil.example): the API does not serve web pages, "
                    + "and a page must not drive it", create.message());
        }
        GatewayFixture.Answer network = send("POST", "/networks/create", "application/json", "http://evil.example", "{\"Name\":\"evil\"}");
        assertEquals(403, network.status(), network.body());
        GatewayFixture.Answer start = send("POST", "/containers/pwned/start", "text/plain", "null", null);
        assertEquals(403, start.status(), "an opaque origin (a sandboxed page, a file) is refused too: " + start.body());
        GatewayFixture.Answer list = send("GET", "/containers/json?all=1", null, "http://evil.example", null);
        assertEquals(403, list.status(), "read too: " + list.body());
        assertEquals(before, state());
        assertEquals(404, gateway.get("/containers/pwned/json").status());
    }

    @Test
    void aDnsRebindingHostIsRefusedOnPlainTcp() throws Exception {
        String before = state();
        for (String host : List.of("evil.example:" + gateway.port, "evil.example", "127.0.0.1.evil.example", "localhost.evil.example")) {
            Raw list = raw("GET", "/containers/json", "Host: " + host + "\r\n", "");
            assertEquals(403, list.status(), host + ": " + list.body());
            assertTrue(list.message().startsWith("request refused: Host \"" + host.replace(":" + gateway.port, "")
                    + "\" is not a name this daemon answers to over plain TCP"), list.message());
            assertTrue(list.message().endsWith("use an IP address, localhost or the name it listens on (127.0.0.1), or serve TCP "
                    + "with TLS"), list.message());
        }
        Raw create = raw("POST", "/networks/create", "Host: evil.example:" + gateway.port + "\r\nContent-Type: application/json\r\n",
                "{\"Name\":\"rebound\"}");
        assertEquals(403, create.status(), create.body());
        assertEquals(before, state());

        // What clients send: the CLI the address it dialled, docker-py and docker-java "localhost" or the host:port
        // they dialled, the CLI over a Unix socket "api.moby.localhost" (older ones "docker").
        for (String host : List.of("127.0.0.1:" + gateway.port, "localhost:" + gateway.port, "LOCALHOST", "localhost.",
                "api.moby.localhost", "docker", "[::1]:" + gateway.port, "10.1.2.3:2375",
                java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).strip())) {
            Raw ping = raw("GET", "/_ping", "Host: " + host + "\r\n", "");
            assertEquals(200, ping.status(), host + ": " + ping.body());
        }
    }

    @Test
    void aBodyNotDeclaredJsonIsRefusedInMobysWords() throws Exception {
        String before = state();
        GatewayFixture.Answer plain = send("POST", "/v1.51/networks/create", "text/plain", null, "{\"Name\":\"plain\"}");
        assertEquals(400, plain.status(), plain.body());
        assertEquals("unsupported Content-Type header (text/plain): must be 'application/json'", plain.message());
        GatewayFixture.Answer form = send("POST", "/containers/create?name=form", "application/x-www-form-urlencoded", null,
                CREATE_ROOT_SHELL);
        assertEquals(400, form.status(), form.body());
        assertEquals("unsupported Content-Type header (application/x-www-form-urlencoded): must be 'application/json'", form.message());
        Raw none = raw("POST", "/networks/create", "Host: localhost\r\n", "{\"Name\":\"none\"}");
        assertEquals(400, none.status(), none.body());
        assertEquals("unsupported Content-Type header (none or application/octet-stream): must be 'application/json'", none.message());
        GatewayFixture.Answer connect = send("POST", "/networks/bridge/connect", "text/plain", null, "{\"Container\":\"x\"}");
        assertEquals(400, connect.status(), connect.body());
        assertEquals(before, state());

        // JSON with a charset is JSON; a route without a body takes Go's client's "text/plain" on an empty body.
        GatewayFixture.Answer json = send("POST", "/networks/create", "application/json; charset=utf-8", null, "{\"Name\":\"utf8\"}");
        assertEquals(201, json.status(), json.body());
        GatewayFixture.Answer created = send("POST", "/containers/create?name=quiet", "application/json", null,
                "{\"Image\":\"debian\",\"HostConfig\":{\"NetworkMode\":\"none\"}}");
        assertEquals(201, created.status(), created.body());
        GatewayFixture.Answer start = send("POST", "/containers/quiet/start", "text/plain", null, null);
        assertEquals(204, start.status(), start.body());
    }
}
