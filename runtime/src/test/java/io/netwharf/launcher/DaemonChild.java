package io.netwharf.launcher;

import io.netwharf.cluster.ClusterSettings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code netwharf daemon} in a JVM of its own (this test's classpath), in a fresh network namespace (so its default
 * bridge and nftables tables are its own), or in one the test made and gives to each daemon it restarts
 * ({@link RestartHost}), and with umask 000 (so no folder gets a safe mode by luck):
 * {@code unshare --net sh -c 'umask 000; exec java ... daemon'}. All exec, so {@link #pid()} is the daemon's JVM.
 * State under {@code dir}: {@code run/} (exec-root, the socket {@code run/netwharf.sock}), {@code data/} (data-root),
 * output in {@code daemon.log}.
 */
final class DaemonChild implements AutoCloseable {
    final Path dir;
    final Path runDirectory;
    final Path dataRoot;
    final Path socket;
    final Path log;
    private final Process process;

    DaemonChild(Path dir) throws IOException {
        this(dir, List.of("unshare", "--net"), List.of(), List.of(), "daemon.log");
    }

    /**
     * A daemon whose command starts with {@code namespace} (such as {@code unshare --net} or {@code nsenter
     * --net=PATH}: a command that execs the rest), with {@code jvmArgs} before the main class, {@code daemonArgs}
     * after the usual ones, and its output in {@code dir/logName}: restarts on the same {@code dir} keep the same
     * exec-root, data-root and socket.
     */
    DaemonChild(Path dir, List<String> namespace, List<String> jvmArgs, List<String> daemonArgs, String logName) throws IOException {
        this.dir = dir;
        runDirectory = dir.resolve("run");
        dataRoot = dir.resolve("data");
        socket = runDirectory.resolve("netwharf.sock");
        log = dir.resolve(logName);
        List<String> command = new ArrayList<>(namespace);
        command.addAll(List.of("sh", "-c", "umask 000 && exec \"$@\"", "sh",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m"));
        command.addAll(jvmArgs);
        command.addAll(ClusterSettings.LMDB_JVM_OPTIONS); // as the jar's manifest gives them to java -jar
        command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                "io.netwharf.launcher.Main", "daemon", "-H", "unix://" + socket, "--exec-root", runDirectory.toString(),
                "--data-root", dataRoot.toString(), "--config-file", dir.resolve("none.conf").toString()));
        command.addAll(daemonArgs);
        Files.writeString(dir.resolve("none.conf"), "");
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
    }

    long pid() {
        return process.pid();
    }

    /** Waits until the daemon says it is listening (its API socket accepts, and SIGTERM is its own to handle). */
    DaemonChild awaitListening() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the daemon exited with " + process.exitValue() + ":\n" + log());
            }
            // The line comes once the daemon handles SIGTERM itself: a socket that accepts comes a moment earlier,
            // and a SIGTERM then would end the JVM with 143.
            if (log().contains("netwharf daemon is listening on")) {
                return this;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the daemon did not listen within 60 s:\n" + log());
    }

    /** SIGTERM to this daemon's pid only. */
    void terminate() {
        process.destroy();
    }

    /** SIGKILL to this daemon's pid only: nothing of its own shutdown runs. */
    void kill9() {
        process.destroyForcibly();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Its exit status, once it exited within {@code seconds}. */
    int awaitExit(int seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("the daemon did not exit within " + seconds + " s:\n" + log());
        }
        return process.exitValue();
    }

    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
