package io.netwharf.container;

import io.netwharf.Netwharf;
import io.netwharf.events.EventLog;
import io.netwharf.kernel.ProcessLauncher;
import io.netwharf.protocol.model.EndpointSpec;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.protocol.model.NetworkMode;
import io.netwharf.protocol.model.Resolver;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.actor.Asks;
import io.netwharf.protocol.model.Ids;
import io.netwharf.actor.KernelErrors;
import io.netwharf.store.Store;
import io.netwharf.store.StoredState;

import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Docker-style containers on top of the runtime: each is a network namespace, wired at start and released at stop,
 * plus optionally one process running inside it. This is the handle the HTTP gateway uses; every method answers
 * with a {@link CompletionStage} that fails with a {@link NetwharfException} naming what was wrong.
 */
public final class ContainerEngine {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerEngine.class);
    /** Docker's default stop timeout. */
    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(10);
    /** How long the engine's stop waits for each process before SIGKILL. */
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(2);
    /** Long enough for any wait a client keeps open; Pekko's scheduler takes at most about 248 days. */
    private static final Duration FOREVER = Duration.ofDays(100);
    /** Linux's PATH_MAX: the longest path a system call takes, with its terminating NUL. */
    private static final int PATH_MAX = 4096;

    private final ActorSystem<?> system;
    private final Netwharf netwharf;
    private final Store store;
    private final Duration timeout;
    private final boolean liveRestore;
    private final Path dataRoot;
    private final ProcessLauncher launcher = new ProcessLauncher();
    private final ContainerUser users = ContainerUser.host();
    private ActorRef<EngineActor.Command> registry;

    private final ContainerFiles files;
    private final ContainerExecs execs;

    private ContainerEngine(ActorSystem<?> system, Netwharf netwharf, Store store, Path dataRoot, Duration timeout, boolean liveRestore,
                            Path hostResolvConf) {
        this.files = new ContainerFiles(hostResolvConf);
        this.dataRoot = dataRoot;
        this.system = system;
        this.netwharf = netwharf;
        this.store = store;
        this.timeout = timeout;
        this.liveRestore = liveRestore;
        this.execs = new ContainerExecs(launcher, users, this::inspect, dataRoot);
    }

    /**
     * Starts the engine in {@code system} beside the runtime {@code netwharf}, keeping its containers in the runtime's
     * store; container logs go under {@code dataRoot/containers/<id>}. Completes once the containers the store kept
     * are back (see {@link #start(ActorSystem, Netwharf, Store, Path, Duration, boolean)}). When the system shuts
     * down, the containers are stopped before the runtime stops (see {@link #stop()}).
     *
     * @param liveRestore with a durable store, running containers are left running when the engine stops
     *                    ({@code --live-restore})
     */
    public static CompletionStage<ContainerEngine> start(ActorSystem<?> system, Netwharf netwharf, Path dataRoot, Duration timeout,
                                                         boolean liveRestore) {
        return start(system, netwharf, netwharf.store(), dataRoot, timeout, liveRestore);
    }

    /**
     * As above, with the containers kept in {@code store} (tests give one of their own). The containers the store kept
     * are brought back first, each in its stored state (a running one with its process adopted, or exited when its
     * process is gone); then, as moby's daemon restore does, those whose restart policy says so and that ran before
     * are started (owners of a shared namespace before the containers that join them), and exited {@code --rm} ones
     * are removed. The stage completes after that, so nothing is answered before.
     */
    static CompletionStage<ContainerEngine> start(ActorSystem<?> system, Netwharf netwharf, Store store, Path dataRoot,
                                                  Duration timeout, boolean liveRestore) {
        return start(system, netwharf, store, dataRoot, timeout, liveRestore, null);
    }

    /**
     * As above, the containers' resolv.conf made from {@code hostResolvConf} instead of the host's /etc/resolv.conf
     * (null: that one, or systemd-resolved's list behind its stub, as moby chooses).
     */
    static CompletionStage<ContainerEngine> start(ActorSystem<?> system, Netwharf netwharf, Store store, Path dataRoot,
                                                  Duration timeout, boolean liveRestore, Path hostResolvConf) {
        ContainerEngine engine = new ContainerEngine(system, netwharf, store, dataRoot, timeout, liveRestore, hostResolvConf);
        engine.registry = system.systemActorOf(EngineActor.create(engine, netwharf, engine.launcher, dataRoot, timeout),
                "netwharf-containers-" + Ids.shortId(Ids.newId()), Props.empty());
        // Before the runtime's own task (service-stop): a process left running would keep its namespace alive.
        Supplier<CompletionStage<Done>> stop = engine::stop;
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "netwharf-stop-containers", stop);
        StoredState stored = store.load();
        return Asks.<EngineActor.Command, EngineActor.RestoreOutcome>ask(engine.registry,
                        replyTo -> new EngineActor.Restore(stored.containers(), stored.images(), replyTo), timeout.multipliedBy(2),
                        system.scheduler())
                .thenCompose(engine::afterRestore)
                .thenApply(v -> engine);
    }

    /** Starts what the restart policies start at the daemon's start, then removes the exited {@code --rm} containers. */
    private CompletionStage<Done> afterRestore(EngineActor.RestoreOutcome outcome) {
        return list().thenCompose(views -> {
            List<String> owners = views.stream().filter(v -> outcome.toRestart().contains(v.id()))
                    .filter(v -> !(v.config().networkMode() instanceof NetworkMode.Container)).map(ContainerView::id).toList();
            List<String> joiners = outcome.toRestart().stream().filter(id -> !owners.contains(id)).toList();
            return startEach(owners).thenCompose(v -> startEach(joiners));
        }).thenCompose(v -> CompletableFuture.allOf(outcome.toRemove().stream()
                        .map(id -> remove(id, true).toCompletableFuture().exceptionally(f -> Done.getInstance()))
                        .toArray(CompletableFuture[]::new)))
                .thenApply(v -> Done.getInstance());
    }

    /** Starts the containers concurrently; one that fails is logged and leaves the others alone. */
    private CompletionStage<Void> startEach(List<String> ids) {
        return CompletableFuture.allOf(ids.stream()
                .map(id -> start(id).toCompletableFuture().handle((started, failure) -> {
                    if (failure != null) {
                        LOG.warn("container {} could not be restarted by its policy at netwharf's start: {}", id,
                                KernelErrors.unwrap(failure).getMessage());
                    }
                    return null;
                }))
                .toArray(CompletableFuture[]::new));
    }

    /**
     * Stops the engine, then the process launcher. Without a durable store, as netwharf keeps nothing: every
     * container is stopped (its stop signal, SIGKILL after 2 s) and removed with its logs. With one, containers are
     * kept as Docker keeps them when its daemon stops: stopped (exited, their logs kept, a restart policy applies
     * again at the next start); or, with live restore, running ones are left running, to be adopted by the next start.
     */
    public CompletionStage<Done> stop() {
        CompletionStage<Done> stopped;
        if (!store.durable()) {
            stopped = stopAll()
                    .thenCompose(v -> list())
                    .thenCompose(views -> CompletableFuture.allOf(views.stream()
                            .map(c -> remove(c.id(), true).toCompletableFuture().exceptionally(f -> Done.getInstance()))
                            .toArray(CompletableFuture[]::new)))
                    .thenApply(v -> Done.getInstance());
        } else if (liveRestore) {
            stopped = CompletableFuture.completedFuture(Done.getInstance());
        } else {
            stopped = all().thenCompose(ids -> CompletableFuture.allOf(ids.stream()
                            .map(id -> this.<Boolean>ask(id, replyTo -> new ContainerActor.ShutDown(SHUTDOWN_GRACE, replyTo),
                                    SHUTDOWN_GRACE.plus(timeout.multipliedBy(2))).toCompletableFuture().exceptionally(f -> false))
                            .toArray(CompletableFuture[]::new)))
                    .thenApply(v -> Done.getInstance());
        }
        return stopped.whenComplete((done, failure) -> launcher.close());
    }

    /**
     * Creates a container (not started). Its id and creation time are made here; a missing name becomes the short id.
     * For bridge-style modes the mode's network comes first among the networks joined at start; host, none and
     * container modes take no endpoint settings but their own.
     */
    public CompletionStage<String> create(ContainerRequest request) {
        String id = Ids.newId();
        NetworkMode mode;
        int stopSignal;
        NameSettings names;
        try {
            mode = NetworkMode.parse(request.networkMode());
            names = NameRules.check(request.names(), mode);
            checkProcess(request);
            stopSignal = Signals.parse(request.stopSignal(), Signals.SIGTERM); // Docker's "Invalid signal: X" now, not at a stop
            request.endpoints().forEach((network, spec) -> endpointSettings(network, spec::validate));
            if (request.autoRemove() && !request.restartPolicy().isNone()) {
                throw NetwharfException.badParameter("can't create 'AutoRemove' container with restart policy");
            }
        } catch (NetwharfException e) {
            return CompletableFuture.failedFuture(e);
        }
        String name = request.name() == null || request.name().isEmpty() ? Ids.shortId(id) : stripSlash(request.name());
        ContainerConfig draft = new ContainerConfig(id, name, request.image(), request.cmd(), ImageInfo.environment(request.env()), request.workingDir(),
                request.user(), request.groupAdd(), mode, Map.of(), request.labels(), request.kept(),
                stopSignal, request.stopTimeout(), request.autoRemove(), request.restartPolicy(), Instant.now(),
                names, request.ports(), request.stdin());
        Map<String, EndpointSpec> asked = new LinkedHashMap<>();
        request.endpoints().forEach((network, spec) -> asked.put(NetworkMode.networkReference(network), spec));
        if (!mode.joinsNetworks()) {
            // The docker CLI sends the mode's own entry ("host", "none", "container"): nothing to join there.
            asked.remove(mode instanceof NetworkMode.Container ? "container" : mode.text());
            asked.remove(mode.text());
            if (!asked.isEmpty()) {
                return CompletableFuture.failedFuture(NetwharfException.badParameter(
                        "Container cannot be connected to network endpoints: " + String.join(", ", asked.keySet())
                                + " with network mode " + mode.text()));
            }
            if (mode instanceof NetworkMode.Container joined) {
                // Kept as container:<full id>, as Docker keeps it; one that names no container yet is kept as given
                // (Docker 20.10 creates it; its start answers "No such container").
                return inspect(joined.reference()).handle((owner, unknown) -> owner == null ? draft
                        : draft.withNetworkMode(new NetworkMode.Container(owner.id()))).thenCompose(this::createdAs);
            }
            return createdAs(draft);
        }
        // The mode's network first, then the others; named by network name when it exists, so later connects and
        // disconnects match whatever the user called it. Unknown ones are kept: the start fails on them, as in Docker.
        // The runtime lists networks from its registry: no bridge's owner is asked, so creating waits for no wiring.
        List<String> references = new ArrayList<>();
        references.add(mode.network());
        asked.keySet().stream().filter(k -> !k.equals(mode.network())).forEach(references::add);
        return netwharf.listNetworks().thenCompose(known -> {
            Map<String, EndpointSpec> networks = new LinkedHashMap<>();
            for (String reference : references) {
                EndpointSpec spec = asked.getOrDefault(reference, EndpointSpec.DYNAMIC);
                NetworkInfo network = network(reference, known);
                if (network != null) {
                    // Refused now rather than at the start: an address the network can never give this container.
                    endpointSettings(reference, () -> spec.checkFor(network));
                }
                if (networks.put(network == null ? reference : network.name(), spec) != null) {
                    return CompletableFuture.failedFuture(NetwharfException.badParameter("network " + reference + " is named twice"));
                }
            }
            return createdAs(draft.withNetworks(networks));
        });
    }

    /**
     * Refuses, before anything is made, a process that can never start: a NUL byte in its arguments, its environment
     * or its working directory (no system call can take one), a working directory that is relative (Docker's
     * message) or longer than a path may be, or a user or group that does not exist. What may change until the start
     * (the working directory's and the program's existence) is checked at each start.
     */
    private void checkProcess(ContainerRequest request) {
        for (int i = 0; i < request.cmd().size(); i++) {
            if (request.cmd().get(i).indexOf('\0') >= 0) {
                throw NetwharfException.badParameter("invalid command (Entrypoint and Cmd): argument " + (i + 1) + " contains a NUL byte");
            }
        }
        for (int i = 0; i < request.env().size(); i++) {
            if (request.env().get(i).indexOf('\0') >= 0) {
                throw NetwharfException.badParameter("invalid Env: entry " + (i + 1) + " contains a NUL byte");
            }
        }
        String dir = request.workingDir();
        if (dir != null && !dir.isEmpty()) {
            if (dir.indexOf('\0') >= 0) {
                throw NetwharfException.badParameter("invalid WorkingDir: it contains a NUL byte");
            }
            if (!dir.startsWith("/")) {
                throw NetwharfException.badParameter("the working directory '" + dir + "' is invalid, it needs to be an absolute path");
            }
            int bytes = dir.getBytes(StandardCharsets.UTF_8).length;
            if (bytes >= PATH_MAX) {
                throw NetwharfException.badParameter("invalid WorkingDir: it is " + bytes + " bytes long, a path has at most "
                        + (PATH_MAX - 1));
            }
        }
        if (request.user() != null && request.user().indexOf('\0') >= 0) {
            throw NetwharfException.badParameter("invalid User: it contains a NUL byte");
        }
        if ((request.user() != null && !request.user().isEmpty()) || !request.groupAdd().isEmpty()) {
            users.resolve(request.user(), request.groupAdd());
        }
    }

    /** The user lookup, for the containers' starts. */
    ContainerUser users() {
        return users;
    }

    ContainerFiles files() {
        return files;
    }

    /**
     * The network {@code reference} names, by the shared resolver (an ambiguous one is refused now); null for an
     * unknown one, kept as it is for the start to refuse as Docker does.
     */
    private static NetworkInfo network(String reference, List<NetworkInfo> known) {
        try {
            return Resolver.<NetworkInfo>networks().resolve(reference, known, NetworkInfo::id, NetworkInfo::name);
        } catch (NetwharfException e) {
            if (e.kind() == NetwharfException.Kind.NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

    /** Runs a check of one network's endpoint settings; a refusal names the network, in Docker's words. */
    private static void endpointSettings(String network, Runnable check) {
        try {
            check.run();
        } catch (NetwharfException e) {
            throw NetwharfException.badParameter("invalid config for network " + network + ": invalid endpoint settings:\n" + e.getMessage());
        }
    }

    private CompletionStage<String> createdAs(ContainerConfig config) {
        return Asks.askWithStatus(registry, replyTo -> new EngineActor.Create(config, replyTo), timeout, system.scheduler());
    }

    /**
     * What happened to containers, images and networks, as Docker's events ({@link Netwharf#events()}): the engine
     * publishes its containers' and images' events there, the runtime its networks'.
     */
    public EventLog events() {
        return netwharf.events();
    }

    /** Where the engine keeps container logs (and the runtime its store): Docker's root dir. */
    public Path dataRoot() {
        return dataRoot;
    }

    /** Whether running containers are left running when the engine stops, to be adopted by the next start. */
    public boolean liveRestore() {
        return liveRestore && store.durable();
    }

    /** Completes with false when it was already running. */
    public CompletionStage<Boolean> start(String container) {
        return ask(container, ContainerActor.Start::new, timeout.multipliedBy(2));
    }

    /** SIGTERM or {@code signal}, SIGKILL after {@code grace}; completes with false when it was not running. */
    public CompletionStage<Boolean> stop(String container, Duration grace, int signal) {
        return ask(container, replyTo -> new ContainerActor.Stop(grace, signal, replyTo), grace.plus(timeout.multipliedBy(2)));
    }

    public CompletionStage<Done> kill(String container, int signal) {
        return ask(container, replyTo -> new ContainerActor.Kill(signal, replyTo), timeout.multipliedBy(2));
    }

    public CompletionStage<Done> restart(String container, Duration grace) {
        return ask(container, replyTo -> new ContainerActor.Restart(grace, replyTo), grace.plus(timeout.multipliedBy(3)));
    }

    /**
     * Waits for {@code condition}. The outer stage completes once the container is found (or fails: no such
     * container); the inner one with the exit code once the condition holds, which may take as long as it runs. A
     * container removed meanwhile answers with its last exit code.
     */
    public CompletionStage<CompletionStage<Integer>> waitFor(String container, ContainerActor.WaitCondition condition) {
        return inspect(container).thenApply(found -> this.<Integer>ask(found.id(),
                        replyTo -> new ContainerActor.Wait(condition, replyTo), FOREVER)
                .exceptionally(failure -> {
                    if (KernelErrors.describe("wait", failure).kind() == NetwharfException.Kind.NOT_FOUND) {
                        return found.exitCode();
                    }
                    throw failure instanceof CompletionException e ? e : new CompletionException(failure);
                }));
    }

    /** Removes a container; a running one only with {@code force}, which kills it first. */
    public CompletionStage<Done> remove(String container, boolean force) {
        return Asks.askWithStatus(registry, replyTo -> new EngineActor.Remove(container, force, replyTo), timeout.multipliedBy(3),
                system.scheduler());
    }

    /**
     * Renames a container (by id, name or unique id prefix), with Docker's refusals: an empty or unchanged name, a
     * name outside Docker's pattern (400), one in use (409). Everywhere at once: lookups, lists, the store and, while
     * it runs, the embedded DNS (the old name stops resolving on its networks, the new one resolves; aliases and short
     * id stay). Its hosts file is left as it is, as Docker leaves it.
     */
    public CompletionStage<Done> rename(String container, String name) {
        return Asks.askWithStatus(registry, replyTo -> new EngineActor.Rename(container, name == null ? "" : name, replyTo),
                timeout.multipliedBy(2), system.scheduler());
    }

    public CompletionStage<ContainerView> inspect(String container) {
        return ask(container, ContainerActor.Inspect::new, timeout);
    }

    /** {@code docker exec}'s create: a session for a process to run beside the running {@code container}'s. */
    public CompletionStage<ExecSession> createExec(String container, ExecSession.Request request) {
        return execs.create(container, request);
    }

    /** Runs the session's process; completes once it runs (its exit: {@link ExecSession#exit}). */
    public CompletionStage<ExecSession> startExec(String execId) {
        return execs.start(execId);
    }

    /** @throws NetwharfException (not found) for an unknown session */
    public ExecSession exec(String execId) {
        return execs.session(execId);
    }

    /** Every container, newest first. */
    public CompletionStage<List<ContainerView>> list() {
        return all().thenCompose(ids -> {
            // A container removed meanwhile is refused as unknown: leave it out rather than fail the whole list.
            List<CompletableFuture<ContainerView>> views = ids.stream()
                    .map(id -> inspect(id).toCompletableFuture().exceptionally(f -> null)).toList();
            return CompletableFuture.allOf(views.toArray(CompletableFuture[]::new))
                    .thenApply(v -> views.stream().map(CompletableFuture::join).filter(Objects::nonNull)
                            .sorted(Comparator.comparing((ContainerView c) -> c.config().created()).reversed()).toList());
        });
    }

    /** Connects now if it runs; otherwise remembers the network for its next start. */
    public CompletionStage<Done> connect(String container, String network, EndpointSpec spec) {
        return ask(container, replyTo -> new ContainerActor.Connect(network, spec, replyTo), timeout.multipliedBy(2));
    }

    public CompletionStage<Done> disconnect(String container, String network) {
        return ask(container, replyTo -> new ContainerActor.Disconnect(network, replyTo), timeout.multipliedBy(2));
    }

    // ---- images: names for the host's filesystem --------------------------------------------------------------

    /**
     * Makes {@code reference} a known image: nothing is downloaded, a container's process runs on the host's files.
     * Completes (durably) with true when the name is new, false when it was known.
     */
    public CompletionStage<Boolean> pullImage(ImageReference reference) {
        return Asks.askWithStatus(registry, replyTo -> new EngineActor.PullImage(reference, replyTo), timeout, system.scheduler());
    }

    /** The image a name or id refers to; fails with Docker's "No such image: debian:latest" (not found). */
    public CompletionStage<ImageInfo> image(String reference) {
        return Asks.askWithStatus(registry, replyTo -> new EngineActor.FindImage(reference, replyTo), timeout, system.scheduler());
    }

    /** Every known image, oldest first. */
    public CompletionStage<List<ImageInfo>> images() {
        return Asks.ask(registry, EngineActor.ListImages::new, timeout, system.scheduler());
    }

    /**
     * Forgets an image, answering it. Without {@code force}, refused (conflict) while a container created from it
     * exists, as Docker refuses; with it, the containers keep their image name and run as before.
     */
    public CompletionStage<ImageInfo> removeImage(String reference, boolean force) {
        return Asks.askWithStatus(registry, replyTo -> new EngineActor.RemoveImage(reference, force, replyTo), timeout, system.scheduler());
    }

    /** Stops every running container (SIGTERM, SIGKILL after 2 s), all at once: their processes exit together. */
    private CompletionStage<Done> stopAll() {
        return all().thenCompose(actors -> stopEach(actors, SHUTDOWN_GRACE, Signals.SIGTERM));
    }

    // ---- for ContainerActor ------------------------------------------------------------------------------------

    /** Where containers are kept. */
    Store store() {
        return store;
    }

    void restored(String id, boolean restart, boolean remove) {
        registry.tell(new EngineActor.Restored(id, restart, remove));
    }

    void joined(String owner, String joiner) {
        registry.tell(new EngineActor.Joined(owner, joiner));
    }

    void left(String owner, String joiner) {
        registry.tell(new EngineActor.Left(owner, joiner));
    }

    /** Stops, at once, the containers that joined {@code owner}'s namespace: it is about to go. */
    CompletionStage<Done> stopJoinersOf(String owner) {
        return Asks.<EngineActor.Command, List<String>>ask(registry, replyTo -> new EngineActor.JoinersOf(owner, replyTo), timeout,
                system.scheduler()).thenCompose(ids -> stopEach(ids, Duration.ZERO, Signals.SIGKILL));
    }

    /** Stops the containers concurrently; one that cannot be stopped (or is gone) does not hold up the others. */
    private CompletionStage<Done> stopEach(List<String> ids, Duration grace, int signal) {
        return CompletableFuture.allOf(ids.stream()
                        .map(id -> stop(id, grace, signal).toCompletableFuture().exceptionally(f -> false))
                        .toArray(CompletableFuture[]::new))
                .thenApply(v -> Done.getInstance());
    }

    // ---- asking ------------------------------------------------------------------------------------------------

    private CompletionStage<List<String>> all() {
        return Asks.ask(registry, EngineActor.All::new, timeout, system.scheduler());
    }

    /** Asks the container {@code container} names, through the registry (which refuses it when there is none). */
    private <T> CompletionStage<T> ask(String container, Function<ActorRef<StatusReply<T>>, ContainerActor.Command> message,
                                       Duration within) {
        return Asks.askWithStatus(registry, replyTo -> new EngineActor.Forward(container, message.apply(replyTo)), within,
                system.scheduler());
    }

    private static String stripSlash(String name) {
        return name.startsWith("/") ? name.substring(1) : name;
    }
}
