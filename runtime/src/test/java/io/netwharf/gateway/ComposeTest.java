package io.netwharf.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Debian's docker-compose (1.29) against netwharf, unchanged, as a new user runs it: a two-service application (web:
 * python3's http.server; client: a loop fetching web's page and printing the status) brought up with {@code up -d},
 * listed with {@code ps}, read with {@code logs}, and taken down with {@code down}, which leaves no container and no
 * network; and a three-service one in the foreground, with exec, run and followed logs. Compose pulls the image first ({@code GET /images/debian/json} 404, then {@code POST /images/create}).
 * The daemon runs in this JVM on a throwaway host namespace ({@link GatewayFixture}); the containers' processes run on
 * this machine's filesystem, serving a page from a temporary folder. Needs root and the kernel; runs in CI (scripts/test
 * installs docker-compose).
 */
class ComposeTest extends ApiTest {
    private static final String PAGE = "hello from web";
    /** Not the fixture's image: compose must find it missing and pull it. */
    private static final String IMAGE = "debian:bookworm";
    /** The client's loop: one line per fetch, "fetched 200 hello from web" or "failed: why". */
    private static final String FETCH_LOOP = "while true; do python3 -c 'import sys, urllib.request as u; r = u.urlopen(sys.argv[1], timeout=2); "
            + "print(\"fetched\", r.status, r.read().decode().strip(), flush=True)' %s 2>&1 | tail -1; sleep 0.3; done";

    @TempDir
    Path dir;

    /**
     * Issue 14's acceptance: the client reaches {@code web} by its service name (the embedded DNS), and the host
     * reaches web through the published port {@code 18080:8000} at 127.0.0.1 (of the daemon's host namespace).
     */
    @Test
    void theClientReachesWebByItsServiceNameAndTheHostThroughAPublishedPort() throws Exception {
        Path project = project("""
                version: "2.4"
                services:
                  web:
                    image: %s
                    working_dir: %s
                    command: ["python3", "-m", "http.server", "8000"]
                    ports: ["18080:8000"]
                  client:
                    image: %s
                    command: ["sh", "-c", %s]
                    depends_on: [web]
                """.formatted(IMAGE, dir, IMAGE, quoted(FETCH_LOOP.formatted("http://web:8000/"))));
        List<String> hostLinks = gateway.box.linkNames(gateway.box.host);
        GatewayFixture.Cli up = compose(project, "up", "-d");
        assertEquals(0, up.exit(), up.toString());

        assertAll("issue 14",
                () -> assertTrue(eventually(() -> clientLog(project).contains("fetched 200 " + PAGE)),
                        () -> "the client fetched web's page by the service name web:\n" + clientLog(project)),
                () -> assertTrue(eventually(() -> fromHost("http://127.0.0.1:18080/").contains(PAGE)),
                        () -> "the host fetched web's page on the published port: " + fromHost("http://127.0.0.1:18080/")),
                () -> assertRunning(project));
        // Docker's DNSNames on the project's network: the container's name, compose's alias (the service), the short id.
        String web = compose(project, "ps", "-q", "web").out().strip();
        String names = gateway.ok("inspect", "-f", "{{range .NetworkSettings.Networks}}{{json .DNSNames}}{{end}}", web);
        assertTrue(names.contains("\"web\"") && names.contains("\"" + web.substring(0, 12) + "\""), names);
        assertTakenDown(project, hostLinks);
    }

