package io.netwharf.bench;

import io.netwharf.kernel.Links;
import io.netwharf.kernel.NetlinkSocket;
import io.netwharf.kernel.Netns;
import io.netwharf.kernel.NetnsDirectory;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Plays a container runtime that wires containers by executing a network plugin, as containerd and CRI-O do with the
 * CNI plugins and podman does with netavark. For each container it makes the namespace, with the same code netwharf
 * uses (a bind-mounted nsfs file, as those runtimes make theirs in-process too), so both sides pay the same for it;
 * then it runs the plugin's command from a process that already lives in the host namespace, as the runtime does.
 * That process is a bash reading one command line at a time, so each plugin costs a fork and an exec, as from the
 * runtime, not an nsenter and a JVM process spawn per call. With {@code parallel} above 1, that many such shells work
 * through the containers at once.
 */
final class PluginRuntime {
    private PluginRuntime() {}

    /** A plugin's command exited with a status other than 0; the output is what it printed (CNI and netavark print errors as JSON). */
    static final class PluginFailure extends RuntimeException {
        private final int status;
        private final String output;

        PluginFailure(String commandLine, int status, String output) {
            super("exit status " + status + " from: " + commandLine + " -- output: " + output);
            this.status = status;
            this.output = output;
        }

        int status() {
            return status;
        }

        String output() {
            return output;
        }
    }

    /** What a runtime executes for one tool: a shell command line per container to wire it, and one to unwire it. */
    interface Plugin {
        /** The bridge the tool makes (or adopts) in the host namespace. */
        String bridge();

        String setup(String container, Path netns);

        String teardown(String container, Path netns);

        /** Throws when the tool kept state for a container after every teardown (an address still allocated...). */
        default void checkNothingLeft() {}
    }

    /**
     * One round: in a fresh host namespace {@code hostName} made under {@code hosts}, wires {@code containers}
     * containers with {@code plugin} ({@code parallel} at a time) and times it from the first namespace made to the
     * last plugin's answer; checks the result from outside; then unwires them all the same way (plugin teardown, then
     * the namespace deleted) and times that until the bridge has no port left; checks nothing is left. The host
     * namespace, the containers' namespaces and {@code workDirectory} are removed whatever happens.
     */
    static BaselineRun round(NetnsDirectory hosts, String hostName, Path workDirectory, int containers, int parallel,
                             Map<String, String> environment, Plugin plugin) throws Exception {
        NetnsDirectory namespaces = new NetnsDirectory(workDirectory.resolve("netns"), hosts.threads());
        try (Netns host = hosts.create(hostName);
             NetlinkSocket socket = hosts.openSocket(host);
             Shells shells = Shells.start(host.path(), parallel, environment)) {
            long[] micros = new long[containers];
            long start = System.nanoTime();
            shells.forEach(containers, (shell, i) -> {
                long began = System.nanoTime();
                String name = containerName(hostName, i);
                namespaces.create(name).close(); // the bind mount keeps it; the plugin opens it by path
                shell.run(plugin.setup(name, namespaces.pathOf(name)));
                micros[i] = (System.nanoTime() - began) / 1000;
            });
            double seconds = (System.nanoTime() - start) / 1e9;

            int bridge = new Links(socket).get(plugin.bridge()).index();
            BenchSupport.verifyWired(socket, bridge, namespaces, containers);

            long teardownStart = System.nanoTime();
            shells.forEach(containers, (shell, i) -> {
                String name = containerName(hostName, i);
                shell.run(plugin.teardown(name, namespaces.pathOf(name)));
                namespaces.delete(name);
            });
            BenchSupport.awaitNoPorts(socket, bridge);
            double teardownSeconds = (System.nanoTime() - teardownStart) / 1e9;
            plugin.checkNothingLeft();
            return new BaselineRun(seconds, micros, teardownSeconds);
        } finally {
            for (String left : namespaces.list()) { // only after a failure
                namespaces.delete(left);
            }
            if (hosts.exists(hostName)) { // not when making it failed: that failure is the one to see
                hosts.delete(hostName);
            }
            BenchSupport.settle();
            BenchSupport.deleteTree(workDirectory);
        }
    }

    private static String containerName(String hostName, int i) {
        return hostName + "-c" + i;
    }

    /** The shells of one round, and the workers that share the containers out among them. */
    private record Shells(List<HostShell> shells) implements AutoCloseable {
        interface Step {
            void run(HostShell shell, int container) throws Exception;
        }

        static Shells start(Path host, int count, Map<String, String> environment) throws IOException {
            Shells started = new Shells(new ArrayList<>());
            try {
                for (int i = 0; i < count; i++) {
                    started.shells.add(HostShell.start(host, environment));
                }
            } catch (IOException | RuntimeException e) {
                started.close();
                throw e;
            }
            return started;
        }

        /** Runs {@code step} for containers 0..n-1, each shell taking the next one as soon as it is free. */
        void forEach(int n, Step step) throws InterruptedException {
            AtomicInteger next = new AtomicInteger();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> workers = new ArrayList<>();
            for (HostShell shell : shells) {
                workers.add(new Thread(() -> {
                    try {
                        for (int i = next.getAndIncrement(); i < n && failure.get() == null; i = next.getAndIncrement()) {
                            step.run(shell, i);
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }, "plugin-runtime"));
            }
            workers.forEach(Thread::start);
            for (Thread worker : workers) {
                worker.join();
            }
            Throwable failed = failure.get();
            if (failed instanceof RuntimeException e) {
                throw e;
            }
            if (failed != null) {
                throw new IllegalStateException(failed.toString(), failed);
            }
        }

        @Override
        public void close() {
            shells.forEach(HostShell::close);
        }
    }

    /**
     * A bash inside the host namespace that runs each command line it is sent and answers with one line: the exit
     * status, then the output with its newlines made spaces.
     */
    private static final class HostShell implements AutoCloseable {
        private static final String LOOP = "while IFS= read -r line; do out=$(eval \"$line\" 2>&1); rc=$?; "
                + "printf '%d %s\\n' \"$rc\" \"${out//$'\\n'/ }\"; done";

        private final Process process;
        private final BufferedWriter commands;
        private final BufferedReader answers;

        private HostShell(Process process) {
            this.process = process;
            this.commands = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
            this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        static HostShell start(Path host, Map<String, String> environment) throws IOException {
            ProcessBuilder builder = new ProcessBuilder("nsenter", "--net=" + host, "bash", "-c", LOOP)
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            builder.environment().putAll(environment);
            return new HostShell(builder.start());
        }

        /** Runs {@code commandLine}; throws {@link PluginFailure} when it exits with a status other than 0. */
        void run(String commandLine) throws IOException {
            commands.write(commandLine);
            commands.newLine();
            commands.flush();
            String answer = answers.readLine();
            if (answer == null) {
                throw new IllegalStateException("the shell in the host namespace ended before answering: " + commandLine);
            }
            int space = answer.indexOf(' ');
            int status = Integer.parseInt(answer.substring(0, space));
            if (status != 0) {
                throw new PluginFailure(commandLine, status, answer.substring(space + 1).strip());
            }
        }

        @Override
        public void close() {
            try {
                commands.close();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (IOException e) {
                process.destroyForcibly();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
