package io.netwharf.bench.stress;

import io.netwharf.cluster.ClusterSettings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code netwharf daemon} as a child process of this JVM, run from the same jar
 * ({@code java -Xmx<heap> -cp <this jar> io.netwharf.launcher.Main daemon -H unix://<dir>/netwharf.sock --data-root <dir>/data
 * --exec-root <dir>/exec}), so that its memory is its own: resident memory from {@code /proc/<pid>/status}, the heap
 * after a full collection through {@code jcmd}. Its output goes to {@code <dir>/daemon.log}. Also reads the memory of
 * a daemon started elsewhere, given its pid ({@link #memory(long)}).
 */
public final class DaemonProcess implements AutoCloseable {
    private static final Pattern HEAP = Pattern.compile("total (\\d+)K, used (\\d+)K");

    private final Process process;
    private final Path socket;
    private final Path execRoot;
    private final Path log;

    /**
     * The daemon at one moment: resident set, heap in use after a full GC and heap committed (bytes), open file
     * descriptors and threads.
     */
    public record Memory(long rssBytes, long heapUsedBytes, long heapCommittedBytes, long openFiles, long threads) {}

    private DaemonProcess(Process process, Path socket, Path execRoot, Path log) {
        this.process = process;
        this.socket = socket;
        this.execRoot = execRoot;
        this.log = log;
    }

    /**
     * Starts the daemon with its state under {@code dir}, a heap of at most {@code heap} (as -Xmx: 256m) and, where it
     * can, room for {@code openFiles} file descriptors: netwharf keeps one per container (the netlink socket opened
     * inside its namespace) and one more per running process (a pidfd). Where this process's hard limit is lower and
     * it may raise it (CAP_SYS_RESOURCE), the daemon starts through {@code prlimit --nofile} (util-linux), as Docker's
     * service unit gives dockerd LimitNOFILE; otherwise it starts with the limit as it is, and {@code warnings} gets a
     * line saying so.
     */
    public static DaemonProcess start(Path dir, String heap, long openFiles, List<String> warnings) throws IOException {
        return start(dir, heap, openFiles, warnings, null);
    }

    /** As above, in the network namespace bind-mounted at {@code netns} (entered with nsenter) when that is not null. */
    public static DaemonProcess start(Path dir, String heap, long openFiles, List<String> warnings, Path netns) throws IOException {
        return start(dir, heap, openFiles, warnings, netns, List.of());
    }

    /** As above, with {@code extraArgs} after the daemon's own (--cluster-bind, --cluster-seed...). */
    public static DaemonProcess start(Path dir, String heap, long openFiles, List<String> warnings, Path netns, List<String> extraArgs)
            throws IOException {
        Path socket = dir.resolve("netwharf.sock");
        Path execRoot = dir.resolve("exec");
        Path dataRoot = dir.resolve("data");
        Files.createDirectories(execRoot);
        Files.createDirectories(dataRoot);
        Path log = dir.resolve("daemon.log");
        List<String> command = new ArrayList<>();
        long limit = openFilesLimit();
        if (limit < openFiles) {
            if (mayRaiseLimits()) {
                command.addAll(List.of("prlimit", "--nofile=" + openFiles + ":" + openFiles, "--"));
            } else {
                warnings.add("the daemon may need about " + openFiles + " file descriptors, over the hard limit of " + limit
                        + ", which this process may not raise (no CAP_SYS_RESOURCE)");
            }
        }
        if (netns != null) {
            command.addAll(List.of("nsenter", "--net=" + netns, "--")); // execs java: the pid stays the daemon's
        }
        command.add(javaHome().resolve("bin/java").toString());
        command.add("-Xmx" + heap);
        command.addAll(ClusterSettings.LMDB_JVM_OPTIONS); // as the jar's manifest gives them to java -jar
        command.add("-cp");
        command.add(ownJar());
        command.add("io.netwharf.launcher.Main");
        command.addAll(List.of("daemon", "-H", "unix://" + socket, "--data-root", dataRoot.toString(), "--exec-root", execRoot.toString()));
        command.addAll(extraArgs);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        return new DaemonProcess(process, socket, execRoot, log);
    }

    public long pid() {
        return process.pid();
    }

    /** {@code unix://<dir>/netwharf.sock} */
    public String host() {
        return "unix://" + socket;
    }

    public Path execRoot() {
        return execRoot;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The last lines of the daemon's output, for error messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    public Path log() {
        return log;
    }

    /**
     * Sends SIGTERM to the daemon (this pid only) and waits up to {@code seconds} for it to exit; answers its exit
     * code, or empty if it did not exit in time (then it is killed with SIGKILL).
     */
    public Optional<Integer> stop(int seconds) throws InterruptedException {
        if (!process.isAlive()) {
            return Optional.of(process.exitValue());
        }
        process.destroy(); // SIGTERM
        if (process.waitFor(seconds, TimeUnit.SECONDS)) {
            return Optional.of(process.exitValue());
        }
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        return Optional.empty();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop(60);
        }
    }

    /**
     * The memory of process {@code pid}: VmRSS from /proc, then a full GC ({@code jcmd <pid> GC.run}) and the heap
     * in use after it ({@code jcmd <pid> GC.heap_info}: the first "total …K, used …K" line, which is the whole heap for
     * G1, Parallel and Serial alike); also its open files and threads. A heap figure that cannot be read is -1 rather
     * than a failure.
     */
    public static Memory memory(long pid) throws IOException, InterruptedException {
        long rss = rssBytes(pid);
        long files;
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            files = fds.count();
        }
        long threads;
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            threads = tasks.count();
        }
        long used = -1;
        long committed = -1;
        Path jcmd = javaHome().resolve("bin/jcmd");
        if (Files.isExecutable(jcmd)) {
            run(List.of(jcmd.toString(), Long.toString(pid), "GC.run"));
            Matcher m = HEAP.matcher(run(List.of(jcmd.toString(), Long.toString(pid), "GC.heap_info")));
            if (m.find()) {
                committed = Long.parseLong(m.group(1)) * 1024;
                used = Long.parseLong(m.group(2)) * 1024;
            }
        }
        return new Memory(rss, used, committed, files, threads);
    }

    /** VmRSS of process {@code pid}, in bytes. */
    public static long rssBytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS in /proc/" + pid + "/status");
    }

    /** This process's hard limit of open files ("Max open files" in /proc/self/limits); the JVM raises its soft one to it. */
    static long openFilesLimit() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                return f[1].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(f[1]);
            }
        }
        return Long.MAX_VALUE;
    }

    /** Whether this process has CAP_SYS_RESOURCE (bit 24 of CapEff in /proc/self/status), which raising a hard limit needs. */
    static boolean mayRaiseLimits() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("CapEff:")) {
                return (Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16) & (1L << 24)) != 0;
            }
        }
        return false;
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + ": no answer in 60 s");
        }
        return out;
    }

    private static Path javaHome() {
        return Path.of(System.getProperty("java.home"));
    }

    /** The jar (or classes directory) this class was loaded from: the benchmarks' fat jar holds the runtime too. */
    private static String ownJar() {
        try {
            return Path.of(DaemonProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
