package io.netwharf.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwharf.Netwharf;
import io.netwharf.kernel.KernelSandbox;
import io.netwharf.runtime.RuntimeConfig;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Directives;

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
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A runtime on a throwaway host namespace ({@link KernelSandbox}) with the Docker API bound on 127.0.0.1 (the test
 * JVM's own network namespace, see the surefire configuration), an HTTP client for it, and the docker CLI pointed
 * at it with a home of its own.
 */
final class GatewayFixture implements AutoCloseable {
    static final ActorSystem<Void> SYSTEM = ActorSystem.create(Behaviors.empty(), "netwharf-gateway-test");
    static final ObjectMapper JSON = new ObjectMapper();

    final KernelSandbox box;
    final Netwharf netwharf;
    final ServerBinding binding;
    final int port;
    private final Path runDirectory;
    private final Path home;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    GatewayFixture() throws IOException {
        box = new KernelSandbox();
        runDirectory = Files.createTempDirectory("netwharf-gateway-");
        home = Files.createTempDirectory("netwharf-docker-home-");
        netwharf = await(Netwharf.start(SYSTEM, RuntimeConfig.builder().hostNetns(box.host.path()).runDirectory(runDirectory).build()));
        binding = await(Http.get(SYSTEM).newServerAt("127.0.0.1", 0)
                .bind(DockerApi.route(netwharf, new NetwharfContainerNetworking(netwharf), Directives.reject())));
        port = binding.localAddress().getPort();
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
        @Override
        public String toString() {
            return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    /** Runs {@code docker args...} against the gateway, with a timeout. */
    Cli docker(String... args) {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("DOCKER_"));
        pb.environment().put("DOCKER_HOST", "tcp://127.0.0.1:" + port);
        pb.environment().put("HOME", home.toString());
        pb.environment().put("DOCKER_CONFIG", home.resolve(".docker").toString());
        pb.redirectErrorStream(false);
        try {
            Path out = Files.createTempFile(home, "out", ".txt");
            Path err = Files.createTempFile(home, "err", ".txt");
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
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

    static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(120, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new AssertionError(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            await(binding.unbind());
            await(netwharf.stop());
        } finally {
            box.close();
            try (Stream<Path> files = Files.walk(home)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
