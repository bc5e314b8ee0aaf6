package io.netwharf.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netwharf.kernel.Netns;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.netwharf.runtime.RuntimeFixture.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad requests on the container side of the Docker API, over HTTP: each gets Docker's 4xx (and message where Docker's
 * is known) and changes nothing — the container list, the network list, the addresses in use, the kernel's
 * namespaces and links, the engine's data root. Also the framing of {@code logs}. Needs root; runs in CI.
 */
class ContainersApiTest extends ApiTest {
    // ---- helpers -------------------------------------------------------------------------------------------------

    private static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private GatewayFixture.Answer create(String name, String body) {
        return gateway.post("/v1.51/containers/create" + (name == null ? "" : "?name=" + q(name)), body);
    }

    private String created(String name, String body) {
        GatewayFixture.Answer a = create(name, body);
        assertEquals(201, a.status(), a.body());
        return a.json().get("Id").asText();
    }

    private void started(String container) {
        GatewayFixture.Answer a = gateway.post("/v1.51/containers/" + container + "/start", null);
        assertEquals(204, a.status(), a.body());
    }

    private JsonNode inspect(String container) {
        GatewayFixture.Answer a = gateway.get("/v1.51/containers/" + container + "/json");
        assertEquals(200, a.status(), a.body());
        return a.json();
    }

    private String state(String container) {
        return inspect(container).get("State").get("Status").asText();
    }

    /** What a refusal must leave alone: containers (less their human status), networks, bridge addresses, data root. */
    private String snapshot() {
        GatewayFixture.Answer containers = gateway.get("/v1.51/containers/json?all=1");
        assertEquals(200, containers.status(), containers.body());
        List<String> shown = new ArrayList<>();
        containers.json().forEach(c -> shown.add(((ObjectNode) c.deepCopy()).without("Status").toString()));
        GatewayFixture.Answer networks = gateway.get("/v1.51/networks");
        assertEquals(200, networks.status(), networks.body());
        List<String> nets = new ArrayList<>();
        networks.json().forEach(n -> nets.add(n.get("Name").asText() + "=" + n.get("Id").asText()));
        return "containers " + shown + "\nnetworks " + nets + "\nbridge addresses " + await(gateway.netwharf.addressesInUse("bridge"))
                + "\ndata " + containerDirectories();
    }