    /** Compose's own calls, without what issue 14 adds: the client reaches web by a static address on the project's network. */
    @Test
    void composeBringsUpListsAndTakesDownAnApplicationOnItsOwnNetwork() throws Exception {
        Path project = project("""
                version: "2.4"
                services:
                  web:
                    image: %s
                    working_dir: %s
                    command: ["python3", "-m", "http.server", "8000"]
                    networks:
                      back:
                        ipv4_address: 10.231.0.10
                  client:
                    image: %s
                    command: ["sh", "-c", %s]
                    networks: [back]
                    depends_on: [web]
                networks:
                  back:
                    ipam:
                      config:
                        - subnet: 10.231.0.0/24
                """.formatted(IMAGE, dir, IMAGE, quoted(FETCH_LOOP.formatted("http://10.231.0.10:8000/"))));
        List<String> hostLinks = gateway.box.linkNames(gateway.box.host);
        GatewayFixture.Cli up = compose(project, "up", "-d");
        assertEquals(0, up.exit(), up.toString());
        assertTrue(up.err().contains("Pulling web"), () -> "compose pulled the image it did not find: " + up);
        assertTrue(gateway.ok("image", "ls", "--format", "{{.Repository}}:{{.Tag}}").contains(IMAGE));

        assertRunning(project);
        assertTrue(eventually(() -> clientLog(project).contains("fetched 200 " + PAGE)), () -> clientLog(project));
        JsonNode web = gateway.get("/v1.51/containers/nwapp_web_1/json").json();
        assertEquals("10.231.0.10", web.at("/NetworkSettings/Networks/nwapp_back/IPAddress").asText(), web.toString());
        assertTrue(web.at("/NetworkSettings/Networks/nwapp_back/Aliases").toString().contains("\"web\""), "compose's alias: " + web);
        assertEquals("nwapp", web.at("/Config/Labels/com.docker.compose.project").asText());

        GatewayFixture.Cli again = compose(project, "up", "-d");
        assertEquals(0, again.exit(), again.toString());
        assertTrue(again.err().contains("nwapp_web_1 is up-to-date"), "an unchanged service is left as it is: " + again);
        assertTakenDown(project, hostLinks);
    }

    /**
     * Issue 15's compose acceptance: three services talking by name, brought up in the foreground (bounded: the client
     * exits, {@code --exit-code-from} stops the others), then {@code up -d}, {@code exec -T}, {@code run --rm},
     * {@code logs -f} (bounded by {@code timeout}) and {@code down}.
     */
    @Test
    void threeServicesInTheForegroundThenExecRunAndFollowedLogs() throws Exception {
        Path project = project("""
                version: "2.4"
                services:
                  web:
                    image: %s
                    working_dir: %s
                    command: ["python3", "-m", "http.server", "8000"]
                  api:
                    image: %s
                    working_dir: %s
                    command: ["python3", "-m", "http.server", "8001"]
                  client:
                    image: %s
                    command: ["sh", "-c", %s]
                    depends_on: [web, api]
                """.formatted(IMAGE, dir, IMAGE, dir, IMAGE, quoted(
                "for s in web:8000 api:8001; do for i in 1 2 3 4 5 6 7 8 9 10; do python3 -c 'import sys, urllib.request as u; "
                        + "r = u.urlopen(sys.argv[1], timeout=2); print(\"fetched\", sys.argv[1], r.status, flush=True)' "
                        + "http://$$s/ 2>/dev/null && break; sleep 0.3; done; done"))); // $$: compose interpolates $
        List<String> hostLinks = gateway.box.linkNames(gateway.box.host);
        GatewayFixture.Cli up = compose(project, "up", "--exit-code-from", "client");
        assertEquals(0, up.exit(), up.toString());
        assertTrue(up.out().contains("fetched http://web:8000/ 200") && up.out().contains("fetched http://api:8001/ 200"),
                () -> "the foreground up shows the client's output, which reached both by name: " + up);

        assertEquals(0, compose(project, "up", "-d", "web", "api").exit());
        String api = gateway.ok("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", "nwapp_api_1");
        GatewayFixture.Cli exec = compose(project, "exec", "-T", "web", "getent", "hosts", "api");
        assertTrue(exec.exit() == 0 && exec.out().startsWith(api + " "), exec.toString());
        GatewayFixture.Cli run = compose(project, "run", "--rm", "client");
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.out().contains("fetched http://api:8001/ 200"), run.toString());
        List<String> command = new ArrayList<>(List.of("timeout", "3", "docker-compose", "--ansi", "never", "-p", "nwapp", "-f",
                project.toString(), "logs", "-f", "--no-color", "web"));
        GatewayFixture.Cli followed = run(command, pb -> {
            pb.environment().keySet().removeIf(k -> k.startsWith("DOCKER_") || k.startsWith("COMPOSE_"));
            pb.environment().put("DOCKER_HOST", "unix://" + gateway.socket);
        });
        assertEquals(124, followed.exit(), () -> "still following when the timeout ended it: " + followed);
        assertTrue(followed.out().contains("\"GET / HTTP/1.1\" 200"), followed.toString());
        GatewayFixture.Cli top = compose(project, "top", "web");
        assertTrue(top.exit() == 0 && top.out().contains("python3 -m http.server 8000"), top.toString());

