package io.netwharf.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code docker rename} and {@code docker events} with the docker CLI, unchanged: the name everywhere (list, inspect,
 * lookups, the embedded DNS of a process in another container), the events of a container's life and its network's
 * in Docker's order, given again by {@code --since}/{@code --until} and filtered as Docker filters them, a stream that
 * stays open and receives a new event, and the JSON as Docker writes it. Needs root and the docker CLI; runs in CI.
 */
class EventsAndRenameTest extends ApiTest {
    private static final String FORMAT = "{{.Type}} {{.Action}} {{.Actor.Attributes.name}}";
    /** Resolves each name given through the C library (so through the resolv.conf netwharf wrote), one line each. */
    private static final String RESOLVE = """
            import socket, sys
            for name in sys.argv[1:]:
                try:
                    print(socket.gethostbyname(name))
                except OSError:
                    print("unknown")
            """;

    /** A time as the docker CLI sends it: Unix seconds and nanoseconds. */
    private static String unix(Instant t) {
        return t.getEpochSecond() + "." + String.format("%09d", t.getNano());
    }

    @Test
    void renameChangesTheNameEverywhereAndRefusesAsDocker() throws Exception {
        gateway.ok("network", "create", "--subnet", "10.78.0.0/24", "front");
        String id = gateway.ok("run", "-d", "--name", "web", "--network", "front", "--network-alias", "www", "debian", "sleep", "300");
        String address = gateway.ok("inspect", "-f", "{{.NetworkSettings.Networks.front.IPAddress}}", "web");
        gateway.ok("create", "--name", "other", "debian", "true");

        assertEquals("", gateway.ok("rename", "web", "site"));
        assertEquals("/site", gateway.ok("inspect", "-f", "{{.Name}}", id));
        assertEquals(List.of("other", "site"), gateway.ok("ps", "-a", "--format", "{{.Names}}").lines().sorted().toList());
        assertEquals(id, gateway.ok("inspect", "-f", "{{.Id}}", "site"));
        assertTrue(gateway.docker("inspect", "web").err().contains("No such object: web"));

        GatewayFixture.Cli taken = gateway.docker("rename", "site", "other");
        assertNotEquals(0, taken.exit());
        assertTrue(taken.err().contains("Error when allocating new name: Conflict. The container name \"/other\" is already in use by "
                + "container \"" + gateway.ok("inspect", "-f", "{{.Id}}", "other") + "\""), taken.err());
        assertTrue(gateway.docker("rename", "site", "bad/name").err().contains("Invalid container name (/bad/name)"));
        assertTrue(gateway.docker("rename", "site", "site").err().contains("Renaming a container with the same name as its current name"));
        assertTrue(gateway.docker("rename", "nosuch", "x").err().contains("No such container: nosuch"));
        assertEquals("/site", gateway.ok("inspect", "-f", "{{.Name}}", id), "the refusals changed nothing");

        // Another container on the network finds it by its new name, its alias and its short id, no longer by the old.
        gateway.ok("run", "-d", "--name", "probe", "--network", "front", "debian", "python3", "-c", RESOLVE,
                "web", "site", "www", id.substring(0, 12));
        assertEquals("0", gateway.ok("wait", "probe"));
        assertEquals(List.of("unknown", address, address, address), gateway.ok("logs", "probe").lines().toList());
    }

