package io.netwharf.bench;

import io.netwharf.Netwharf;
import io.netwharf.container.ContainerEngine;
import io.netwharf.container.ContainerRequest;
import io.netwharf.container.ContainerView;
import io.netwharf.kernel.Netns;
import io.netwharf.kernel.NetnsDirectory;
import io.netwharf.protocol.model.NetworkSpec;
import io.netwharf.runtime.RuntimeConfig;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The start-up reconcile with containers that run processes, as the daemon has them: a child JVM (the hidden
 * {@code store-fill} command) starts a runtime and the container engine with a store, makes ten user networks and
 * N containers running {@code sleep 600} spread over them, says so on its stdout and is then killed with SIGKILL. Its
 * processes are reparented and keep running. This JVM then starts a runtime and an engine on the same host namespace,
 * exec root and data root, and times both starts: the runtime's (its reconcile: every process stopped and every
 * namespace removed, or with live restore every container adopted) and the engine's (containers restored from the
 * store). Afterwards every container is removed (its process killed) and the runtime stopped.
 */
final class ProcessRestart {
    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    static final int NETWORKS = 10;

    private ProcessRestart() {}

    /** The figures of one timed start. */
    record Result(double runtimeSeconds, double engineSeconds, double fillSeconds, Map<ContainerView.Status, Long> states,
                  int namespacesLeft) {}

    static Result run(NetnsDirectory netns, Path dir, Path data, String hostName, int containers, boolean liveRestore) throws Exception {
        try (Netns host = netns.create(hostName)) {
            Path run = dir.resolve("run");
            long fillStart = System.nanoTime();
            fillInChildAndKill(host.path(), run, data, containers);
            double fill = (System.nanoTime() - fillStart) / 1e9;

            ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "store-bench-processes");
            try {
                RuntimeConfig config = config(host.path(), run, data, liveRestore);
                // On stderr beside the runtime's log lines (their times), to see where a start's time goes.
                System.err.println(java.time.LocalTime.now() + " timed start begins (" + (liveRestore ? "live restore" : "no live restore") + ")");
                long start = System.nanoTime();
                Netwharf netwharf = await(Netwharf.start(system, config));
                System.err.println(java.time.LocalTime.now() + " runtime ready");
                double runtimeSeconds = (System.nanoTime() - start) / 1e9;
                ContainerEngine engine = await(ContainerEngine.start(system, netwharf, data, TIMEOUT, liveRestore));
                double engineSeconds = (System.nanoTime() - start) / 1e9 - runtimeSeconds;
                int namespacesLeft = namespacesLeft(run);
                List<ContainerView> views = await(engine.list());
                Map<ContainerView.Status, Long> states = views.stream().collect(Collectors.groupingBy(ContainerView::status, Collectors.counting()));
                // Clean up: every container goes (a running one killed), then the runtime removes its networks.
                all(views.stream().map(ContainerView::id).toList(), id -> engine.remove(id, true));
                await(engine.stop());
                await(netwharf.stop());
                return new Result(runtimeSeconds, engineSeconds, fill, states, namespacesLeft);
            } finally {
                system.terminate();
                system.getWhenTerminated().toCompletableFuture().get(1, TimeUnit.MINUTES);
            }
        }
    }

    private static RuntimeConfig config(Path host, Path run, Path data, boolean liveRestore) {
        return RuntimeConfig.builder().hostNetns(host).runDirectory(run).stateDirectory(data).liveRestore(liveRestore).build();
    }

    /** Runs {@link Fill} in a child JVM, waits for its "filled" line, then kills it with SIGKILL. */
    private static void fillInChildAndKill(Path host, Path run, Path data, int containers) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx768m",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "store-fill", "--host", host.toString(),
                "--run", run.toString(), "--data", data.toString(), "-n", Integer.toString(containers)));
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("filled")) {
                System.out.println("  store-fill: " + line);
            }
            if (line == null) {
                throw new IllegalStateException("store-fill ended before it had filled the store: exit " + child.waitFor());
            }
        } finally {
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no stop of the runtime or the engine
            child.waitFor(1, TimeUnit.MINUTES);
        }
    }

    /** The child's part: fills a store with ten networks and N running containers, says "filled", then waits to be killed. */
    @Command(name = "store-fill", hidden = true, description = "(used by the store benchmark) fill a store with running containers, then wait")
    static final class Fill implements Callable<Integer> {
        @Option(names = "--host", required = true)
        Path host;
        @Option(names = "--run", required = true)
        Path run;
        @Option(names = "--data", required = true)
        Path data;
        @Option(names = "-n", required = true)
        int containers;

        @Override
        public Integer call() throws Exception {
            ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "store-fill");
            Netwharf netwharf = await(Netwharf.start(system, config(host, run, data, false)));
            ContainerEngine engine = await(ContainerEngine.start(system, netwharf, data, TIMEOUT, false));
            for (int n = 0; n < NETWORKS; n++) {
                await(netwharf.createNetwork(NetworkSpec.named("n" + n).subnet("10.60." + n + ".0/24").build()));
            }
            List<Integer> indexes = java.util.stream.IntStream.range(0, containers).boxed().toList();
            List<String> ids = all(indexes, i -> engine.create(ContainerRequest.of("c" + i, "n" + (i % NETWORKS), "sleep", "600")));
            all(ids, engine::start);
            System.out.println("filled " + containers);
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
            return 0;
        }
    }

    private static <I, T> List<T> all(List<I> inputs, Function<I, CompletionStage<T>> request) {
        List<CompletableFuture<T>> answers = inputs.stream().map(i -> request.apply(i).toCompletableFuture()).toList();
        return answers.stream().map(ProcessRestart::join).toList();
    }

    private static <T> T join(CompletableFuture<T> answer) {
        try {
            return answer.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T await(CompletionStage<T> stage) {
        return join(stage.toCompletableFuture());
    }

    /** How many namespaces there are under the exec root {@code run}. */
    private static int namespacesLeft(Path run) throws java.io.IOException {
        Path netnsDir = run.resolve("netns");
        if (!Files.isDirectory(netnsDir)) {
            return 0;
        }
        try (var files = Files.list(netnsDir)) {
            return (int) files.count();
        }
    }
}