        // A change of the file recreates the service (compose renames the old container first), and so does --force-recreate.
        String before = gateway.ok("inspect", "-f", "{{.Id}}", "nwapp_web_1");
        Files.writeString(project, Files.readString(project).replace("\"8000\"]", "\"8000\"]\n    environment: [CHANGED=1]"));
        GatewayFixture.Cli changed = compose(project, "up", "-d", "web");
        assertEquals(0, changed.exit(), changed.toString());
        assertTrue(changed.err().contains("Recreating nwapp_web_1"), changed.toString());
        String recreated = gateway.ok("inspect", "-f", "{{.Id}}", "nwapp_web_1");
        assertTrue(!recreated.equals(before) && gateway.ok("exec", "nwapp_web_1", "sh", "-c", "echo $CHANGED").equals("1"), recreated);
        GatewayFixture.Cli forced = compose(project, "up", "-d", "--force-recreate", "web");
        assertEquals(0, forced.exit(), forced.toString());
        assertTrue(!gateway.ok("inspect", "-f", "{{.Id}}", "nwapp_web_1").equals(recreated), "recreated again");
        assertTrue(compose(project, "exec", "-T", "api", "getent", "hosts", "web").exit() == 0, "the new web answers by name");
        assertTakenDown(project, hostLinks);
    }

    private String clientLog(Path project) {
        return compose(project, "logs", "--no-color", "client").out();
    }

    private void assertRunning(Path project) {
        GatewayFixture.Cli ps = compose(project, "ps");
        assertEquals(0, ps.exit(), ps.toString());
        for (String service : new String[] {"nwapp_web_1", "nwapp_client_1"}) {
            assertTrue(ps.out().lines().anyMatch(l -> l.startsWith(service) && l.contains(" Up ")), ps.toString());
        }
    }

    /**
     * {@code down} stops and removes both containers and the project's network, and nothing of them is left: not in
     * the API, and no link in the host namespace ({@code hostLinks}: those before {@code up}).
     */
    private void assertTakenDown(Path project, List<String> hostLinks) {
        GatewayFixture.Cli down = compose(project, "down");
        assertEquals(0, down.exit(), down.toString());
        assertEquals("[]", gateway.get("/v1.51/containers/json?all=1").body().strip());
        JsonNode networks = gateway.get("/v1.51/networks").json();
        assertFalse(networks.findValuesAsText("Name").stream().anyMatch(n -> n.startsWith("nwapp_")), networks.toString());
        assertEquals(hostLinks, gateway.box.linkNames(gateway.box.host), "no bridge and no veth end left");
    }

    /** Writes the compose file and the page web serves into the test's folder. */
    private Path project(String composeFile) throws IOException {
        Files.writeString(dir.resolve("index.html"), PAGE + "\n");
        return Files.writeString(dir.resolve("docker-compose.yml"), composeFile);
    }

    /** A YAML double-quoted string. */
    private static String quoted(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Runs {@code docker-compose -p nwapp -f <file> args...} against the gateway's socket, with a timeout. */
    private GatewayFixture.Cli compose(Path file, String... args) {
        List<String> command = new ArrayList<>(List.of("docker-compose", "--ansi", "never", "-p", "nwapp", "-f", file.toString()));
        command.addAll(List.of(args));
        return run(command, pb -> {
            pb.environment().keySet().removeIf(k -> k.startsWith("DOCKER_") || k.startsWith("COMPOSE_"));
            pb.environment().put("DOCKER_HOST", "unix://" + gateway.socket);
        });
    }

    /** What the host (the daemon's namespace) gets from {@code url}, or the error. */
    private String fromHost(String url) {
        GatewayFixture.Cli fetched = run(List.of("nsenter", "--net=" + gateway.box.host.path(), "python3", "-c",
                "import sys, urllib.request as u; print(u.urlopen(sys.argv[1], timeout=2).read().decode())", url), pb -> {});
        return fetched.exit() == 0 ? fetched.out() : fetched.err().strip().lines().reduce((first, last) -> last).orElse("");
    }

    private GatewayFixture.Cli run(List<String> command, Consumer<ProcessBuilder> setUp) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        setUp.accept(pb);
        try {
            Path out = Files.createTempFile(dir, "out", ".txt");
            Path err = Files.createTempFile(dir, "err", ".txt");
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish in 120 s");
            }
            GatewayFixture.Cli result = new GatewayFixture.Cli(p.exitValue(), Files.readString(out), Files.readString(err));
            Files.delete(out);
            Files.delete(err);
            return result;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Whether {@code condition} holds within 15 seconds. */
    private static boolean eventually(Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (condition.get()) {
                return true;
            }
            Thread.sleep(300);
        }
        return false;
    }
}
