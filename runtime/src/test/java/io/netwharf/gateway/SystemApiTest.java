package io.netwharf.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** /_ping, /version, /info, API versions, Docker's headers and errors for what is not there; with the docker CLI. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SystemApiTest {
    private GatewayFixture gateway;

    @BeforeAll
    void start() throws Exception {
        gateway = new GatewayFixture();
    }

    @AfterAll
    void stop() throws Exception {
        gateway.close();
    }

    private static void assertDockerHeaders(GatewayFixture.Answer a) {
        assertEquals("1.51", a.header("Api-Version"));
        assertEquals("linux", a.header("Ostype"));
        assertEquals("false", a.header("Docker-Experimental"));
        assertEquals("netwharf/0.1.0 (linux)", a.header("Server"));
    }

    @Test
    void pingAnswersGetAndHeadWithDockersHeaders() {
        for (String method : new String[] {"GET", "HEAD"}) {
            GatewayFixture.Answer a = gateway.send(method, "/_ping", (String) null);
            assertEquals(200, a.status(), method);
            assertEquals(method.equals("GET") ? "OK" : "", a.body());
            assertDockerHeaders(a);
            assertEquals("no-cache, no-store, must-revalidate", a.header("Cache-Control"));
            assertEquals("no-cache", a.header("Pragma"));
            assertEquals("inactive", a.header("Swarm"));
            assertTrue(a.header("Content-Type").startsWith("text/plain"), a.header("Content-Type"));
        }
        assertEquals(200, gateway.get("/v1.41/_ping").status());
        assertEquals(200, gateway.get("/v1.24/_ping").status());
        assertEquals(200, gateway.get("/v1.51/_ping").status());
    }

    @Test
    void versionAndInfoSayWhatTheCliReads() throws Exception {
        JsonNode v = gateway.get("/v1.51/version").json();
        assertEquals("1.51", v.get("ApiVersion").asText());
        assertEquals("1.24", v.get("MinAPIVersion").asText());
        assertEquals("0.1.0", v.get("Version").asText());
        assertEquals("linux", v.get("Os").asText());
        assertEquals(Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim(), v.get("KernelVersion").asText());
        assertEquals("Engine", v.get("Components").get(0).get("Name").asText());
        assertEquals("1.51", v.get("Components").get(0).get("Details").get("ApiVersion").asText());

        GatewayFixture.Answer info = gateway.get("/info");
        assertDockerHeaders(info);
        JsonNode i = info.json();
        assertEquals(0, i.get("Containers").asInt());
        assertEquals("none", i.get("Driver").asText());
        assertEquals("inactive", i.get("Swarm").get("LocalNodeState").asText());
        assertEquals("[\"bridge\",\"host\",\"null\"]", i.get("Plugins").get("Network").toString());
        assertEquals(Runtime.getRuntime().availableProcessors(), i.get("NCPU").asInt());
        assertTrue(i.get("MemTotal").asLong() > 0);
        assertEquals("linux", i.get("OSType").asText());
        assertEquals(gateway.dataRoot.toString(), i.get("DockerRootDir").asText());
        assertFalse(i.get("LiveRestoreEnabled").asBoolean());
        assertTrue(i.get("Warnings").isArray() && i.get("Warnings").isEmpty());
    }

    @Test
    void versionsOutsideTheSupportedRangeAreRefused() {
        GatewayFixture.Answer old = gateway.get("/v1.12/networks");
        assertEquals(400, old.status());
        assertEquals("client version 1.12 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version", old.message());
        assertEquals("application/json", old.header("Content-Type"));
        assertDockerHeaders(old);
        assertEquals(400, gateway.get("/v1.5/_ping").status(), "1.5 < 1.24, compared as numbers");
        GatewayFixture.Answer young = gateway.get("/v1.52/_ping");
        assertEquals(400, young.status());
        assertEquals("client version 1.52 is too new. Maximum supported API version is 1.51", young.message());
        assertEquals(400, gateway.get("/v99999999999999999999999.1/_ping").status());
    }

    @Test
    void unknownPathsAndObjectsAre404sAsDockersAndWrongMethods405() {
        GatewayFixture.Answer page = gateway.get("/v1.51/nosuchthing");
        assertEquals(404, page.status());
        assertEquals("page not found", page.message());
        assertDockerHeaders(page);
        assertEquals("page not found", gateway.get("/nosuchthing/at/all").message());
        assertEquals("No such image: x:latest", gateway.get("/v1.51/images/x/json").message());
        assertEquals("get x: no such volume", gateway.get("/v1.51/volumes/x").message());
        assertEquals("plugin \"x\" not found", gateway.get("/v1.51/plugins/x/json").message());
        assertEquals(404, gateway.get("/v1.51/images/x/json").status());

        GatewayFixture.Answer method = gateway.send("PUT", "/v1.51/networks", "{}");
        assertEquals(405, method.status());
        assertEquals("application/json", method.header("Content-Type"));
        assertTrue(method.message().contains("GET"), method.message());
        assertDockerHeaders(method);
    }

    @Test
    void theDockerCliPrintsVersionAndInfo() {
        GatewayFixture.Cli version = gateway.docker("version");
        assertEquals(0, version.exit(), version.toString());
        assertTrue(version.out().contains("Server:") && version.out().contains("0.1.0") && version.out().contains("1.51"), version.toString());
        assertTrue(version.err().isBlank(), version.toString());

        GatewayFixture.Cli info = gateway.docker("info");
        assertEquals(0, info.exit(), info.toString());
        assertTrue(info.out().contains("Server Version: 0.1.0"), info.toString());
        assertTrue(info.out().contains("Docker Root Dir: " + gateway.dataRoot), info.toString());
        assertTrue(info.out().contains("Live Restore Enabled: false"), info.toString());
        assertTrue(info.err().isBlank(), info.toString());

        GatewayFixture.Cli format = gateway.docker("version", "--format", "{{.Server.APIVersion}}");
        assertEquals("1.51", format.out().trim(), format.toString());
    }
}
