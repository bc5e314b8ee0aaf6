package io.netwharf.bench;

import io.netwharf.Netwharf;
import io.netwharf.actor.Asks;
import io.netwharf.kernel.NamespaceThreads;
import io.netwharf.kernel.Netns;
import io.netwharf.kernel.NetnsDirectory;
import io.netwharf.protocol.model.ContainerInfo;
import io.netwharf.protocol.model.ContainerSpec;
import io.netwharf.protocol.model.NetworkSpec;
import io.netwharf.runtime.RuntimeActor;
import io.netwharf.runtime.RuntimeConfig;
import io.netwharf.store.SqliteStore;
import io.netwharf.store.Store;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * What the durable store costs and what a restart costs. Part one, the side-by-side: N bridge-mode containers created
 * at once through the embedded API and removed again, by a runtime without a store and by one with a SQLite store on a
 * fresh folder, alternating which goes first, each round on a fresh "host" namespace; medians and their ratio, and the
 * store's commits (one per group) against its changes. Part two, start-up reconcile: a runtime with a store and N
 * containers over ten user networks is crashed (its actor system ended without the runtime's stop, so the kernel keeps
 * everything, as after a kill -9), and the next start is timed until it answers: without live restore (every
 * namespace removed), with it (every container adopted), and with a store that knows nothing of them (N orphans to
 * remove: namespaces and marked veths). Containers here are the runtime's (namespaces with endpoints, no process).
 * Run inside a throwaway namespace (benchmarks/run-in-sandbox).
 */
@Command(name = "store", mixinStandardHelpOptions = true,
        description = "The durable store's cost on creating and removing N containers (without and with it, same run), and "
                + "the start-up reconcile time with N containers over 10 networks in the store, and with N orphans.")
public final class StoreBenchmark implements Callable<Integer> {
    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private static final int NETWORKS = 10;

    @Option(names = {"-n", "--containers"}, description = "containers (default ${DEFAULT-VALUE})")
    int containers = 1000;

    @Option(names = {"-r", "--rounds"}, description = "rounds of the side-by-side; medians are reported (default ${DEFAULT-VALUE})")
    int rounds = 5;

    @Option(names = "--run-dir", defaultValue = "${env:NETWHARF_BENCH_RUN_DIR}",
            description = "where host namespaces, run directories and stores go (default: $NETWHARF_BENCH_RUN_DIR, else a temporary one)")
    Path runDirectory;

    @Option(names = "--store-root", description = "where the stores' folders go (default: the run directory, which "
            + "benchmarks/run-in-sandbox puts on a tmpfs, where a sync costs next to nothing; name a folder on a disk to count its syncs)")
    Path storeRoot;

    @Option(names = "--skip-side-by-side", description = "skip part one (the store's cost on creating and removing)")
    boolean skipSideBySide;

    @Option(names = "--skip-processes", description = "skip the reconcile with containers that run processes (the container engine's, "
            + "filled by a child JVM killed with SIGKILL)")
    boolean skipProcesses;

    private record Side(double create, double remove, long commits, long changes) {}

