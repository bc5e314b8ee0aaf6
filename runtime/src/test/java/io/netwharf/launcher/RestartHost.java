package io.netwharf.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwharf.kernel.KernelSandbox;
import org.apache.hc.core5.util.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * One throwaway "host" on which netwharf daemons are started, SIGKILLed and started again: a network namespace of
 * the test's (a {@link KernelSandbox}; each daemon JVM runs in it through {@code nsenter --net=}), and one folder whose
 * exec-root ({@code run/}), data-root ({@code data/}) and socket stay the same from daemon to daemon. This test JVM has
 * a mount namespace of its own, shared with the daemons, so the namespaces a daemon bind-mounts under its exec-root
 * outlive its death. Each start logs to {@code daemon-N.log}.
 *
 * <p>Containers' commands carry {@link #marker} as an argument, so the test finds their processes (and any left
 * over) in {@code /proc}. Closing kills the daemon and every process carrying the marker (by pid), unmounts what is
 * left under the exec-root and deletes the host namespace. Needs root (CI runs as root).
 */
final class RestartHost implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final KernelSandbox box;
    final Path dir;
    /** An argument no other process on the machine has: {@code sleep} sums its arguments, so 600 and this one. */
    final String marker = "0.000" + ThreadLocalRandom.current().nextInt(100_000, 1_000_000);
    private final List<String> daemonArgs;
    private DaemonChild daemon;
    private boolean pulled;
    private ApiClient api;
    private int starts;

    /** A host whose daemons all get {@code daemonArgs} (such as {@code --live-restore}). */
    RestartHost(String... daemonArgs) throws IOException {
        box = new KernelSandbox();
        dir = Files.createTempDirectory("netwharf-restart-");
        this.daemonArgs = List.of(daemonArgs);
    }

    /** Starts a daemon (none may be running) with {@code jvmArgs}, and waits until it listens. */
    DaemonChild start(String... jvmArgs) throws IOException, InterruptedException {
        DaemonChild started = launch(jvmArgs).awaitListening();
        if (!pulled) {
            // Once: creates need a pulled image, and the store keeps it for the daemons started after this one.
            post("/images/create?fromImage=debian&tag=latest", null, 200);
            pulled = true;
        }
        return started;
    }

    /** Starts a daemon without waiting for it: one armed with a fault point may die before it listens. */
    DaemonChild launch(String... jvmArgs) throws IOException {
        if (daemon != null && daemon.isAlive()) {
            throw new IllegalStateException("a daemon is running on this host already");
        }
        closeApi();
        starts++;
        daemon = new DaemonChild(dir, List.of("nsenter", "--net=" + box.host.path()), List.of(jvmArgs), daemonArgs,
                "daemon-" + starts + ".log");
        return daemon;
    }

    /** The daemon started last. */
    DaemonChild daemon() {
        return daemon;
    }

    /** SIGKILL to the daemon (by its pid), and waits until it is gone. */
    void kill9() throws InterruptedException {
        daemon.kill9();
        int status = daemon.awaitExit(30);
        if (status != 137) {
            throw new AssertionError("the daemon ended with " + status + ", not by SIGKILL (137)");
        }
        closeApi();
    }

    /** A client of the running daemon's API on its Unix socket, 16 connections. */
    synchronized ApiClient api() {
        if (api == null) {
            api = ApiClient.connect("unix://" + daemon.socket, 16, Timeout.ofSeconds(60));
        }
        return api;
    }

    private synchronized void closeApi() {
        if (api != null) {
            api.close();
            api = null;
        }
    }

    /** Where the daemons bind-mount their containers' network namespaces. */
    Path netnsDirectory() {
        return dir.resolve("run").resolve("netns");
    }

    /** The files under {@link #netnsDirectory}: each a namespace bind mount, or a leftover. */
    List<Path> namespaceFiles() {
        if (!Files.isDirectory(netnsDirectory())) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(netnsDirectory())) {
            return files.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The pids of the processes whose command line carries {@link #marker}. */
    List<Long> markedProcesses() {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> proc = Files.list(Path.of("/proc"))) {
            proc.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).forEach(p -> {
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    if (List.of(cmdline.split("\0")).contains(marker)) {
                        pids.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException e) {
                    // gone meanwhile
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pids;
    }

    // ---- the API, as JSON ----------------------------------------------------------------------------------------

    JsonNode getJson(String path) throws IOException {
        ApiClient.Response r = api().get(path);
        if (r.status() != 200) {
            throw new AssertionError("GET " + path + ": " + r.status() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** POST with a JSON body, expecting {@code status}; the answer's body as JSON (null when empty). */
    JsonNode post(String path, String json, int status) throws IOException {
        ApiClient.Response r = api().post(path, json);
        if (r.status() != status) {
            throw new AssertionError("POST " + path + " " + json + ": " + r.status() + " " + r.body());
        }
        return r.body().isBlank() ? null : JSON.readTree(r.body());
    }

    /** Creates a user bridge network; its id. */
    String createNetwork(String name) throws IOException {
        return post("/networks/create", "{\"Name\":\"" + name + "\"}", 201).get("Id").asText();
    }

    /** The create body of a container running {@code cmd} (JSON array text, the marker added by the caller) on {@code network}. */
    static String containerBody(String cmdJson, String network, String restartPolicy) {
        return "{\"Image\":\"debian\",\"Cmd\":" + cmdJson + ",\"HostConfig\":{\"NetworkMode\":\"" + network + "\""
                + (restartPolicy == null ? "" : ",\"RestartPolicy\":" + restartPolicy) + "}}";
    }

    /** A {@code sleep 600 MARKER} container on {@code network}: its create body. */
    String sleeper(String network) {
        return containerBody("[\"sleep\",\"600\",\"" + marker + "\"]", network, null);
    }

    /** Creates a container from {@code body}; its id. */
    String create(String body) throws IOException {
        return post("/containers/create", body, 201).get("Id").asText();
    }

    void startContainer(String id) throws IOException {
        post("/containers/" + id + "/start", null, 204);
    }

    JsonNode inspect(String id) throws IOException {
        return getJson("/containers/" + id + "/json");
    }

    // ---- cleanup -------------------------------------------------------------------------------------------------

    @Override
    public void close() throws IOException, InterruptedException {
        closeApi();
        if (daemon != null && daemon.isAlive()) {
            daemon.kill9();
            daemon.awaitExit(30);
        }
        for (long pid : markedProcesses()) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        for (Path ns : namespaceFiles()) {
            new ProcessBuilder("umount", ns.toString()).redirectErrorStream(true).start().waitFor();
        }
        box.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