    @Test
    void eventsGivesTheLifeOfAContainerAndItsNetworkAgainAndFiltersItAsDocker() throws Exception {
        String since = unix(Instant.now());
        gateway.ok("network", "create", "--subnet", "10.79.0.0/24", "front");
        String id = gateway.ok("create", "--name", "web", "--network", "front", "--label", "tier=web", "debian", "sleep", "300");
        String networkId = gateway.ok("network", "inspect", "-f", "{{.Id}}", "front");
        gateway.ok("start", "web");
        gateway.ok("rename", "web", "site");
        gateway.ok("stop", "-t", "5", "site");
        gateway.ok("rm", "site");
        gateway.ok("network", "rm", "front");
        String until = unix(Instant.now());

        assertEquals(List.of(
                "network create front",
                "container create web",
                "network connect front",
                "container start web",
                "container rename site",
                "container kill site",
                "network disconnect front",
                "container die site",
                "container stop site",
                "container destroy site",
                "network destroy front"), events("--since", since, "--until", until, "--format", FORMAT));

        assertEquals(List.of("die 143"), events("--since", since, "--until", until, "--filter", "type=container",
                "--filter", "event=die", "--filter", "event=nothing", "--format", "{{.Action}} {{.Actor.Attributes.exitCode}}"));
        assertEquals(List.of("kill 15"), events("--since", since, "--until", until, "--filter", "event=kill", "--format",
                "{{.Action}} {{.Actor.Attributes.signal}}"));
        assertEquals(List.of("rename /web"), events("--since", since, "--until", until, "--filter", "event=rename", "--format",
                "{{.Action}} {{.Actor.Attributes.oldName}}"));
        // By id (or a prefix): its own events, not its network's (whose name is the network's), as Docker.
        List<String> ofContainer = List.of("create", "start", "rename", "kill", "die", "stop", "destroy");
        assertEquals(ofContainer, events("--since", since, "--until", until, "--filter", "container=" + id.substring(0, 10),
                "--format", "{{.Action}}"));
        assertEquals(ofContainer, events("--since", since, "--until", until, "--filter", "label=tier=web", "--format", "{{.Action}}"));
        assertEquals(ofContainer, events("--since", since, "--until", until, "--filter", "image=debian", "--format",
                "{{.Action}}"));
        assertEquals(List.of("create <no value>", "connect " + id, "disconnect " + id, "destroy <no value>"), events("--since", since, "--until", until,
                "--filter", "network=front", "--format", "{{.Action}} {{.Actor.Attributes.container}}"));
        assertEquals(List.of("create " + networkId + " bridge"), events("--since", since, "--until", until, "--filter",
                "network=" + networkId, "--filter", "event=create", "--format", "{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.type}}"));
        assertEquals(List.of(), events("--since", until, "--until", until, "--format", FORMAT), "nothing after the last");
        assertTrue(gateway.docker("events", "--since", until, "--until", since).err()
                .contains("cannot be after `until` time"));
    }

    /** {@code docker events args...}: its lines, once it has ended (at {@code --until}). */
    private List<String> events(String... args) {
        List<String> command = new ArrayList<>(List.of("events"));
        command.addAll(List.of(args));
        String out = gateway.ok(command.toArray(String[]::new));
        return out.isEmpty() ? List.of() : out.lines().toList();
    }