    @Override
    public Integer call() throws Exception {
        if (!BenchSupport.inThrowawayNamespace()) {
            System.err.println("refusing to run in the machine's own network namespace: use benchmarks/run-in-sandbox");
            return 2;
        }
        if (runDirectory == null) {
            runDirectory = Files.createTempDirectory("netwharf-store-bench-");
        }
        NetnsDirectory netns = new NetnsDirectory(runDirectory.resolve("hosts"), new NamespaceThreads("bench-netns", 2));
        System.out.printf("store benchmark: %d containers, %d rounds, %d CPUs, kernel %s, stores under %s%n", containers, rounds,
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.version"), storeRoot != null ? storeRoot : runDirectory);
        // The reconcile's own count line ("reconciled the store and the kernel: ..."), on stderr with its time.
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.netwharf.runtime.Reconciliation"))
                .setLevel(ch.qos.logback.classic.Level.INFO);
        if (!skipSideBySide) {
            sideBySide(netns);
        }
        reconcile(netns);
        if (!skipProcesses) {
            reconcileWithProcesses(netns);
        }
        return 0;
    }

    // ---- the side-by-side -------------------------------------------------------------------------------------

    private void sideBySide(NetnsDirectory netns) throws Exception {
        List<Side> without = new ArrayList<>();
        List<Side> with = new ArrayList<>();
        side(netns, "warm-up", false);
        for (int round = 1; round <= rounds; round++) {
            boolean storeFirst = round % 2 == 0;
            Side first = side(netns, "r" + round + "a", storeFirst);
            Side second = side(netns, "r" + round + "b", !storeFirst);
            Side none = storeFirst ? second : first;
            Side stored = storeFirst ? first : second;
            without.add(none);
            with.add(stored);
            System.out.printf("round %d: without store create %.3f s remove %.3f s | with store create %.3f s remove %.3f s, "
                    + "%d changes in %d commits%n", round, none.create(), none.remove(), stored.create(), stored.remove(),
                    stored.changes(), stored.commits());
        }
        double createWithout = BenchSupport.medianOf(without, Side::create);
        double createWith = BenchSupport.medianOf(with, Side::create);
        double removeWithout = BenchSupport.medianOf(without, Side::remove);
        double removeWith = BenchSupport.medianOf(with, Side::remove);
        System.out.printf("median create: %.3f s without the store, %.3f s with it (%.2fx); remove: %.3f s without, %.3f s with (%.2fx); "
                        + "median commits %.0f for %.0f changes%n", createWithout, createWith, createWith / createWithout, removeWithout,
                removeWith, removeWith / removeWithout, BenchSupport.medianOf(with, Side::commits), BenchSupport.medianOf(with, Side::changes));
    }

    /** One side of one round: start, create N at once, remove them, stop; the store (if any) on a fresh folder. */
    private Side side(NetnsDirectory netns, String name, boolean stored) throws Exception {
        Path dir = runDirectory.resolve("side-" + name);
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "store-bench-" + name);
        try (Netns host = netns.create("host-" + name)) {
            RuntimeConfig.Builder config = RuntimeConfig.builder().hostNetns(host.path()).runDirectory(dir.resolve("run"));
            if (stored) {
                config.stateDirectory(storeDirectory("side-" + name));
            }
            Netwharf netwharf = await(Netwharf.start(system, config.build()));
            long commitsBefore = commits(netwharf.store());
            long changesBefore = changes(netwharf.store());
            long start = System.nanoTime();
            List<ContainerInfo> made = all(containers, i -> netwharf.createContainer(ContainerSpec.of("c" + i, "bridge")));
            double create = (System.nanoTime() - start) / 1e9;
            start = System.nanoTime();
            all(containers, i -> netwharf.removeContainer(made.get(i).id(), false));
            double remove = (System.nanoTime() - start) / 1e9;
            long commits = commits(netwharf.store()) - commitsBefore;
            long changes = changes(netwharf.store()) - changesBefore;
            await(netwharf.stop());
            return new Side(create, remove, commits, changes);
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(1, TimeUnit.MINUTES);
            netns.delete("host-" + name);
            BenchSupport.deleteTree(dir);
            BenchSupport.deleteTree(storeDirectory("side-" + name));
            BenchSupport.settle();
        }
    }

    /** The folder of one store: under --store-root when given, else in the run directory. */
    private Path storeDirectory(String name) {
        return (storeRoot != null ? storeRoot : runDirectory).resolve("store-" + name);
    }

    // ---- start-up reconcile -----------------------------------------------------------------------------------

