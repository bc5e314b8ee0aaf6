package io.netwharf.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Images of a runtime that runs processes on the host's filesystem, through the API and the docker CLI: a pull makes a
 * name known at once (downloading nothing, and saying so in Docker's progress stream), inspect, list and remove work
 * on known names, and a create needs one. Needs root and the kernel (a throwaway host namespace); runs in CI.
 */
class ImagesApiTest extends ApiTest {
    private static final String ALPINE_ID = sha256("docker.io/library/alpine:3.19");

    @Test
    void aPullAnswersDockersProgressStreamAtOnceAndTheNameIsThenKnown() {
        assertEquals(404, gateway.get("/v1.51/images/alpine:3.19/json").status());

        GatewayFixture.Answer pulled = gateway.post("/v1.51/images/create?fromImage=alpine&tag=3.19", null);
        assertEquals(200, pulled.status(), pulled.body());
        List<JsonNode> lines = jsonLines(pulled.body());
        assertEquals("Pulling from library/alpine", lines.get(0).path("status").asText());
        assertEquals("3.19", lines.get(0).path("id").asText());
        assertTrue(lines.stream().anyMatch(l -> l.path("status").asText().contains("Nothing to download")), pulled.body());
        assertTrue(lines.stream().noneMatch(l -> l.has("error")), pulled.body());
        assertTrue(lines.get(lines.size() - 1).path("status").asText().startsWith("Status: "), pulled.body());

        GatewayFixture.Answer again = gateway.post("/v1.51/images/create?fromImage=alpine:3.19", null);
        assertTrue(again.body().contains("Status: Image is up to date for alpine:3.19"), again.body());

        JsonNode image = gateway.get("/v1.51/images/alpine:3.19/json").json();
        assertEquals(ALPINE_ID, image.get("Id").asText(), "the id is derived from the normalised name");
        assertEquals("[\"alpine:3.19\"]", image.get("RepoTags").toString());
        assertEquals("linux", image.get("Os").asText());
        assertFalse(image.get("Architecture").asText().isEmpty());
        assertTrue(image.get("Config").get("Env").get(0).asText().startsWith("PATH=/usr/local/sbin:"), image.toString());
        assertEquals(0, image.get("Size").asInt());
        // Every spelling of the name, the id and a short id find it; slashes are part of a name.
        for (String name : new String[] {"docker.io/library/alpine:3.19", "library/alpine:3.19", ALPINE_ID,
                ALPINE_ID.substring(7), ALPINE_ID.substring(7, 19)}) {
            assertEquals(ALPINE_ID, gateway.get("/v1.51/images/" + name + "/json").json().get("Id").asText(), name);
        }

        JsonNode list = gateway.get("/v1.51/images/json").json();
        assertTrue(list.findValuesAsText("Id").contains(ALPINE_ID), list.toString());
        assertTrue(list.toString().contains("\"RepoTags\":[\"alpine:3.19\"]"), list.toString());
    }

    @Test
    void aCreateNeedsAPulledImageAndInspectCarriesItsIdAndName() {
        GatewayFixture.Answer unknown = gateway.post("/v1.51/containers/create?name=c1", "{\"Image\":\"alpine:3.19\"}");
        assertEquals(404, unknown.status(), unknown.body());
        assertEquals("No such image: alpine:3.19", unknown.message());
        assertEquals(400, gateway.post("/v1.51/containers/create?name=c1", "{\"Image\":\"Alpine\"}").status());

        assertEquals(200, gateway.post("/v1.51/images/create?fromImage=alpine&tag=3.19", null).status());
        assertEquals(201, gateway.post("/v1.51/containers/create?name=c1", "{\"Image\":\"alpine:3.19\"}").status());
        JsonNode inspect = gateway.get("/v1.51/containers/c1/json").json();
        assertEquals(ALPINE_ID, inspect.get("Image").asText());
        assertEquals("alpine:3.19", inspect.get("Config").get("Image").asText());
        JsonNode summary = gateway.get("/v1.51/containers/json?all=1").json().get(0);
        assertEquals(ALPINE_ID, summary.get("ImageID").asText());
        assertEquals("alpine:3.19", summary.get("Image").asText());
    }

    @Test
    void anImageInUseIsRemovedOnlyByForceAsInDocker() {
        assertEquals(200, gateway.post("/v1.51/images/create?fromImage=alpine&tag=3.19", null).status());
        String id = gateway.post("/v1.51/containers/create?name=user", "{\"Image\":\"alpine:3.19\"}").json().get("Id").asText();

        GatewayFixture.Answer conflict = gateway.send("DELETE", "/v1.51/images/alpine:3.19", (String) null);
        assertEquals(409, conflict.status(), conflict.body());
        assertEquals("conflict: unable to remove repository reference \"alpine:3.19\" (must force) - container " + id.substring(0, 12)
                + " is using its referenced image " + ALPINE_ID.substring(7, 19), conflict.message());
        assertEquals(200, gateway.get("/v1.51/images/alpine:3.19/json").status(), "a refused removal leaves the image");

        assertEquals(204, gateway.send("DELETE", "/v1.51/containers/user", (String) null).status());
        GatewayFixture.Answer removed = gateway.send("DELETE", "/v1.51/images/alpine:3.19", (String) null);
        assertEquals(200, removed.status(), removed.body());
        assertEquals("[{\"Untagged\":\"alpine:3.19\"},{\"Deleted\":\"" + ALPINE_ID + "\"}]", removed.json().toString());
        assertEquals(404, gateway.get("/v1.51/images/alpine:3.19/json").status());
        assertEquals(404, gateway.send("DELETE", "/v1.51/images/alpine:3.19", (String) null).status());

        // Forced, the name goes while a container made from it stays, with its image name and id.
        assertEquals(200, gateway.post("/v1.51/images/create?fromImage=alpine&tag=3.19", null).status());
        assertEquals(201, gateway.post("/v1.51/containers/create?name=kept", "{\"Image\":\"alpine:3.19\"}").status());
        assertEquals(200, gateway.send("DELETE", "/v1.51/images/alpine:3.19?force=1", (String) null).status());
        assertEquals(ALPINE_ID, gateway.get("/v1.51/containers/kept/json").json().get("Image").asText());
    }

    @Test
    void whatAPullCannotHonourIsRefusedBeforeAnythingIsKept() {
        assertEquals("invalid reference format: repository name (library/Alpine) must be lowercase",
                gateway.post("/v1.51/images/create?fromImage=Alpine", null).message());
        GatewayFixture.Answer digest = gateway.post("/v1.51/images/create?fromImage=alpine&tag=sha256:" + "a".repeat(64), null);
        assertEquals(400, digest.status());
        assertTrue(digest.message().contains("by digest"), digest.message());
        GatewayFixture.Answer platform = gateway.post("/v1.51/images/create?fromImage=alpine&platform=windows/amd64", null);
        assertEquals(400, platform.status());
        assertTrue(platform.message().contains("windows/amd64"), platform.message());
        assertEquals(501, gateway.post("/v1.51/images/create?fromSrc=-&repo=alpine", null).status());
        assertEquals(400, gateway.post("/v1.51/images/create", null).status());
        assertFalse(gateway.get("/v1.51/images/json").body().contains("alpine"), "nothing refused was kept");
    }

    @Test
    void theDockerCliPullsListsInspectsRemovesAndRunPullsByItself() {
        GatewayFixture.Cli run = gateway.docker("run", "-d", "--name", "auto", "busybox:1.36", "true");
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.err().contains("Unable to find image 'busybox:1.36' locally"), run.toString());
        assertEquals(sha256("docker.io/library/busybox:1.36"), gateway.ok("inspect", "-f", "{{.Image}}", "auto"));

        String pulled = gateway.ok("pull", "alpine:3.19");
        assertTrue(pulled.contains("Nothing to download") && pulled.endsWith("docker.io/library/alpine:3.19"), pulled);
        assertTrue(gateway.ok("image", "ls", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}")
                .contains("alpine:3.19 " + ALPINE_ID.substring(7, 19)));
        assertEquals(ALPINE_ID + " linux", gateway.ok("image", "inspect", "-f", "{{.Id}} {{.Os}}", "alpine:3.19"));

        // Filters: by name (a glob, with or without the tag), dangling (none is), anything else refused by name.
        assertEquals("alpine:3.19", gateway.ok("image", "ls", "--format", "{{.Repository}}:{{.Tag}}", "alpine"));
        assertEquals("alpine:3.19", gateway.ok("image", "ls", "--format", "{{.Repository}}:{{.Tag}}", "--filter", "reference=a*:3.*"));
        assertEquals("", gateway.ok("image", "ls", "-q", "--filter", "dangling=true"));
        assertTrue(gateway.docker("image", "ls", "--filter", "before=debian").err().contains("invalid filter 'before'"));

        GatewayFixture.Cli inUse = gateway.docker("rmi", "busybox:1.36");
        assertNotEquals(0, inUse.exit());
        assertTrue(inUse.err().contains("is using its referenced image"), inUse.toString());
        assertTrue(gateway.ok("rmi", "alpine:3.19").contains("Deleted: " + ALPINE_ID));
        assertTrue(gateway.docker("image", "inspect", "alpine:3.19").err().contains("No such image"));
    }

    private static List<JsonNode> jsonLines(String body) {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : body.split("\r\n")) {
            if (!line.isBlank()) {
                lines.add(new GatewayFixture.Answer(200, null, line).json());
            }
        }
        return lines;
    }

    private static String sha256(String text) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