    @Test
    void aStreamStaysOpenAndReceivesNewEvents() throws Exception {
        Path out = Files.createTempFile("netwharf-events-", ".txt");
        Process stream = gateway.dockerCommand("events", "--format", FORMAT).redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            // Subscribed once an event made after it started arrives (no sleep to guess when).
            int probes = 0;
            while (!Files.readString(out).contains("network create probe")) {
                assertTrue(probes < 50, "no event reached the stream: " + Files.readString(out));
                gateway.ok("network", "create", "probe" + probes++);
                Thread.sleep(100);
            }
            gateway.ok("run", "-d", "--name", "live", "debian", "sleep", "300");
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!Files.readString(out).contains("container start live") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(Files.readString(out).contains("container create live\nnetwork connect bridge\ncontainer start live\n"),
                    Files.readString(out));
            assertTrue(stream.isAlive(), "the stream stays open without --until");
        } finally {
            stream.destroy();
            stream.waitFor();
            Files.deleteIfExists(out);
        }
    }

    @Test
    void dockerPyRenamesAndReadsEventsWithSinceAndUntil() throws Exception {
        Process python = new ProcessBuilder("python3", "-c", """
                import docker, sys, time
                c = docker.DockerClient(base_url="unix://" + sys.argv[1])
                since = time.time()
                ct = c.containers.create("debian", ["sleep", "300"], name="pyweb", labels={"from": "py"})
                ct.rename("pysite")
                ct.reload()
                print(ct.name)
                ct.remove(force=True)
                until = time.time()
                for e in c.events(since=since, until=until, decode=True, filters={"label": "from=py"}):
                    print(e["status"], e["Actor"]["Attributes"]["name"], e["Actor"]["Attributes"].get("oldName", "-"))
                """, gateway.socket.toString()).redirectErrorStream(true).start();
        assertTrue(python.waitFor(60, TimeUnit.SECONDS));
        String out = new String(python.getInputStream().readAllBytes());
        assertEquals(0, python.exitValue(), out);
        assertEquals(List.of("pysite", "create pyweb -", "rename pysite /pyweb", "destroy pysite -"), out.lines().toList());
    }

    @Test
    void theJsonIsDockersAndBadQueriesAreRefused() throws Exception {
        Instant since = Instant.now();
        assertEquals(200, gateway.post("/v1.51/images/create?fromImage=alpine&tag=3", null).status());
        String id = gateway.ok("run", "-d", "--name", "c1", "--label", "app=x", "debian", "sh", "-c", "exit 3");
        assertEquals("3", gateway.ok("wait", "c1"));
        assertEquals(200, gateway.send("DELETE", "/v1.51/images/alpine:3", (String) null).status());
        GatewayFixture.Answer answer = gateway.get("/v1.51/events?since=" + unix(since) + "&until=" + unix(Instant.now()));
        assertEquals(200, answer.status());
        assertEquals("application/json", answer.header("Content-Type"));
        List<JsonNode> all = answer.body().lines().map(line -> {
            try {
                return GatewayFixture.JSON.readTree(line);
            } catch (Exception e) {
                throw new AssertionError("not one JSON object per line: " + line, e);
            }
        }).toList();

        JsonNode pull = all.get(0);
        assertEquals(List.of("status", "id", "Type", "Action", "Actor", "scope", "time", "timeNano"), names(pull));
        assertEquals("pull", pull.get("status").asText());
        assertEquals("alpine:3", pull.get("id").asText());
        assertEquals("image", pull.get("Type").asText());
        assertEquals(Map.of("name", "alpine"), GatewayFixture.JSON.convertValue(pull.at("/Actor/Attributes"), Map.class));

        JsonNode die = all.stream().filter(e -> e.path("Action").asText().equals("die")).findFirst().orElseThrow();
        assertEquals(List.of("status", "id", "from", "Type", "Action", "Actor", "scope", "time", "timeNano"), names(die));
        assertEquals(id, die.get("id").asText());
        assertEquals(id, die.at("/Actor/ID").asText());
        assertEquals("debian", die.get("from").asText());
        assertEquals("local", die.get("scope").asText());
        assertEquals(die.get("timeNano").asLong() / 1_000_000_000L, die.get("time").asLong());
        assertEquals(List.of("app", "execDuration", "exitCode", "image", "name"), names(die.at("/Actor/Attributes")),
                "sorted by name, as Go writes a map");
        assertEquals("3", die.at("/Actor/Attributes/exitCode").asText());

        JsonNode connect = all.stream().filter(e -> e.path("Action").asText().equals("connect")).findFirst().orElseThrow();
        assertEquals(List.of("Type", "Action", "Actor", "scope", "time", "timeNano"), names(connect));
        assertEquals(List.of("container", "name", "type"), names(connect.at("/Actor/Attributes")));
        assertEquals("bridge", connect.at("/Actor/Attributes/name").asText());

        List<String> imageEvents = all.stream().filter(e -> e.path("Type").asText().equals("image"))
                .map(e -> e.get("Action").asText() + " " + e.at("/Actor/ID").asText().startsWith("sha256:")).toList();
        assertEquals(List.of("pull false", "untag true", "delete true"), imageEvents);

        assertEquals(400, gateway.get("/v1.51/events" + filters("{\"colour\":[\"red\"]}")).status());
        assertEquals("invalid filter 'colour'", gateway.get("/v1.51/events" + filters("{\"colour\":[\"red\"]}")).message());
        assertEquals("invalid since timestamp: failed to parse value as time or duration: \"yesterday\"",
                gateway.get("/v1.51/events?since=yesterday").message());
        assertEquals(400, gateway.get("/v1.51/events?since=2&until=1").status());
        // RFC 3339, as an API client may send it: a span in the past gives the events in it and ends.
        assertEquals(answer.body(), gateway.get("/v1.51/events?since=" + since + "&until=" + Instant.ofEpochSecond(0,
                all.get(all.size() - 1).get("timeNano").asLong())).body());
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> i = object.fieldNames(); i.hasNext(); ) {
            names.add(i.next());
        }
        return names;
    }
}