    private List<String> containerDirectories() {
        Path dir = gateway.dataRoot.resolve("containers");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends the request, expects {@code status} (and {@code message} when not null), and that nothing changed. */
    private GatewayFixture.Answer refused(int status, String message, String method, String path, String body) {
        String before = snapshot();
        GatewayFixture.Answer a = gateway.send(method, path, body);
        assertEquals(status, a.status(), () -> method + " " + path + ": " + a.body());
        if (status != 304) {
            assertEquals("application/json", a.header("Content-Type"), method + " " + path);
            if (message != null) {
                assertEquals(message, a.message(), method + " " + path);
            }
        }
        assertEquals(before, snapshot(), () -> method + " " + path + " changed something");
        return a;
    }

    private GatewayFixture.Answer refusedCreate(int status, String name, String body) {
        return refused(status, null, "POST", "/v1.51/containers/create" + (name == null ? "" : "?name=" + q(name)), body);
    }

    private List<String> namespaces() {
        try {
            return gateway.runtime.namespaces();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> links(String container) {
        String key = inspect(container).get("NetworkSettings").get("SandboxKey").asText();
        try (Netns ns = Netns.open(Path.of(key))) {
            return gateway.box.linkNames(ns);
        }
    }

    // ---- create --------------------------------------------------------------------------------------------------

    @Test
    void createRefusesBadBodiesAndNamesAndChangesNothing() {
        String web = created("web", "{\"Image\":\"debian\"}");

        assertTrue(refusedCreate(400, null, "{\"Image\":").message().startsWith("invalid JSON"));
        refusedCreate(400, null, "not json at all");
        refusedCreate(400, null, "");
        refusedCreate(400, null, "null");
        refusedCreate(400, null, "[\"Image\"]");
        for (String[] wrong : new String[][] {{"Cmd", "5"}, {"HostConfig", "\"x\""}, {"Env", "{\"a\":1}"}, {"Labels", "[1]"},
                {"Image", "7"}, {"Tty", "\"yes\""}, {"NetworkingConfig", "[]"}}) {
            GatewayFixture.Answer a = refusedCreate(400, null, "{\"Image\":\"debian\",\"" + wrong[0] + "\":" + wrong[1] + "}");
            assertTrue(a.message().contains(wrong[0]), wrong[0] + ": " + a.message());
        }
        for (String[] wrong : new String[][] {{"Cmd", "[null]"}, {"Entrypoint", "[\"sh\",null]"}, {"Env", "[null]"},
                {"Labels", "{\"a\":null}"}, {"Cmd", "[[\"sh\"]]"}}) {
            GatewayFixture.Answer a = refusedCreate(400, null, "{\"Image\":\"debian\",\"" + wrong[0] + "\":" + wrong[1] + "}");
            assertTrue(a.message().contains(wrong[0]), wrong[0] + ": " + a.message());
        }
        GatewayFixture.Answer alias = refusedCreate(400, null,
                "{\"Image\":\"debian\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"bridge\":{\"Aliases\":[null]}}}}");
        assertTrue(alias.message().contains("Aliases"), alias.message());
        GatewayFixture.Answer nested = refusedCreate(400, null, "{\"Image\":\"debian\",\"HostConfig\":{\"NetworkMode\":5}}");
        assertTrue(nested.message().contains("HostConfig.NetworkMode"), nested.message());

        assertTrue(refusedCreate(400, null, "{}").message().contains("Image is required"));
        refusedCreate(400, null, "{\"Image\":\"\",\"Cmd\":[\"true\"]}");

        for (String name : List.of("../../etc", "a", "x/y", "..", ".", "/..", "-x", "a b", "web\n")) {
            GatewayFixture.Answer a = refusedCreate(400, name, "{\"Image\":\"debian\"}");
            assertTrue(a.message().startsWith("Invalid container name ("), a.message());
        }
        assertEquals(List.of(web), containerDirectories(), "no directory for a refused name");
        assertTrue(Files.notExists(gateway.dataRoot.resolve("etc")) && Files.notExists(gateway.dataRoot.getParent().resolve("etc")));

        refused(409, "Conflict. The container name \"/web\" is already in use by container \"" + web
                        + "\". You have to remove (or rename) that container to be able to reuse that name.",
                "POST", "/v1.51/containers/create?name=web", "{\"Image\":\"debian\"}");
        refusedCreate(409, "/web", "{\"Image\":\"debian\"}");

        String huge = "{\"Image\":\"debian\",\"Labels\":{\"x\":\"" + "a".repeat((int) DockerJson.MAX_BODY) + "\"}}";
        GatewayFixture.Answer tooLarge = refusedCreate(413, "big", huge);
        assertTrue(tooLarge.message().contains("too large"), tooLarge.message());

        GatewayFixture.Answer ports = refusedCreate(400, "p", "{\"Image\":\"debian\",\"HostConfig\":{\"PortBindings\":"
                + "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8080\"}]}}}");
        assertTrue(ports.message().contains("PortBindings") && ports.message().contains("-p"), ports.message());
        assertTrue(refusedCreate(400, "p", "{\"Image\":\"debian\",\"HostConfig\":{\"PublishAllPorts\":true}}").message().contains("-P"));
        GatewayFixture.Answer tty = refusedCreate(400, "t", "{\"Image\":\"debian\",\"Tty\":true}");
        assertTrue(tty.message().contains("Tty"), tty.message());

        refused(400, "cannot join own network namespace", "POST", "/v1.51/containers/create?name=self",
                "{\"Image\":\"debian\",\"HostConfig\":{\"NetworkMode\":\"container:self\"}}");
        refusedCreate(400, "c", "{\"Image\":\"debian\",\"HostConfig\":{\"NetworkMode\":\"container:\"}}");
        refusedCreate(400, "h", "{\"Image\":\"debian\",\"HostConfig\":{\"NetworkMode\":\"host\"},"
                + "\"NetworkingConfig\":{\"EndpointsConfig\":{\"bridge\":{}}}}");

        // Unknown fields of any type are ignored, as Docker ignores those of other API versions.
        String other = created("other", "{\"Image\":\"debian\",\"Hostname\":7,\"SomethingNew\":{\"a\":[1,{\"b\":null}]},"
                + "\"Volumes\":null,\"Healthcheck\":\"x\",\"StopTimeout\":true,"
                + "\"HostConfig\":{\"Memory\":\"lots\",\"NetworkMode\":\"bridge\",\"Binds\":5},"
                + "\"NetworkingConfig\":{\"Extra\":1,\"EndpointsConfig\":{\"bridge\":{\"SomethingNew\":[],\"Links\":7}}}}");
        assertEquals("created", state(other));
        // A field netwharf takes (an endpoint's MAC) with a value of the wrong type is refused, naming it.
        refusedCreate(400, "mac", "{\"Image\":\"debian\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"bridge\":{\"MacAddress\":[]}}}}");
        assertEquals(204, gateway.send("DELETE", "/v1.51/containers/other", (String) null).status());
        assertEquals(List.of(web), containerDirectories());
        assertEquals(List.of(), namespaces(), "creating touches no namespace");
    }

    // ---- unknown ids, traversal, prefixes --------------------------------------------------------------------------

    @Test
    void unknownContainersAre404OnEveryEndpointAndTraversalTouchesNothing() {
        String web = created("web", "{\"Image\":\"debian\"}");
        String[][] endpoints = {{"GET", "/json"}, {"POST", "/start"}, {"POST", "/stop"}, {"POST", "/kill"}, {"POST", "/restart"},
                {"POST", "/wait"}, {"GET", "/logs?stdout=1&stderr=1"}, {"DELETE", ""}, {"DELETE", "?force=1"}};
        String nearMiss = web.substring(0, 12) + (web.charAt(12) == '0' ? "1" : "0"); // a prefix of no container
        for (String name : List.of("x", "nosuchctr", nearMiss, "/nosuch")) {
            for (String[] e : endpoints) {
                refused(404, "No such container: " + name, e[0], "/v1.51/containers/" + q(name) + e[1], null);
            }
        }
        for (String[] e : endpoints) {
            refused(404, "No such container: ../../etc", e[0], "/v1.51/containers/..%2F..%2Fetc" + e[1], null);
            refused(404, null, e[0], "/v1.51/containers/../../etc" + e[1], null);
            refused(404, null, e[0], "/containers/..%2F..%2F..%2F..%2Ftmp" + e[1], null);
        }
        assertEquals(List.of(web), containerDirectories());
        assertEquals("created", state(web));

        // An ambiguous id prefix: among 17 ids, two share their first digit.
        Map<Character, String> byFirst = new HashMap<>();
        String ambiguous = null;
        for (int i = 0; ambiguous == null; i++) {
            String id = created("c" + i, "{\"Image\":\"debian\"}");
            String earlier = byFirst.putIfAbsent(id.charAt(0), id);
            if (earlier != null || id.charAt(0) == web.charAt(0)) {
                ambiguous = id.substring(0, 1);
            }
        }
        for (String[] e : endpoints) {
            refused(400, "multiple IDs found with provided prefix: " + ambiguous, e[0], "/v1.51/containers/" + ambiguous + e[1], null);
        }
    }

    // ---- lifecycle refusals ----------------------------------------------------------------------------------------

    @Test
    void startRefusalsLeaveTheContainerCreatedAndTheKernelAlone() {
        created("lost", "{\"Image\":\"debian\",\"HostConfig\":{\"NetworkMode\":\"nosuchnet\"}}");
        refused(404, "network nosuchnet not found", "POST", "/v1.51/containers/lost/start", null);
        assertEquals("created", state("lost"));
        assertEquals(List.of(), namespaces());

        created("other", "{\"Image\":\"debian\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"nosuchnet\":{}}}}");
        refused(404, "network nosuchnet not found", "POST", "/v1.51/containers/other/start", null);
        assertEquals("created", state("other"));
        assertEquals(List.of(), namespaces(), "the bridge endpoint made before the failure is gone too");

        created("fixed", "{\"Image\":\"debian\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"bridge\":"
                + "{\"IPAMConfig\":{\"IPv4Address\":\"172.17.0.99\"}}}}}");
        refused(400, "user specified IP address is supported on user defined networks only", "POST", "/v1.51/containers/fixed/start", null);
        assertEquals("created", state("fixed"));

        created("owner", "{\"Image\":\"debian\"}");
        created("joiner", "{\"Image\":\"debian\",\"HostConfig\":{\"NetworkMode\":\"container:owner\"}}");
        refused(409, null, "POST", "/v1.51/containers/joiner/start", null);
        created("orphan", "{\"Image\":\"debian\",\"HostConfig\":{\"NetworkMode\":\"container:nosuchctr\"}}");
        refused(404, "No such container: nosuchctr", "POST", "/v1.51/containers/orphan/start", null);
        assertEquals("created", state("joiner"));
        assertEquals(List.of(), namespaces());

        // A running one: asked again, or removed without force.
        started("owner");
        assertEquals(1, namespaces().size());
        refused(304, null, "POST", "/v1.51/containers/owner/start", null);
        refused(409, null, "DELETE", "/v1.51/containers/owner", null);
        refused(409, null, "DELETE", "/v1.51/containers/owner?force=0", null);
        assertEquals("running", state("owner"));
        refused(400, "Invalid signal: FOO", "POST", "/v1.51/containers/owner/kill?signal=FOO", null);
        refused(400, "Invalid signal: 99", "POST", "/v1.51/containers/owner/kill?signal=99", null);
        refused(400, null, "POST", "/v1.51/containers/owner/stop?signal=SIGNOPE", null);
        refused(400, null, "POST", "/v1.51/containers/owner/stop?t=abc", null);
        refused(400, null, "POST", "/v1.51/containers/owner/restart?t=1.5", null);
        refused(400, null, "POST", "/v1.51/containers/owner/wait?condition=bogus", null);
        assertEquals("running", state("owner"));
        assertEquals(1, namespaces().size());

        // A stopped one.
        assertEquals(204, gateway.post("/v1.51/containers/owner/stop?t=1", null).status());
        assertEquals("exited", state("owner"));
        refused(304, null, "POST", "/v1.51/containers/owner/stop", null);
        refused(409, null, "POST", "/v1.51/containers/owner/kill", null);
        refused(409, null, "POST", "/v1.51/containers/lost/kill", null);
        assertEquals(List.of(), namespaces());

        // Listing with bad filters.
        refused(400, null, "GET", "/v1.51/containers/json?all=1&filters=" + q("{\"name\":"), null);
        refused(400, null, "GET", "/v1.51/containers/json?filters=" + q("[\"name\"]"), null);
        refused(400, null, "GET", "/v1.51/containers/json?filters=" + q("{\"nosuchkey\":[\"x\"]}"), null);
        refused(400, null, "GET", "/v1.51/containers/json?filters=" + q("{\"status\":[\"sleeping\"]}"), null);
        refused(400, null, "GET", "/v1.51/containers/json?filters=" + q("{\"name\":[\"(\"]}"), null);
        refused(400, null, "GET", "/v1.51/containers/json?limit=many", null);
    }

    // ---- connect and disconnect ------------------------------------------------------------------------------------

    @Test
    void refusedConnectsAndDisconnectsLeaveEndpointsAlone() {
        assertEquals(201, gateway.post("/v1.51/networks/create", "{\"Name\":\"n1\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.36.0.0/24\"}]}}").status());
        String ca = created("ca", "{\"Image\":\"debian\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"n1\":"
                + "{\"IPAMConfig\":{\"IPv4Address\":\"10.36.0.50\"}}}}}");
        created("cb", "{\"Image\":\"debian\"}");
        created("idle", "{\"Image\":\"debian\"}");
        started("ca");
        started("cb");
        String caNetworks = inspect("ca").get("NetworkSettings").get("Networks").toString();
        String cbNetworks = inspect("cb").get("NetworkSettings").get("Networks").toString();
        String idleConfig = inspect("idle").get("NetworkSettings").get("Networks").toString();
        List<String> caLinks = links("ca");
        List<String> cbLinks = links("cb");
        assertEquals(3, caLinks.size(), caLinks.toString());
        int n1InUse = await(gateway.netwharf.addressesInUse("n1"));

        Runnable unchanged = () -> {
            assertEquals(caNetworks, inspect("ca").get("NetworkSettings").get("Networks").toString());
            assertEquals(cbNetworks, inspect("cb").get("NetworkSettings").get("Networks").toString());
            assertEquals(idleConfig, inspect("idle").get("NetworkSettings").get("Networks").toString());
            assertEquals(caLinks, links("ca"));
            assertEquals(cbLinks, links("cb"));
            assertEquals(n1InUse, await(gateway.netwharf.addressesInUse("n1")));
            assertEquals(2, namespaces().size());
        };

        refused(403, "endpoint with name ca already exists in network n1", "POST", "/v1.51/networks/n1/connect", "{\"Container\":\"ca\"}");
        refused(403, "endpoint with name ca already exists in network n1", "POST", "/v1.51/networks/n1/connect",
                "{\"Container\":\"" + ca + "\",\"EndpointConfig\":{\"IPAMConfig\":{\"IPv4Address\":\"10.36.0.60\"}}}");
        refused(403, "endpoint with name ca already exists in network bridge", "POST", "/v1.51/networks/bridge/connect", "{\"Container\":\"ca\"}");
        unchanged.run();
        // Docker's message, followed by which address and where.
        GatewayFixture.Answer inUse = refused(403, null, "POST", "/v1.51/networks/n1/connect",
                "{\"Container\":\"cb\",\"EndpointConfig\":{\"IPAMConfig\":{\"IPv4Address\":\"10.36.0.50\"}}}");
        assertTrue(inUse.message().startsWith("Address already in use"), inUse.message());
        unchanged.run();
        GatewayFixture.Answer outside = refused(400, null, "POST", "/v1.51/networks/n1/connect",
                "{\"Container\":\"cb\",\"EndpointConfig\":{\"IPAMConfig\":{\"IPv4Address\":\"10.99.0.5\"}}}");
        assertTrue(outside.status() >= 400 && outside.status() < 500, outside.body());
        refused(400, null, "POST", "/v1.51/networks/n1/connect",
                "{\"Container\":\"cb\",\"EndpointConfig\":{\"IPAMConfig\":{\"IPv4Address\":\"not-an-ip\"}}}");
        refused(400, null, "POST", "/v1.51/networks/n1/connect", "{\"Container\":5}");
        refused(400, null, "POST", "/v1.51/networks/n1/connect", "{\"Container\":\"cb\",\"EndpointConfig\":{\"Aliases\":[null]}}");
        refused(400, null, "POST", "/v1.51/networks/n1/connect", "{\"Container\":\"cb\",\"EndpointConfig\":\"x\"}");
        refused(400, null, "POST", "/v1.51/networks/n1/connect", "{\"Container\":");
        unchanged.run();
        refused(404, "No such container: nosuchctr", "POST", "/v1.51/networks/n1/connect", "{\"Container\":\"nosuchctr\"}");
        refused(404, "No such container: ../../etc", "POST", "/v1.51/networks/n1/connect", "{\"Container\":\"../../etc\"}");
        refused(404, "network nosuchnet not found", "POST", "/v1.51/networks/nosuchnet/connect", "{\"Container\":\"cb\"}");
        unchanged.run();

        // Docker answers 500 here; nothing failed, so netwharf refuses with 403, running or not.
        GatewayFixture.Answer notConnected = refused(403, null, "POST", "/v1.51/networks/n1/disconnect", "{\"Container\":\"cb\"}");
        assertEquals("container " + inspect("cb").get("Id").asText() + " is not connected to network n1", notConnected.message());
        GatewayFixture.Answer idleNotConnected = refused(403, null, "POST", "/v1.51/networks/n1/disconnect",
                "{\"Container\":\"idle\",\"Force\":true}");
        assertEquals("container " + inspect("idle").get("Id").asText() + " is not connected to network n1", idleNotConnected.message());
        refused(404, "No such container: nosuchctr", "POST", "/v1.51/networks/n1/disconnect", "{\"Container\":\"nosuchctr\"}");
        unchanged.run();

        // Not running: refused the same, and nothing remembered for the next start.
        refused(403, "endpoint with name idle already exists in network bridge", "POST", "/v1.51/networks/bridge/connect",
                "{\"Container\":\"idle\"}");
        created("lone", "{\"Image\":\"debian\",\"HostConfig\":{\"NetworkMode\":\"n1\"}}");
        String lone = inspect("lone").get("NetworkSettings").get("Networks").toString();
        refused(400, "user specified IP address is supported on user defined networks only", "POST", "/v1.51/networks/bridge/connect",
                "{\"Container\":\"lone\",\"EndpointConfig\":{\"IPAMConfig\":{\"IPv4Address\":\"172.17.0.99\"}}}");
        assertEquals(lone, inspect("lone").get("NetworkSettings").get("Networks").toString());
        unchanged.run();
    }

    // ---- logs ------------------------------------------------------------------------------------------------------

    @Test
    void logsAreMultiplexedWithDockersHeaders() {
        created("talker", "{\"Image\":\"debian\",\"Cmd\":[\"sh\",\"-c\",\"echo out; echo out2; echo err >&2\"]}");
        started("talker");
        GatewayFixture.Answer waited = gateway.post("/v1.51/containers/talker/wait", null);
        assertEquals(200, waited.status(), waited.body());
        assertEquals(0, waited.json().get("StatusCode").asInt());

        GatewayFixture.Answer logs = gateway.get("/v1.51/containers/talker/logs?stdout=1&stderr=1");
        assertEquals(200, logs.status(), logs.body());
        assertEquals("application/vnd.docker.multiplexed-stream", logs.header("Content-Type"));
        assertArrayEquals(concat(frame(1, "out\n"), frame(1, "out2\n"), frame(2, "err\n")), bytes(logs));
        assertArrayEquals(concat(frame(1, "out2\n"), frame(2, "err\n")),
                bytes(gateway.get("/v1.51/containers/talker/logs?stdout=1&stderr=1&tail=1")));
        assertArrayEquals(frame(2, "err\n"), bytes(gateway.get("/v1.51/containers/talker/logs?stderr=true")));
        assertArrayEquals(new byte[0], bytes(gateway.get("/v1.51/containers/talker/logs?stdout=1&tail=0")));

        refused(400, "Bad parameters: you must choose at least one stream", "GET", "/v1.51/containers/talker/logs", null);
        refused(400, "Bad parameters: you must choose at least one stream", "GET", "/v1.51/containers/talker/logs?stdout=0&stderr=false", null);
        GatewayFixture.Answer follow = refused(400, null, "GET", "/v1.51/containers/talker/logs?stdout=1&follow=1", null);
        assertTrue(follow.message().contains("follow"), follow.message());
        refused(400, null, "GET", "/v1.51/containers/talker/logs?stdout=1&tail=some", null);
    }

    /** The body's bytes: the headers are below 0x80, so the client's UTF-8 decoding kept them. */
    private static byte[] bytes(GatewayFixture.Answer answer) {
        assertEquals(200, answer.status(), answer.body());
        return answer.body().getBytes(StandardCharsets.UTF_8);
    }

    /** Docker's frame, byte by byte: stream, three zeros, big-endian length, payload. */
    private static byte[] frame(int stream, String payload) {
        byte[] p = payload.getBytes(StandardCharsets.UTF_8);
        byte[] f = new byte[8 + p.length];
        f[0] = (byte) stream;
        f[4] = (byte) (p.length >>> 24);
        f[5] = (byte) (p.length >>> 16);
        f[6] = (byte) (p.length >>> 8);
        f[7] = (byte) p.length;
        System.arraycopy(p, 0, f, 8, p.length);
        return f;
    }

    private static byte[] concat(byte[]... parts) {
        byte[] all = new byte[0];
        for (byte[] p : parts) {
            int at = all.length;
            all = Arrays.copyOf(all, at + p.length);
            System.arraycopy(p, 0, all, at, p.length);
        }
        return all;
    }
}
