package io.netwharf.gateway;

import io.netwharf.Netwharf;
import io.netwharf.container.ContainerEngine;
import io.netwharf.container.ContainerRequest;
import io.netwharf.container.ImageReference;
import io.netwharf.kernel.KernelSandbox;
import io.netwharf.protocol.model.ContainerInfo;
import io.netwharf.runtime.RuntimeFixture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.netwharf.runtime.RuntimeFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The whole gateway as a user meets it: a runtime on a throwaway host namespace ({@link RuntimeFixture}), the
 * container engine, and the Docker Engine API served on a Unix socket in a temporary directory (where the docker
 * CLI is pointed, with a home of its own) and on 127.0.0.1 of the test JVM's own network namespace (for the tests'
 * HTTP client; see the surefire configuration). Closing unbinds, stops the containers and the runtime, and deletes
 * the host namespace.
 */
final class GatewayFixture implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Pulled at the start: the create bodies of the tests name it. */
    static final String IMAGE = "debian";

    final RuntimeFixture runtime;
    final KernelSandbox box;
    final Netwharf netwharf;
    final ContainerEngine engine;
    /** The engine's data root: container logs under {@code containers/<id>}. */
    final Path dataRoot;
    final Path socket;
    final int port;
    private final Gateway gateway;
    private final Path home;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    GatewayFixture() throws IOException {
        runtime = new RuntimeFixture();
        box = runtime.box;
        netwharf = runtime.start();
        home = Files.createTempDirectory("netwharf-docker-home-");
        socket = Files.createTempDirectory("netwharf-gateway-").resolve("netwharf.sock");
        dataRoot = Files.createTempDirectory("netwharf-data-");
        engine = await(ContainerEngine.start(RuntimeFixture.SYSTEM, netwharf, dataRoot, Duration.ofMinutes(1), false));
        // The image the tests' create bodies name, pulled as a Docker host would have it (creates need a pulled image).
        await(engine.pullImage(ImageReference.parse(IMAGE)));
        gateway = await(Gateway.bind(RuntimeFixture.SYSTEM, List.of(new ListenAddress.Unix(socket), new ListenAddress.Tcp("127.0.0.1", 0)),
                DockerApi.route(netwharf, engine)));
        port = Integer.parseInt(gateway.boundAddresses().stream().filter(a -> a.startsWith("tcp://")).findFirst().orElseThrow()
                .replaceAll(".*:", ""));
    }

    /** A container created and started through the engine, with no process: its network state from the runtime. */
    ContainerInfo run(String name, String networkMode) {
        String id = await(engine.create(ContainerRequest.of(name, networkMode)));
        await(engine.start(name));
        return await(netwharf.inspectContainer(id));
    }

    /** An answer: status, headers and body. */
    record Answer(int status, java.net.http.HttpHeaders headers, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        String message() {
            return json().path("message").asText(null);
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    Answer send(String method, String path, String body) {
        return send(method, path, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    }

    Answer send(String method, String path, HttpRequest.BodyPublisher body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .method(method, body).build();
        try {
            HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    Answer get(String path) {
        return send("GET", path, (String) null);
    }

    Answer post(String path, String body) {
        return send("POST", path, body);
    }

    /** What a docker CLI command printed, and how it ended. */
    record Cli(int exit, String out, String err) {
        /** Standard output without its last line end. */
        String text() {
            return out.strip();
        }

        @Override
        public String toString() {
            return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    /** Runs {@code docker args...} against the gateway, with a timeout. */
    Cli docker(String... args) {
        return dockerWithInput(null, args);
    }

    /** {@link #docker} with {@code input} as the CLI's stdin (null: none, an empty stdin). */
    Cli dockerWithInput(String input, String... args) {
        ProcessBuilder pb = dockerCommand(args);
        try {
            Path out = Files.createTempFile(home, "out", ".txt");
            Path err = Files.createTempFile(home, "err", ".txt");
            Path in = Files.createTempFile(home, "in", ".txt");
            Files.writeString(in, input == null ? "" : input);
            Process p = pb.redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("docker " + String.join(" ", args) + " did not finish in 60 s");
            }
            return new Cli(p.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** {@code docker args...} pointed at the gateway, with a home of its own, to be started by the caller. */
    ProcessBuilder dockerCommand(String... args) {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("DOCKER_"));
        pb.environment().put("DOCKER_HOST", "unix://" + socket);
        pb.environment().put("HOME", home.toString());
        pb.environment().put("DOCKER_CONFIG", home.resolve(".docker").toString());
        return pb.redirectErrorStream(false);
    }

    /** Runs a docker command that must succeed, and gives its output. */
    String ok(String... args) {
        Cli result = docker(args);
        assertEquals(0, result.exit(), () -> "docker " + String.join(" ", args) + " failed: " + result);
        return result.text();
    }

    /** The IPv4 addresses on {@code link} in the host namespace, as "a.b.c.d/len"; empty when it does not exist. */
    List<String> hostAddresses(String link) {
        List<String> found = new ArrayList<>();
        if (!box.linkNames(box.host).contains(link)) {
            return found;
        }
        for (JsonNode l : box.ipJson(box.host, "-4", "addr", "show", "dev", link)) {
            l.path("addr_info").forEach(a -> found.add(a.get("local").asText() + "/" + a.get("prefixlen").asInt()));
        }
        return found;
    }

    @Override
    public void close() throws IOException {
        try {
            await(gateway.unbind());
            await(engine.stop());
        } finally {
            runtime.close();
            try (Stream<Path> files = Files.walk(home)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
