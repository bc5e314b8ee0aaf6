package io.netwharf.container;

import io.netwharf.Netwharf;
import io.netwharf.kernel.ContainerProcess;
import io.netwharf.kernel.ExecutableNotFoundException;
import io.netwharf.kernel.Netns;
import io.netwharf.kernel.ProcessLauncher;
import io.netwharf.protocol.model.ContainerInfo;
import io.netwharf.protocol.model.ContainerSpec;
import io.netwharf.protocol.model.EndpointInfo;
import io.netwharf.protocol.model.EndpointSpec;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.actor.KernelErrors;

import org.apache.pekko.Done;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * One container's life, owned by one actor: created → running → exited, and back by start. It owns the container's
 * process (started inside the namespace the runtime makes at each start) and its log files. Starting asks the
 * runtime for the namespace and endpoints, then starts the process; stopping signals the process, waits for it,
 * stops the containers that joined this one's namespace, and asks the runtime to remove the namespace, as Docker
 * releases a stopped container's network. While a start or stop is under way, later commands wait their turn;
 * inspections and waits are answered at once.
 */
public final class ContainerActor {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerActor.class);
    private static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public sealed interface Command {}

    /** A command whose answer can be an error. */
    public interface Answered<T> {
        ActorRef<StatusReply<T>> replyTo();
    }

    /** Answers false when it was already running (Docker: 304). */
    public record Start(ActorRef<StatusReply<Boolean>> replyTo) implements Command, Answered<Boolean> {}

    /** Answers false when it was not running (Docker: 304). */
    public record Stop(Duration timeout, int signal, ActorRef<StatusReply<Boolean>> replyTo) implements Command, Answered<Boolean> {}

    public record Kill(int signal, ActorRef<StatusReply<Done>> replyTo) implements Command, Answered<Done> {}

    public record Restart(Duration timeout, ActorRef<StatusReply<Done>> replyTo) implements Command, Answered<Done> {}

    /** Answered with the exit code once the condition holds. */
    public record Wait(WaitCondition condition, ActorRef<StatusReply<Integer>> replyTo) implements Command, Answered<Integer> {}

    /** Removes the container; a running one only when forced (killed first). The actor stops when the registry retires it. */
    public record Remove(boolean force, ActorRef<StatusReply<Done>> replyTo) implements Command, Answered<Done> {}

    public record Inspect(ActorRef<StatusReply<ContainerView>> replyTo) implements Command, Answered<ContainerView> {}

    /** From the registry, once it has forgotten a removed container: every command sent before it has been answered. */
    record Retire() implements Command {}

    public record Connect(String network, EndpointSpec spec, ActorRef<StatusReply<Done>> replyTo) implements Command, Answered<Done> {}

    public record Disconnect(String network, ActorRef<StatusReply<Done>> replyTo) implements Command, Answered<Done> {}

    private record Exited(int pid, int exitCode) implements Command {}

    private record StepDone(Object value, Throwable failure, BiFunction<Object, Throwable, Behavior<Command>> next) implements Command {}

    /** Docker's {@code condition} of {@code POST /containers/{id}/wait}. */
    public enum WaitCondition { NOT_RUNNING, NEXT_EXIT, REMOVED }

    private final ActorContext<Command> context;
    private final StashBuffer<Command> stash;
    private final ContainerEngine engine;
    private final Netwharf netwharf;
    private final ProcessLauncher launcher;
    private final Path logDirectory;
    private ContainerConfig config;
    private ContainerView.Status status = ContainerView.Status.CREATED;
    private ContainerProcess process;
    private ContainerInfo network;
    private int exitCode;
    private String error = "";
    private Instant startedAt;
    private Instant finishedAt;
    private int restartCount;
    private final List<Wait> waitingForExit = new ArrayList<>();
    private final List<Wait> waitingForRemoval = new ArrayList<>();

    private ContainerActor(ActorContext<Command> context, StashBuffer<Command> stash, ContainerEngine engine, Netwharf netwharf,
                           ProcessLauncher launcher, ContainerConfig config, Path logDirectory) {
        this.context = context;
        this.stash = stash;
        this.engine = engine;
        this.netwharf = netwharf;
        this.launcher = launcher;
        this.config = config;
        this.logDirectory = logDirectory;
    }

    static Behavior<Command> create(ContainerEngine engine, Netwharf netwharf, ProcessLauncher launcher, ContainerConfig config,
                                    Path logDirectory) {
        return Behaviors.withStash(10_000, stash -> Behaviors.setup(context ->
                new ContainerActor(context, stash, engine, netwharf, launcher, config, logDirectory).idle()));
    }

    private Behavior<Command> idle() {
        return Behaviors.receive(Command.class)
                .onMessage(Start.class, this::onStart)
                .onMessage(Stop.class, this::onStop)
                .onMessage(Kill.class, this::onKill)
                .onMessage(Restart.class, this::onRestart)
                .onMessage(Remove.class, this::onRemove)
                .onMessage(Connect.class, this::onConnect)
                .onMessage(Disconnect.class, this::onDisconnect)
                .onMessage(Exited.class, this::onExited)
                .onMessage(Wait.class, this::onWait)
                .onMessage(Inspect.class, this::onInspect)
                .build();
    }

    /** Runs {@code step}, then {@code next} inside the actor; meanwhile other commands wait, but for looks and waits. */
    @SuppressWarnings("unchecked")
    private <T> Behavior<Command> busyUntil(CompletionStage<T> step, BiFunction<T, Throwable, Behavior<Command>> next) {
        context.pipeToSelf(step, (value, failure) -> new StepDone(value, failure, (v, f) -> next.apply((T) v, f)));
        return Behaviors.receive(Command.class)
                .onMessage(StepDone.class, done -> {
                    Behavior<Command> after = done.next().apply(done.value(), done.failure());
                    return Behavior.isAlive(after) ? stash.unstashAll(after) : after;
                })
                .onMessage(Wait.class, this::onWait)
                .onMessage(Inspect.class, this::onInspect)
                .onAnyMessage(m -> {
                    stash.stash(m);
                    return Behaviors.same();
                })
                .build();
    }

    // ---- start -------------------------------------------------------------------------------------------------

    private Behavior<Command> onStart(Start start) {
        if (status == ContainerView.Status.RUNNING) {
            start.replyTo().tell(StatusReply.success(false));
            return Behaviors.same();
        }
        return startThen(failure -> start.replyTo().tell(failure == null ? StatusReply.success(true) : StatusReply.error(failure)));
    }

    /** Wires the network, then starts the process; {@code done} hears the outcome (null: started). */
    private Behavior<Command> startThen(Consumer<NetwharfException> done) {
        return busyUntil(wireNetwork(), (info, failure) -> {
            if (failure != null) {
                NetwharfException refused = KernelErrors.describe("start container " + config.name(), failure);
                error = refused.getMessage();
                done.accept(refused);
                return idle();
            }
            network = info;
            try {
                process = launch(info);
            } catch (RuntimeException e) {
                NetwharfException refused = e instanceof ExecutableNotFoundException
                        ? NetwharfException.badParameter("failed to create task for container: " + e.getMessage())
                        : KernelErrors.describe("start the process of container " + config.name(), e);
                error = refused.getMessage();
                exitCode = 127;
                return busyUntil(releaseNetwork(), (v, f) -> {
                    done.accept(refused);
                    return idle();
                });
            }
            status = ContainerView.Status.RUNNING;
            startedAt = Instant.now();
            error = "";
            if (network.sharesWith() != null) {
                engine.joined(network.sharesWith(), config.id());
            }
            if (process != null) {
                int pid = process.pid();
                process.exitCode().thenAccept(code -> context.getSelf().tell(new Exited(pid, code)));
            }
            done.accept(null);
            return idle();
        });
    }

    /** Asks the runtime for the namespace and endpoints, naming a {@code container:} owner by its id. */
    private CompletionStage<ContainerInfo> wireNetwork() {
        CompletionStage<String> mode;
        if (config.networkMode().startsWith(ContainerConfig.CONTAINER_MODE)) {
            mode = engine.inspect(config.networkMode().substring(ContainerConfig.CONTAINER_MODE.length())).thenApply(owner -> {
                if (!owner.running()) {
                    throw NetwharfException.conflict("cannot join network of a non running container: " + owner.id());
                }
                return ContainerConfig.CONTAINER_MODE + owner.id();
            });
        } else if (config.joinsNetworks()) {
            // Disconnected from every network: a namespace with loopback only, as Docker starts it.
            mode = CompletableFuture.completedFuture(config.networks().isEmpty() ? "none" : config.networks().keySet().iterator().next());
        } else {
            mode = CompletableFuture.completedFuture(config.networkMode());
        }
        return mode.thenCompose(m -> netwharf.createContainer(new ContainerSpec(config.id(), config.name(), m, config.networks())));
    }

    /** Starts the process inside the container's namespace; null when the container has no command. */
    private ContainerProcess launch(ContainerInfo info) {
        if (config.cmd().isEmpty()) {
            return null;
        }
        List<String> env = new ArrayList<>();
        if (config.env().stream().noneMatch(e -> e.startsWith("PATH="))) {
            env.add(DEFAULT_PATH);
        }
        env.add("HOSTNAME=" + config.id().substring(0, 12));
        env.addAll(config.env());
        try (Netns namespace = Netns.open(Path.of(info.sandboxKey()))) {
            return launcher.launch(namespace, config.cmd(), env, config.workingDirectory(), stdoutLog(), stderrLog());
        }
    }

    // ---- stop --------------------------------------------------------------------------------------------------

    private Behavior<Command> onStop(Stop stop) {
        if (status != ContainerView.Status.RUNNING) {
            stop.replyTo().tell(StatusReply.success(false));
            return Behaviors.same();
        }
        return busyUntil(stopSequence(stop.timeout(), stop.signal()), (code, failure) -> {
            exitedWith(code);
            stop.replyTo().tell(failure == null ? StatusReply.success(true)
                    : StatusReply.error(KernelErrors.describe("stop container " + config.name(), failure)));
            removeIfAsked();
            return idle();
        });
    }

    private Behavior<Command> onKill(Kill kill) {
        if (status != ContainerView.Status.RUNNING) {
            kill.replyTo().tell(StatusReply.error(NetwharfException.conflict("Container " + config.id() + " is not running")));
            return Behaviors.same();
        }
        if (process != null) {
            // The exit, when it comes, takes the network down (onExited).
            process.signal(kill.signal());
            kill.replyTo().tell(StatusReply.ack());
            return Behaviors.same();
        }
        return busyUntil(stopSequence(Duration.ZERO, kill.signal()), (code, failure) -> {
            exitedWith(code);
            kill.replyTo().tell(failure == null ? StatusReply.ack() : StatusReply.error(KernelErrors.describe("kill container " + config.name(), failure)));
            removeIfAsked();
            return idle();
        });
    }

    private Behavior<Command> onRestart(Restart restart) {
        Consumer<NetwharfException> answer = failure ->
                restart.replyTo().tell(failure == null ? StatusReply.ack() : StatusReply.error(failure));
        if (status != ContainerView.Status.RUNNING) {
            return startThen(answer);
        }
        return busyUntil(stopSequence(restart.timeout(), Signals.SIGTERM), (code, failure) -> {
            exitedWith(code);
            if (failure != null) {
                answer.accept(KernelErrors.describe("restart container " + config.name(), failure));
                return idle();
            }
            restartCount++;
            return startThen(answer);
        });
    }

    /**
     * Signals the process (SIGKILL after {@code timeout}), waits for its exit, stops the containers that joined this
     * one's namespace, and releases the network. Completes with the exit code.
     */
    private CompletionStage<Integer> stopSequence(Duration timeout, int signal) {
        CompletionStage<Integer> exited;
        if (process == null) {
            // Nothing runs: the namespace alone stops, as if the signal had ended a process.
            exited = CompletableFuture.completedFuture(signal == Signals.SIGTERM || signal == Signals.SIGKILL ? 128 + signal : 0);
        } else {
            ContainerProcess running = process;
            running.signal(signal);
            Cancellable kill = context.getSystem().scheduler().scheduleOnce(timeout, () -> running.signal(Signals.SIGKILL),
                    context.getExecutionContext());
            exited = running.exitCode().whenComplete((code, failure) -> kill.cancel());
        }
        return exited.thenCompose(code -> releaseNetwork().thenApply(v -> code));
    }

    /** Stops the containers sharing this namespace, then has the runtime remove it with the endpoints. */
    private CompletionStage<Done> releaseNetwork() {
        String owner = network == null ? null : network.sharesWith();
        return engine.stopJoinersOf(config.id())
                .thenCompose(v -> netwharf.removeContainer(config.id(), true))
                .exceptionally(failure -> {
                    NetwharfException e = KernelErrors.describe("release the network of " + config.name(), failure);
                    if (e.kind() != NetwharfException.Kind.NOT_FOUND) {
                        throw e;
                    }
                    return Done.getInstance(); // already gone with the namespace's owner
                })
                .whenComplete((v, f) -> {
                    if (owner != null) {
                        engine.left(owner, config.id());
                    }
                });
    }

    private Behavior<Command> onExited(Exited exited) {
        if (status != ContainerView.Status.RUNNING || process == null || process.pid() != exited.pid()) {
            return Behaviors.same(); // a stop already saw this exit through
        }
        LOG.debug("container {} exited with {}", config.name(), exited.exitCode());
        return busyUntil(releaseNetwork(), (v, failure) -> {
            if (failure != null) {
                LOG.error("container {} exited, but its network could not be released: {}", config.name(), failure.getMessage());
            }
            exitedWith(exited.exitCode());
            removeIfAsked();
            return idle();
        });
    }

    /** {@code docker run --rm}: once stopped or exited, the container removes itself, through the registry. */
    private void removeIfAsked() {
        if (config.autoRemove()) {
            engine.remove(config.id(), true).whenComplete((done, failure) -> {
                if (failure != null) {
                    LOG.warn("container {} exited but could not remove itself: {}", config.name(), failure.getMessage());
                }
            });
        }
    }

    private void exitedWith(Integer code) {
        status = ContainerView.Status.EXITED;
        exitCode = code == null ? 0 : code;
        finishedAt = Instant.now();
        process = null;
        network = null;
        waitingForExit.forEach(w -> w.replyTo().tell(StatusReply.success(exitCode)));
        waitingForExit.clear();
    }

    // ---- removal -----------------------------------------------------------------------------------------------

    private Behavior<Command> onRemove(Remove remove) {
        if (status == ContainerView.Status.RUNNING && !remove.force()) {
            remove.replyTo().tell(StatusReply.error(NetwharfException.conflict("You cannot remove a running container " + config.id()
                    + ". Stop the container before attempting removal or force remove")));
            return Behaviors.same();
        }
        CompletionStage<Integer> stopped = status == ContainerView.Status.RUNNING ? stopSequence(Duration.ZERO, Signals.SIGKILL)
                : CompletableFuture.completedFuture(exitCode);
        return busyUntil(stopped, (code, failure) -> {
            if (failure != null) {
                remove.replyTo().tell(StatusReply.error(KernelErrors.describe("remove container " + config.name(), failure)));
                return idle();
            }
            exitedWith(code);
            deleteLogs();
            waitingForRemoval.forEach(w -> w.replyTo().tell(StatusReply.success(exitCode)));
            remove.replyTo().tell(StatusReply.ack());
            stash.forEach(this::refuseRemoved);
            return removed();
        });
    }

    /**
     * Removed, until the registry retires it: commands that reached it meanwhile are answered as for a container that
     * does not exist (a wait: its condition holds), so none waits for an actor that is gone.
     */
    private Behavior<Command> removed() {
        return Behaviors.receive(Command.class)
                .onMessage(Retire.class, m -> Behaviors.stopped())
                .onAnyMessage(m -> {
                    refuseRemoved(m);
                    return Behaviors.same();
                })
                .build();
    }

    private void refuseRemoved(Command command) {
        if (command instanceof Wait wait) {
            wait.replyTo().tell(StatusReply.success(exitCode));
        } else if (command instanceof Answered<?> waiting) {
            refuse(waiting, NetwharfException.notFound("No such container: " + config.id()));
        }
    }

    private static <T> void refuse(Answered<T> command, NetwharfException error) {
        command.replyTo().tell(StatusReply.error(error));
    }

    private void deleteLogs() {
        try (Stream<Path> files = Files.walk(logDirectory)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warn("could not delete the logs of container {} in {}: {}", config.name(), logDirectory, e.getMessage());
        }
    }

    // ---- networks ----------------------------------------------------------------------------------------------

    private Behavior<Command> onConnect(Connect connect) {
        // pipework gives a running none container interfaces for as long as it runs, as pipework's own do: not kept
        // for the next start, whose mode is still none.
        boolean pipework = config.networkMode().equals("none") && connect.spec().noneMode();
        if (!config.joinsNetworks() && !pipework) {
            connect.replyTo().tell(StatusReply.error(NetwharfException.badParameter(config.networkMode().equals("none")
                    ? "container cannot be connected to multiple networks with one of the networks in private (none) mode"
                    : "container sharing network namespace with another container or host cannot be connected to any other network")));
            return Behaviors.same();
        }
        if (pipework && status != ContainerView.Status.RUNNING) {
            connect.replyTo().tell(StatusReply.error(NetwharfException.conflict("container " + config.name()
                    + " is not running: a none container's namespace exists only while it runs")));
            return Behaviors.same();
        }
        if (status == ContainerView.Status.RUNNING) {
            return busyUntil(netwharf.connect(config.id(), connect.network(), connect.spec()), (endpoint, failure) -> {
                if (failure == null) {
                    if (!pipework) {
                        remember(endpoint.networkName(), connect.spec());
                    }
                    Map<String, EndpointInfo> endpoints = new LinkedHashMap<>(network.endpoints());
                    endpoints.put(endpoint.networkName(), endpoint);
                    network = withEndpoints(endpoints);
                }
                reply(connect.replyTo(), "connect " + config.name() + " to " + connect.network(), failure);
                return idle();
            });
        }
        // Not running: check the network and remember it for the next start.
        return busyUntil(netwharf.inspectNetwork(connect.network()), (info, failure) -> {
            if (failure == null && config.networks().containsKey(info.name())) {
                failure = NetwharfException.forbidden("endpoint with name " + config.name() + " already exists in network " + info.name());
            } else if (failure == null && info.isDefault() && (connect.spec().ipv4Address() != null || !connect.spec().aliases().isEmpty())) {
                failure = NetwharfException.badParameter(connect.spec().ipv4Address() != null
                        ? "user specified IP address is supported on user defined networks only"
                        : "network-scoped alias is supported only for containers in user defined networks");
            }
            if (failure == null) {
                remember(info.name(), connect.spec());
            }
            reply(connect.replyTo(), "connect " + config.name() + " to " + connect.network(), failure);
            return idle();
        });
    }

    private Behavior<Command> onDisconnect(Disconnect disconnect) {
        if (status == ContainerView.Status.RUNNING) {
            return busyUntil(netwharf.inspectNetwork(disconnect.network())
                    .thenCompose(info -> netwharf.disconnect(config.id(), info.id()).thenApply(v -> info)), (info, failure) -> {
                if (failure == null) {
                    forget(info.name());
                    Map<String, EndpointInfo> endpoints = new LinkedHashMap<>(network.endpoints());
                    endpoints.remove(info.name());
                    network = withEndpoints(endpoints);
                }
                reply(disconnect.replyTo(), "disconnect " + config.name() + " from " + disconnect.network(), failure);
                return idle();
            });
        }
        return busyUntil(netwharf.inspectNetwork(disconnect.network()), (info, failure) -> {
            if (failure == null && !config.networks().containsKey(info.name())) {
                // 403 as the runtime answers for a running container (Docker says 500, but nothing failed here).
                failure = NetwharfException.forbidden("container " + config.id() + " is not connected to network " + info.name());
            }
            if (failure == null) {
                forget(info.name());
            }
            reply(disconnect.replyTo(), "disconnect " + config.name() + " from " + disconnect.network(), failure);
            return idle();
        });
    }

    private void remember(String networkName, EndpointSpec spec) {
        Map<String, EndpointSpec> networks = new LinkedHashMap<>(config.networks());
        networks.put(networkName, spec);
        config = config.withNetworks(networks);
    }

    private void forget(String networkName) {
        Map<String, EndpointSpec> networks = new LinkedHashMap<>(config.networks());
        networks.remove(networkName);
        config = config.withNetworks(networks);
    }

    private ContainerInfo withEndpoints(Map<String, EndpointInfo> endpoints) {
        return new ContainerInfo(network.id(), network.name(), network.networkMode(), network.sandboxKey(), network.sharesWith(), endpoints);
    }

    private static void reply(ActorRef<StatusReply<Done>> replyTo, String step, Throwable failure) {
        replyTo.tell(failure == null ? StatusReply.ack() : StatusReply.error(KernelErrors.describe(step, failure)));
    }

    // ---- looking -----------------------------------------------------------------------------------------------

    private Behavior<Command> onWait(Wait wait) {
        switch (wait.condition()) {
            case NOT_RUNNING -> {
                if (status != ContainerView.Status.RUNNING) {
                    wait.replyTo().tell(StatusReply.success(exitCode));
                } else {
                    waitingForExit.add(wait);
                }
            }
            case NEXT_EXIT -> waitingForExit.add(wait);
            case REMOVED -> waitingForRemoval.add(wait);
        }
        return Behaviors.same();
    }

    private Behavior<Command> onInspect(Inspect inspect) {
        inspect.replyTo().tell(StatusReply.success(new ContainerView(config, status, process == null ? 0 : process.pid(), exitCode,
                error, startedAt, finishedAt, restartCount, network, stdoutLog(), stderrLog())));
        return Behaviors.same();
    }

    private Path stdoutLog() {
        return logDirectory.resolve("stdout.log");
    }

    private Path stderrLog() {
        return logDirectory.resolve("stderr.log");
    }
}