    private void reconcile(NetnsDirectory netns) throws Exception {
        for (String kind : List.of("restart", "live-restore", "orphans")) {
            Path dir = runDirectory.resolve("reconcile-" + kind);
            try (Netns host = netns.create("host-" + kind)) {
                RuntimeConfig.Builder config = RuntimeConfig.builder().hostNetns(host.path()).runDirectory(dir.resolve("run"))
                        .stateDirectory(storeDirectory("reconcile-" + kind)).liveRestore(kind.equals("live-restore"));
                Netwharf first = crashable(config.build(), "fill-" + kind);
                for (int n = 0; n < NETWORKS; n++) {
                    await(first.createNetwork(NetworkSpec.named("n" + n).subnet("10.60." + n + ".0/24").build()));
                }
                all(containers, i -> first.createContainer(ContainerSpec.of("c" + i, "n" + (i % NETWORKS))));
                crash(first);
                if (kind.equals("orphans")) {
                    // A store that knows nothing: every namespace and marked veth the last run left is an orphan.
                    BenchSupport.deleteTree(storeDirectory("reconcile-" + kind));
                }
                long start = System.nanoTime();
                Netwharf second = crashable(config.build(), "timed-" + kind);
                double seconds = (System.nanoTime() - start) / 1e9;
                int namespaces;
                try (var files = Files.list(dir.resolve("run").resolve("netns"))) {
                    namespaces = (int) files.count();
                }
                System.out.printf("start after a crash with %d containers over %d networks in the store (%s): ready in %.3f s; "
                        + "%d namespaces left%n", containers, NETWORKS, kind, seconds, namespaces);
                crash(second);
                // Live restore leaves the namespaces mounted: unmounted here, or the folder cannot be deleted.
                NetnsDirectory left = new NetnsDirectory(dir.resolve("run").resolve("netns"), netns.threads());
                for (String name : left.list()) {
                    left.delete(name);
                }
            } finally {
                netns.delete("host-" + kind);
                BenchSupport.deleteTree(dir);
                BenchSupport.deleteTree(storeDirectory("reconcile-" + kind));
                BenchSupport.settle();
            }
        }
    }

    /**
     * The reconcile after a crash of a runtime and container engine whose N containers run a process each (see
     * {@link ProcessRestart}): without live restore (processes stopped, namespaces removed, containers kept exited)
     * and with it (all adopted, still running).
     */
    private void reconcileWithProcesses(NetnsDirectory netns) throws Exception {
        for (boolean liveRestore : List.of(false, true)) {
            String kind = liveRestore ? "processes-live-restore" : "processes";
            Path dir = runDirectory.resolve("reconcile-" + kind);
            try {
                ProcessRestart.Result r = ProcessRestart.run(netns, dir, storeDirectory("reconcile-" + kind), "host-" + kind,
                        containers, liveRestore);
                System.out.printf("start after a SIGKILL with %d containers running sleep 600 over %d networks (%s; filled in %.1f s): "
                                + "runtime ready in %.3f s, then the engine's restore in %.3f s (%.3f s in all); containers %s; "
                                + "%d namespaces left%n", containers, ProcessRestart.NETWORKS, liveRestore ? "live restore" : "no live restore",
                        r.fillSeconds(), r.runtimeSeconds(), r.engineSeconds(), r.runtimeSeconds() + r.engineSeconds(), r.states(),
                        r.namespacesLeft());
            } finally {
                netns.delete("host-" + kind);
                BenchSupport.deleteTree(dir);
                BenchSupport.deleteTree(storeDirectory("reconcile-" + kind));
                BenchSupport.settle();
            }
        }
    }

    /** A runtime in an actor system of its own, so that {@link #crash} can end it without the runtime's stop. */
    private static Netwharf crashable(RuntimeConfig config, String name) {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "store-bench-" + name);
        Store store = SqliteStore.open(system, config.stateDirectory());
        ActorRef<RuntimeActor.Command> runtime = system.systemActorOf(RuntimeActor.create(config, store), "runtime", Props.empty());
        await(Asks.askWithStatus(runtime, RuntimeActor.AwaitReady::new, TIMEOUT, system.scheduler()));
        return Netwharf.of(system, runtime, TIMEOUT);
    }

    /** Ends the actor system without the runtime's stop: the kernel keeps everything, as after a kill -9. */
    private static void crash(Netwharf netwharf) throws Exception {
        netwharf.system().terminate();
        netwharf.system().getWhenTerminated().toCompletableFuture().get(1, TimeUnit.MINUTES);
    }

    // ---- plumbing ---------------------------------------------------------------------------------------------

    private static <T> List<T> all(int n, java.util.function.IntFunction<CompletionStage<T>> request) {
        List<CompletableFuture<T>> answers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            answers.add(request.apply(i).toCompletableFuture());
        }
        return answers.stream().map(StoreBenchmark::join).toList();
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

    private static long commits(Store store) {
        return store instanceof SqliteStore sqlite ? sqlite.commits() : 0;
    }

    private static long changes(Store store) {
        return store instanceof SqliteStore sqlite ? sqlite.changesCommitted() : 0;
    }
}
