package io.netwharf.container;

import io.netwharf.Netwharf;
import io.netwharf.actor.Answered;
import io.netwharf.kernel.ContainerProcess;
import io.netwharf.kernel.Credentials;
import io.netwharf.kernel.FaultPoint;
import io.netwharf.kernel.NameView;
import io.netwharf.kernel.Netns;
import io.netwharf.kernel.ProcessLauncher;
import io.netwharf.kernel.ProcessRefusedException;
import io.netwharf.kernel.ProcessStartTime;
import io.netwharf.protocol.model.ContainerInfo;
import io.netwharf.protocol.model.ContainerSpec;
import io.netwharf.protocol.model.EndpointInfo;
import io.netwharf.protocol.model.EndpointSpec;
import io.netwharf.protocol.model.Event;
import io.netwharf.protocol.model.Ids;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.protocol.model.NetworkMode;
import io.netwharf.protocol.model.Resolver;
import io.netwharf.actor.KernelErrors;
import io.netwharf.store.Change;
import io.netwharf.store.Store;
import io.netwharf.store.StoredContainer;

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
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * One container's life, owned by one actor: created → running → exited, and back by start. It owns the container's
 * process (started inside the namespace the runtime makes at each start) and its log files. Starting asks the
 * runtime for the namespace and endpoints, then starts the process; stopping signals the process, waits for it,
 * stops the containers that joined this one's namespace, and asks the runtime to remove the namespace, as Docker
 * releases a stopped container's network. While a start or stop is under way, later commands wait their turn;
 * inspections and waits are answered at once.
 *
 * <p>Two behaviours: {@link #idle()} and {@link #busy(Step)}, while one {@link Step} is under way. Each step's
 * outcome comes back as a typed message ({@link NetworkWired}, {@link Stopped}, {@link Connected}...) or as
 * {@link StepFailed} naming the step, as in Pekko's {@code StashDocSample}.
 *
 * <p>Every change of its state is written to the store ({@link Change.PutContainer}, {@link Change.DeleteContainer}
 * at removal); a command is answered once the change it made is durable. A process that exits by itself is started
 * again as its {@link RestartPolicy} says, after {@link RestartBackoff}'s delay (status restarting meanwhile). A
 * container restored at the engine's start comes back in its stored state; a running one with its process adopted.
 */
public final class ContainerActor {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerActor.class);

    public sealed interface Command {}

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

    /**
     * From the registry, which has checked and reserved {@code name}: the container is called so from now on, in its
     * row and, while it runs, in the names the embedded DNS answers for it. Answered once durable.
     */
    record Rename(String name, ActorRef<StatusReply<Done>> replyTo) implements Command, Answered<Done> {}

    private record Exited(int pid, int exitCode) implements Command {}

    /** Its restart policy's delay is over: started again. */
    private record RestartDue() implements Command {}

    /**
     * The engine stops: the process is stopped (its stop signal, SIGKILL after {@code timeout}) and the container
     * kept, not marked as stopped by a user (a restart policy applies again at the next start, as Docker's).
     */
    record ShutDown(Duration timeout, ActorRef<StatusReply<Boolean>> replyTo) implements Command, Answered<Boolean> {}

    // ---- the steps a command may start, and their outcomes ----------------------------------------------------

    /** A step under way and the command it serves; {@link #describe()} names it in logs and errors. */
    private sealed interface Step {
        String describe(ContainerConfig config);
    }

    /** Wiring the network for a {@link Start}, a {@link Restart} or a {@link RestartDue}. */
    private record Starting(Command origin) implements Step {
        public String describe(ContainerConfig config) {
            return "start container " + config.name();
        }
    }

    /** The process could not start: the network just wired is released again before {@code refused} is told. */
    private record UndoingStart(Starting failed, NetwharfException refused) implements Step {
        public String describe(ContainerConfig config) {
            return "release the network of " + config.name() + " after its process failed to start";
        }
    }

    /** Stopping the process and releasing the network for a {@link Stop}, {@link Kill}, {@link Restart} or {@link Remove}. */
    private record Stopping(Command origin) implements Step {
        public String describe(ContainerConfig config) {
            String verb = origin instanceof Kill ? "kill" : origin instanceof Restart ? "restart" : origin instanceof Remove ? "remove"
                    : origin instanceof ShutDown ? "stop (netwharf is stopping)" : "stop";
            return verb + " container " + config.name();
        }
    }

    /** The process exited by itself: its network goes. */
    private record ReleasingAfterExit(Exited exited) implements Step {
        public String describe(ContainerConfig config) {
            return "release the network of " + config.name() + " after its process exited";
        }
    }

    /** Restored as running: its network as the runtime kept it, then its process adopted. */
    private record Restoring(StoredContainer row) implements Step {
        public String describe(ContainerConfig config) {
            return "restore container " + config.name();
        }
    }

    /** Restored as running, but its process (or namespace) did not survive: its network goes, its exit is unknown. */
    private record ReleasingLost() implements Step {
        public String describe(ContainerConfig config) {
            return "release the network of " + config.name() + ", whose process did not survive netwharf's restart";
        }
    }

    private record Connecting(Connect request, boolean pipework) implements Step {
        public String describe(ContainerConfig config) {
            return "connect " + config.name() + " to " + request.network();
        }
    }

    /** Running: the runtime gives its endpoints their new names. */
    private record Renaming(Rename request, String oldName) implements Step {
        public String describe(ContainerConfig config) {
            return "rename container " + oldName + " to " + request.name();
        }
    }

    private record Disconnecting(Disconnect request) implements Step {
        public String describe(ContainerConfig config) {
            return "disconnect " + config.name() + " from " + request.network();
        }
    }

    /** Not running: the network is looked up and the change kept for the next start. */
    private record CheckingNetwork(Command origin, String network) implements Step {
        public String describe(ContainerConfig config) {
            return (origin instanceof Connect ? "connect " + config.name() + " to " : "disconnect " + config.name() + " from ") + network;
        }
    }

    private record NetworkWired(Starting step, ContainerInfo info, ProcessPlan plan, NameSources sources) implements Command {}

    /**
     * What the name files of a start need besides the config, looked up before the network is wired: the view of
     * the container whose namespace a {@code container:} one joins, the default bridge's gateway for
     * {@code host-gateway}.
     */
    private record NameSources(NameView owner, String hostGateway) {}

    /** The process a start runs, prepared and checked before the network is wired: its environment and its user. */
    private record ProcessPlan(List<String> env, Credentials credentials) {}

    private record NetworkReleased(Step step) implements Command {}

    private record NetworkRestored(Restoring step, ContainerInfo info) implements Command {}

    private record Stopped(Stopping step, Integer exitCode) implements Command {}

    private record Connected(Connecting step, EndpointInfo endpoint) implements Command {}

    private record Disconnected(Disconnecting step, NetworkInfo network) implements Command {}

    private record NetworkChecked(CheckingNetwork step, NetworkInfo network) implements Command {}

    private record RenamedInRuntime(Renaming step, ContainerInfo info) implements Command {}

    private record StepFailed(Step step, Throwable cause) implements Command {}

    /** Docker's {@code condition} of {@code POST /containers/{id}/wait}. */
    public enum WaitCondition { NOT_RUNNING, NEXT_EXIT, REMOVED }

    /** The error of a container whose process ran while netwharf restarted: its exit status could not be read. */
    static final String UNKNOWN_EXIT_ERROR = "exit status unknown: netwharf was restarted while the process ran";

    private final ActorContext<Command> context;
    private final StashBuffer<Command> stash;
    private final ContainerEngine engine;
    private final Netwharf netwharf;
    private final ProcessLauncher launcher;
    private final Store store;
    private final Path logDirectory;
    private ContainerConfig config;
    private ContainerView.Status status = ContainerView.Status.CREATED;
    private ContainerProcess process;
    /** Its output, kept as Docker's json-file keeps it. */
    private final ContainerLog log;
    /** The running process's pipes; null when none runs. */
    private ContainerLog.Run run;
    /** The process's start time, kept with its pid so that a restart tells it from a recycled pid. */
    private long processStartTime;
    private ContainerInfo network;
    /** What its process sees of names, since its first start (kept after it stops, as Docker keeps the paths). */
    private NameView names;
    /** What its name files were written from at its last start. */
    private NameSources nameSources = new NameSources(null, null);
    private int exitCode;
    private String error = "";
    private Instant startedAt;
    private Instant finishedAt;
    private int restartCount;
    /** Stopped by a user ({@code docker stop}, {@code docker kill}): unless-stopped leaves it alone, as Docker's. */
    private boolean manuallyStopped;
    /** A stop or a kill by the stop signal or SIGKILL: the next exit is not restarted (moby's {@code ExitOnNext}). */
    private boolean exitOnNext;
    private RestartBackoff backoff = new RestartBackoff();
    private Cancellable pendingRestart;
    private final List<Wait> waitingForExit = new ArrayList<>();
    private final List<Wait> waitingForRemoval = new ArrayList<>();

    private ContainerActor(ActorContext<Command> context, StashBuffer<Command> stash, ContainerEngine engine, Netwharf netwharf,
                           ProcessLauncher launcher, ContainerConfig config, Path logDirectory) {
        this.context = context;
        this.stash = stash;
        this.engine = engine;
        this.netwharf = netwharf;
        this.launcher = launcher;
        this.store = engine.store();
        this.config = config;
        this.logDirectory = logDirectory;
        this.log = new ContainerLog(logDirectory, config.id());
    }

    /** A container just created: its row was written by the registry before the creation was answered. */
    static Behavior<Command> create(ContainerEngine engine, Netwharf netwharf, ProcessLauncher launcher, ContainerConfig config,
                                    Path logDirectory) {
        return Behaviors.withStash(10_000, stash -> Behaviors.setup(context ->
                new ContainerActor(context, stash, engine, netwharf, launcher, config, logDirectory).idle()));
    }

    /**
     * A container as the store kept it. A running one gets its network from the runtime (which has already adopted
     * its namespace) and its process adopted; one whose process is gone is released as an exit is. The registry hears
     * {@link EngineActor.Restored} once it is back.
     */
    static Behavior<Command> restore(ContainerEngine engine, Netwharf netwharf, ProcessLauncher launcher, StoredContainer row,
                                     ContainerConfig config, Path logDirectory) {
        return Behaviors.withStash(10_000, stash -> Behaviors.setup(context ->
                new ContainerActor(context, stash, engine, netwharf, launcher, config, logDirectory).restored(row)));
    }

    /** Created row: the row written at creation, before the creation is answered. */
    static StoredContainer createdRow(ContainerConfig config) {
        return new StoredContainer(config.id(), config.name(), config.image(), "created", 0, 0, 0, "", config.created(), null, null, 0,
                false, config.stopSignal(), stopTimeoutOf(config), ContainerRows.json(config));
    }

    private static int stopTimeoutOf(ContainerConfig config) {
        return config.stopTimeout() == null ? (int) ContainerEngine.DEFAULT_STOP_TIMEOUT.toSeconds() : config.stopTimeout();
    }

    /** The container's row as it is now; restarting is kept as exited (its policy decides again at the next start). */
    private StoredContainer row() {
        String stored = status == ContainerView.Status.RUNNING ? "running" : status == ContainerView.Status.CREATED ? "created" : "exited";
        return new StoredContainer(config.id(), config.name(), config.image(), stored, process == null ? 0 : process.pid(),
                process == null ? 0 : processStartTime, exitCode, error, config.created(), startedAt, finishedAt, restartCount,
                manuallyStopped, config.stopSignal(), stopTimeoutOf(config), ContainerRows.json(config));
    }

    // ---- the store ---------------------------------------------------------------------------------------------

    /** Writes the container's row as it is now; completes once it is durable. */
    private CompletionStage<Done> save() {
        return store.apply(new Change.PutContainer(row()));
    }

    /** Writes the row, for a change nobody waits on: in order with the others, its failure logged. */
    private void saveUnanswered() {
        save().whenComplete((done, failure) -> {
            if (failure != null) {
                LOG.error("container {}: the store could not keep its state: {}", config.name(), failure.getMessage());
            }
        });
    }

    /** Writes the row, then tells {@code reply}; the store's failure instead when it cannot keep it. */
    private <T> void saveThenAnswer(ActorRef<StatusReply<T>> replyTo, StatusReply<T> reply) {
        answerWhenDurable(save(), replyTo, reply);
    }

    private <T> void answerWhenDurable(CompletionStage<Done> written, ActorRef<StatusReply<T>> replyTo, StatusReply<T> reply) {
        written.whenComplete((done, failure) -> replyTo.tell(failure == null ? reply
                : StatusReply.error(NetwharfException.internal("keep container " + config.name() + " in the store: "
                + KernelErrors.unwrap(failure).getMessage(), failure))));
    }

    // ---- restore -----------------------------------------------------------------------------------------------

    private Behavior<Command> restored(StoredContainer row) {
        exitCode = row.exitCode();
        error = row.error() == null ? "" : row.error();
        startedAt = row.startedAt();
        finishedAt = row.finishedAt();
        restartCount = row.restartCount();
        manuallyStopped = row.manuallyStopped();
        switch (row.status()) {
            case "running" -> {
                status = ContainerView.Status.RUNNING;
                Restoring step = new Restoring(row);
                return busyUntil(netwharf.inspectContainer(config.id()), step, info -> new NetworkRestored(step, info));
            }
            case "created" -> status = ContainerView.Status.CREATED;
            default -> status = ContainerView.Status.EXITED;
        }
        reportRestored();
        return idle();
    }

    /**
     * The runtime kept its namespace: its process is adopted (none to adopt when it had no command); one that is gone
     * ended while netwharf was down, and its network goes as after an exit.
     */
    private Behavior<Command> onNetworkRestored(NetworkRestored restored) {
        StoredContainer row = restored.step().row();
        network = restored.info();
        // Its files were written at the start that ran before netwharf's restart; its process has them bound.
        try {
            names = network.sharesWith() != null ? ContainerFiles.joined(folderOf(network.sharesWith()))
                    : ContainerFiles.written(config, logDirectory);
        } catch (RuntimeException e) {
            LOG.warn("container {}: what its process sees of names is unknown after netwharf's restart: {}", config.name(), e.getMessage());
        }
        if (row.pid() != 0) {
            try {
                process = launcher.adopt(row.pid(), row.pidStartTime()).orElse(null);
            } catch (RuntimeException e) {
                LOG.error("container {}: its process {} could not be adopted: {}", config.name(), row.pid(), e.toString());
                process = null;
            }
            if (process == null) {
                return releaseLost();
            }
            processStartTime = row.pidStartTime();
            watchExit(process);
            try {
                run = log.startRun(launcher.output(), false);
                log.launched(run);
            } catch (RuntimeException e) {
                LOG.warn("container {}: the output of its process {} cannot be read after netwharf's restart: {}", config.name(),
                        process.pid(), e.toString());
            }
        }
        if (network.sharesWith() != null) {
            engine.joined(network.sharesWith(), config.id());
        }
        LOG.info("container {} restored running{}", config.name(), process == null ? "" : " with its process " + process.pid());
        reportRestored();
        return idle();
    }

    private Behavior<Command> releaseLost() {
        ReleasingLost step = new ReleasingLost();
        return busyUntil(releaseNetwork(), step, v -> new NetworkReleased(step));
    }

    /** Tells the registry it is back, and whether the daemon's start restarts it or removes it (moby's restore). */
    private void reportRestored() {
        boolean running = status == ContainerView.Status.RUNNING;
        boolean restart = !running && startedAt != null && config.restartPolicy().restarts(exitCode, manuallyStopped, restartCount);
        engine.restored(config.id(), restart, !running && !restart && config.autoRemove());
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
                .onMessage(Rename.class, this::onRename)
                .onMessage(Exited.class, this::onExited)
                .onMessage(RestartDue.class, this::onRestartDue)
                .onMessage(ShutDown.class, this::onShutDown)
                .onMessage(Wait.class, this::onWait)
                .onMessage(Inspect.class, this::onInspect)
                .build();
    }

    /**
     * Pipes {@code work}'s outcome back as {@code done}'s message, or {@link StepFailed} naming {@code step}, and waits
     * for it: meanwhile other commands wait, but for looks and waits.
     */
    private <T> Behavior<Command> busyUntil(CompletionStage<T> work, Step step, Function<T, Command> done) {
        context.pipeToSelf(work, (value, failure) -> failure == null ? done.apply(value) : new StepFailed(step, failure));
        return busy(step);
    }

    private Behavior<Command> busy(Step step) {
        return Behaviors.receive(Command.class)
                .onMessage(NetworkWired.class, m -> unstash(onNetworkWired(m)))
                .onMessage(NetworkReleased.class, m -> unstash(onNetworkReleased(m)))
                .onMessage(Stopped.class, m -> unstash(onStopped(m.step(), m.exitCode())))
                .onMessage(Connected.class, m -> unstash(onConnected(m)))
                .onMessage(Disconnected.class, m -> unstash(onDisconnected(m)))
                .onMessage(NetworkChecked.class, m -> unstash(onNetworkChecked(m)))
                .onMessage(RenamedInRuntime.class, m -> unstash(onRenamedInRuntime(m)))
                .onMessage(NetworkRestored.class, m -> unstash(onNetworkRestored(m)))
                .onMessage(StepFailed.class, m -> unstash(onStepFailed(m)))
                .onMessage(Wait.class, this::onWait)
                .onMessage(Inspect.class, this::onInspect)
                .onAnyMessage(m -> {
                    stash.stash(m);
                    return Behaviors.same();
                })
                .build();
    }

    /** On to {@code next} with the commands that waited (a next step stashes them again, in order). */
    private Behavior<Command> unstash(Behavior<Command> next) {
        return Behavior.isAlive(next) ? stash.unstashAll(next) : next;
    }

    // ---- start -------------------------------------------------------------------------------------------------

    /** A user's start; restarting already (its policy's delay running), it changes nothing, as in Docker. */
    private Behavior<Command> onStart(Start start) {
        if (status == ContainerView.Status.RUNNING || status == ContainerView.Status.RESTARTING) {
            start.replyTo().tell(StatusReply.success(false));
            return Behaviors.same();
        }
        return start(new Starting(start));
    }

    /** The restart policy's delay is over (a stop or a removal meanwhile cancelled it). */
    private Behavior<Command> onRestartDue(RestartDue due) {
        pendingRestart = null;
        if (status != ContainerView.Status.RESTARTING) {
            return Behaviors.same();
        }
        return start(new Starting(due));
    }

    /**
     * A user's start or restart begins the restart policy anew (moby's {@code ResetRestartManager}): no restarts
     * counted, not stopped by a user, the delay back to its first.
     */
    private void startedByUser() {
        restartCount = 0;
        manuallyStopped = false;
        exitOnNext = false;
        backoff = new RestartBackoff();
        cancelPendingRestart();
    }

    private void cancelPendingRestart() {
        if (pendingRestart != null) {
            pendingRestart.cancel();
            pendingRestart = null;
        }
    }

    /**
     * Checks the process, then wires the network; {@link #onNetworkWired} then starts the process. A process that
     * cannot start as asked is refused before the network is touched.
     */
    private Behavior<Command> start(Starting step) {
        if (!(step.origin() instanceof RestartDue)) {
            startedByUser();
        }
        ProcessPlan plan;
        try {
            plan = plan();
        } catch (RuntimeException e) {
            answerStart(step, processRefused(e));
            return idle();
        }
        return busyUntil(nameSources().thenCompose(sources -> wireNetwork().thenApply(info -> new NetworkWired(step, info, plan, sources))),
                step, wired -> wired);
    }

    private Behavior<Command> onNetworkWired(NetworkWired wired) {
        network = wired.info();
        try {
            nameSources = wired.sources();
            names = namesOf(wired.sources());
            process = launch(wired.info(), wired.plan());
        } catch (RuntimeException e) {
            NetwharfException refused = processRefused(e);
            UndoingStart undo = new UndoingStart(wired.step(), refused);
            return busyUntil(releaseNetwork(), undo, v -> new NetworkReleased(undo));
        }
        FaultPoint.reach("container.launched");
        status = ContainerView.Status.RUNNING;
        startedAt = Instant.now();
        error = "";
        rememberAddresses();
        if (network.sharesWith() != null) {
            engine.joined(network.sharesWith(), config.id());
        }
        if (process != null) {
            processStartTime = ProcessStartTime.of(process.pid()).orElse(0);
            watchExit(process);
        }
        publish(ContainerEvents.container(config, "start"));
        if (wired.step().origin() instanceof Restart) {
            publish(ContainerEvents.container(config, "restart"));
        }
        answerStart(wired.step(), null);
        return idle();
    }

    /**
     * Keeps each network's address of this start in the config (and so in the store), for the next start to ask for
     * again: Docker gives a restarted container its address back when it is free.
     */
    private void rememberAddresses() {
        Map<String, EndpointSpec> networks = new LinkedHashMap<>(config.networks());
        network.endpoints().forEach((name, endpoint) -> networks.computeIfPresent(name,
                (n, spec) -> endpoint.ipv4Address() == null ? spec : spec.withLastAddress(endpoint.ipv4Address())));
        config = config.withNetworks(networks);
    }

    private void watchExit(ContainerProcess watched) {
        int pid = watched.pid();
        watched.exitCode().thenAccept(code -> context.getSelf().tell(new Exited(pid, code)));
    }

    /**
     * Answers the command a start served, once its outcome is in the store: {@link Start} with true, {@link Restart}
     * with done; or the refusal. A restart by policy that fails leaves the container exited, as moby's.
     */
    private void answerStart(Starting step, NetwharfException failure) {
        if (failure != null && status == ContainerView.Status.RESTARTING) {
            status = ContainerView.Status.EXITED;
            LOG.warn("container {} could not be restarted by its policy: {}", config.name(), failure.getMessage());
        }
        if (step.origin() instanceof Start start) {
            saveThenAnswer(start.replyTo(), failure == null ? StatusReply.success(true) : StatusReply.error(failure));
        } else if (step.origin() instanceof Restart restart) {
            saveThenAnswer(restart.replyTo(), failure == null ? StatusReply.ack() : StatusReply.error(failure));
        } else {
            saveUnanswered();
        }
    }

    private CompletionStage<NameSources> nameSources() {
        CompletionStage<NameView> owner = config.networkMode() instanceof NetworkMode.Container joined
                ? engine.inspect(joined.reference()).thenApply(ContainerView::names) : CompletableFuture.completedFuture(null);
        boolean hostGateway = config.names().extraHosts().stream().anyMatch(h -> h.endsWith(":" + NameRules.HOST_GATEWAY));
        CompletionStage<String> gateway = hostGateway
                ? netwharf.inspectNetwork(NetworkMode.BRIDGE).thenApply(NetworkInfo::gateway).exceptionally(f -> null)
                : CompletableFuture.completedFuture(null);
        return owner.thenCombine(gateway, NameSources::new);
    }

    /**
     * What the process of this start sees of names, its network wired: in host mode the host's own; in
     * {@code container:} mode the owner's; otherwise its own files, written now into its folder.
     */
    private NameView namesOf(NameSources sources) {
        if (config.networkMode() instanceof NetworkMode.Host) {
            return ContainerFiles.hostView();
        }
        if (network.sharesWith() != null) {
            return sources.owner() != null ? sources.owner() : ContainerFiles.joined(folderOf(network.sharesWith()));
        }
        return engine.files().write(config, network, logDirectory, sources.hostGateway());
    }

    /** A container's folder in the data root, beside this one's (which holds its logs and its name files). */
    private Path folderOf(String containerId) {
        return logDirectory.resolveSibling(containerId);
    }

    /** Asks the runtime for the namespace and endpoints, naming a {@code container:} owner by its full id. */
    private CompletionStage<ContainerInfo> wireNetwork() {
        CompletionStage<NetworkMode> mode;
        if (config.networkMode() instanceof NetworkMode.Container joined) {
            mode = engine.inspect(joined.reference()).thenApply(owner -> {
                if (!owner.running()) {
                    throw NetwharfException.conflict("cannot join network of a non running container: " + owner.id());
                }
                return new NetworkMode.Container(owner.id());
            });
        } else if (config.joinsNetworks()) {
            // Disconnected from every network: a namespace with loopback only, as Docker starts it.
            mode = CompletableFuture.completedFuture(config.networks().isEmpty() ? NetworkMode.NONE_MODE
                    : NetworkMode.parse(config.networks().keySet().iterator().next()));
        } else {
            mode = CompletableFuture.completedFuture(config.networkMode());
        }
        Map<String, EndpointSpec> named = new LinkedHashMap<>();
        config.networks().forEach((network, spec) -> named.put(network, named(spec)));
        return mode.thenCompose(m -> netwharf.createContainer(new ContainerSpec(config.id(), config.name(), m, named,
                config.ports().published(), engine.files().upstreams(config))));
    }

    /**
     * The endpoint with the names the embedded DNS answers for it, as Docker's DNSNames: the container's name, the
     * endpoint's aliases, the short id and the host name (the runtime answers them on user-defined networks only).
     */
    private EndpointSpec named(EndpointSpec spec) {
        return spec.withDnsNames(Stream.of(List.of(config.name()), spec.aliases(), List.of(Ids.shortId(config.id()),
                ContainerFiles.hostname(config))).flatMap(List::stream).distinct().toList());
    }

    /**
     * Why the process could not start, kept as the container's error and exit code: Docker's status for a command
     * that cannot be run as asked is 400, with 126 or 127 as the exit code.
     */
    private NetwharfException processRefused(RuntimeException e) {
        NetwharfException refused = e instanceof ProcessRefusedException
                ? NetwharfException.badParameter("failed to create task for container: " + e.getMessage())
                : e instanceof NetwharfException asked ? asked
                : KernelErrors.describe("start the process of container " + config.name(), e);
        error = refused.getMessage();
        exitCode = e instanceof ProcessRefusedException invalid ? invalid.exitCode() : ProcessRefusedException.NOT_FOUND;
        return refused;
    }

    /**
     * The process's environment and user, its working directory and program checked; null when the container has
     * no command. The process is checked again when it is launched: the files may change meanwhile.
     */
    private ProcessPlan plan() {
        if (config.cmd().isEmpty()) {
            return null;
        }
        // The image's variables too: a container stored before they were merged at its creation gets them here.
        List<String> env = new ArrayList<>(ImageInfo.environment(config.env()));
        Credentials credentials = Credentials.ROOT;
        if (config.asksForUser()) {
            // Looked up at each start, as Docker does: the passwd and group files may have changed since the creation.
            ContainerUser.Resolved user = engine.users().resolve(config.user(), config.groupAdd());
            credentials = user.credentials();
            if (config.env().stream().noneMatch(e -> e.startsWith("HOME="))) {
                env.add("HOME=" + user.home()); // as runc sets it for the user
            }
        }
        launcher.check(config.cmd(), env, config.workingDirectory(), credentials);
        return new ProcessPlan(env, credentials);
    }

    /** Starts the process inside the container's namespace; null when the container has no command. */
    private ContainerProcess launch(ContainerInfo info, ProcessPlan plan) {
        if (plan == null) {
            return null;
        }
        List<String> env = new ArrayList<>(plan.env());
        if (env.stream().noneMatch(e -> e.startsWith("HOSTNAME="))) {
            env.add(0, "HOSTNAME=" + names.hostname()); // first, as Docker gives it
        }
        ContainerLog.Run started = log.startRun(launcher.output(), config.stdin().open());
        try (Netns namespace = Netns.open(Path.of(info.sandboxKey()))) {
            ContainerProcess launched = launcher.launch(namespace, ContainerFiles.ownNamespaces(names) ? names : null, config.cmd(),
                    env, config.workingDirectory(), plan.credentials(), started.stdio());
            run = started;
            log.launched(started);
            return launched;
        } catch (RuntimeException e) {
            started.abandon();
            throw e;
        }
    }

    // ---- stop --------------------------------------------------------------------------------------------------

    /** A user's stop: the restart policy leaves it alone from now on; one waiting to restart stays exited. */
    private Behavior<Command> onStop(Stop stop) {
        if (status == ContainerView.Status.RESTARTING) {
            manuallyStopped = true;
            cancelRestart();
            saveThenAnswer(stop.replyTo(), StatusReply.success(true));
            return Behaviors.same();
        }
        if (status != ContainerView.Status.RUNNING) {
            stop.replyTo().tell(StatusReply.success(false));
            return Behaviors.same();
        }
        manuallyStopped = true;
        exitOnNext = true;
        return stop(new Stopping(stop), stop.timeout(), stop.signal());
    }

    /** The daemon stops: as a stop, but not a user's (the policy applies again at the next start). */
    private Behavior<Command> onShutDown(ShutDown shutDown) {
        if (status == ContainerView.Status.RESTARTING) {
            cancelRestart();
            saveThenAnswer(shutDown.replyTo(), StatusReply.success(true));
            return Behaviors.same();
        }
        if (status != ContainerView.Status.RUNNING) {
            shutDown.replyTo().tell(StatusReply.success(false));
            return Behaviors.same();
        }
        exitOnNext = true;
        return stop(new Stopping(shutDown), shutDown.timeout(), config.stopSignal());
    }

    /** Waiting to restart: it will not; exited with the code it had. */
    private void cancelRestart() {
        cancelPendingRestart();
        status = ContainerView.Status.EXITED;
    }

    /**
     * As moby's kill: a user's kill marks it stopped by a user (unless-stopped will not restart it); with SIGKILL or
     * its stop signal, no policy restarts it, while another signal that ends the process leaves always and on-failure
     * to restart it.
     */
    private Behavior<Command> onKill(Kill kill) {
        boolean ends = kill.signal() == Signals.SIGKILL || kill.signal() == config.stopSignal();
        if (status == ContainerView.Status.RESTARTING) {
            manuallyStopped = true;
            if (ends) {
                cancelRestart();
            }
            saveThenAnswer(kill.replyTo(), StatusReply.ack());
            return Behaviors.same();
        }
        if (status != ContainerView.Status.RUNNING) {
            kill.replyTo().tell(StatusReply.error(NetwharfException.conflict("Container " + config.id() + " is not running")));
            return Behaviors.same();
        }
        manuallyStopped = true;
        exitOnNext |= ends;
        if (process != null) {
            // The exit, when it comes, takes the network down (onExited).
            killed(kill.signal());
            process.signal(kill.signal());
            saveThenAnswer(kill.replyTo(), StatusReply.ack());
            return Behaviors.same();
        }
        return stop(new Stopping(kill), Duration.ZERO, kill.signal());
    }

    private Behavior<Command> onRestart(Restart restart) {
        if (status != ContainerView.Status.RUNNING) {
            return start(new Starting(restart));
        }
        exitOnNext = true;
        return stop(new Stopping(restart), restart.timeout(), config.stopSignal());
    }

    private Behavior<Command> stop(Stopping step, Duration timeout, int signal) {
        killed(signal); // as Docker's stop, restart and forced removal report the signal they send
        return busyUntil(stopSequence(timeout, signal), step, code -> new Stopped(step, code));
    }

    /** The process is gone and the network released: answer the command that stopped it, or go on with it. */
    private Behavior<Command> onStopped(Stopping step, Integer code) {
        exitedWith(code);
        if (step.origin() instanceof Stop || step.origin() instanceof Restart || step.origin() instanceof ShutDown) {
            publish(ContainerEvents.container(config, "stop"));
        }
        if (step.origin() instanceof Stop stop) {
            saveThenAnswer(stop.replyTo(), StatusReply.success(true));
        } else if (step.origin() instanceof ShutDown shutDown) {
            saveThenAnswer(shutDown.replyTo(), StatusReply.success(true));
            return idle(); // kept, even with --rm, as Docker keeps it when its daemon stops
        } else if (step.origin() instanceof Kill kill) {
            saveThenAnswer(kill.replyTo(), StatusReply.ack());
        } else if (step.origin() instanceof Restart restart) {
            return start(new Starting(restart));
        } else if (step.origin() instanceof Remove remove) {
            return removedNow(remove);
        }
        removeIfAsked();
        return idle();
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
            ContainerConfig stopping = config;
            Cancellable kill = context.getSystem().scheduler().scheduleOnce(timeout, () -> {
                publish(ContainerEvents.container(stopping, "kill", Map.of("signal", String.valueOf(Signals.SIGKILL))));
                running.signal(Signals.SIGKILL);
            }, context.getExecutionContext());
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
        ReleasingAfterExit step = new ReleasingAfterExit(exited);
        return busyUntil(releaseNetwork(), step, v -> new NetworkReleased(step));
    }

    private Behavior<Command> onNetworkReleased(NetworkReleased released) {
        if (released.step() instanceof UndoingStart undo) {
            network = null;
            answerStart(undo.failed(), undo.refused());
        } else if (released.step() instanceof ReleasingAfterExit after) {
            afterExit(after.exited().exitCode());
        } else if (released.step() instanceof ReleasingLost) {
            lost();
        }
        return idle();
    }

    /**
     * The process exited by itself (or by a user's kill) and its network is released: started again after the
     * policy's delay (restarting meanwhile), or exited for good.
     */
    private void afterExit(int code) {
        // Adopted from a previous run: no child of this one, so its exit status could not be read (ContainerProcess).
        boolean wasAdopted = process != null && process.adopted();
        exitedWith(code);
        if (wasAdopted) {
            error = UNKNOWN_EXIT_ERROR;
        }
        if (!exitOnNext && config.restartPolicy().restarts(exitCode, manuallyStopped, restartCount)) {
            Duration delay = backoff.next(Duration.between(startedAt, finishedAt));
            restartCount++;
            status = ContainerView.Status.RESTARTING;
            LOG.info("container {} exited with {}: restart {} in {} ms ({})", config.name(), exitCode, restartCount, delay.toMillis(),
                    config.restartPolicy().name());
            pendingRestart = context.scheduleOnce(delay, context.getSelf(), new RestartDue());
            saveUnanswered();
            return;
        }
        saveUnanswered();
        removeIfAsked();
    }

    /** Restored as running, but its process was gone: exited, its status unknown; the daemon's start decides the rest. */
    private void lost() {
        exitedWith(ContainerProcess.UNKNOWN_EXIT);
        error = UNKNOWN_EXIT_ERROR;
        LOG.info("container {} was running, but its process did not survive netwharf's restart: exited", config.name());
        saveUnanswered();
        reportRestored();
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
        boolean wasRunning = status == ContainerView.Status.RUNNING;
        status = ContainerView.Status.EXITED;
        exitCode = code == null ? 0 : code;
        finishedAt = Instant.now();
        if (wasRunning) {
            long ran = startedAt == null ? 0 : Duration.between(startedAt, finishedAt).toSeconds();
            publish(ContainerEvents.container(config, "die", Map.of("exitCode", String.valueOf(exitCode),
                    "execDuration", String.valueOf(ran))));
        }
        process = null;
        network = null;
        if (run != null) {
            run.processExited();
            run = null;
        }
        waitingForExit.forEach(w -> w.replyTo().tell(StatusReply.success(exitCode)));
        waitingForExit.clear();
    }

    // ---- failed steps ------------------------------------------------------------------------------------------

    /** Answers the command the step served with the failure, naming the step, and puts the state back. */
    private Behavior<Command> onStepFailed(StepFailed failed) {
        Step step = failed.step();
        NetwharfException error = KernelErrors.describe(step.describe(config), failed.cause());
        if (step instanceof Starting starting) {
            this.error = error.getMessage();
            answerStart(starting, error);
        } else if (step instanceof UndoingStart undo) {
            // The process never ran; the caller hears why, the log why the network may be left.
            LOG.error("{}: {}", step.describe(config), error.getMessage());
            network = null;
            answerStart(undo.failed(), undo.refused());
        } else if (step instanceof Stopping stopping) {
            if (stopping.origin() instanceof Remove remove) {
                remove.replyTo().tell(StatusReply.error(error));
                return idle();
            }
            exitedWith(null);
            Answered<?> origin = (Answered<?>) stopping.origin();
            save().whenComplete((done, failure) -> origin.refuse(error));
            if (!(stopping.origin() instanceof Restart) && !(stopping.origin() instanceof ShutDown)) {
                removeIfAsked();
            }
        } else if (step instanceof ReleasingAfterExit after) {
            LOG.error("container {} exited, but its network could not be released: {}", config.name(), error.getMessage());
            afterExit(after.exited().exitCode());
        } else if (step instanceof Restoring) {
            LOG.warn("container {} was running, but the runtime does not have its network: {}", config.name(), error.getMessage());
            return releaseLost();
        } else if (step instanceof ReleasingLost) {
            LOG.error("{}: {}", step.describe(config), error.getMessage());
            lost();
        } else if (step instanceof Connecting connecting) {
            connecting.request().refuse(error);
        } else if (step instanceof Disconnecting disconnecting) {
            disconnecting.request().refuse(error);
        } else if (step instanceof Renaming renaming) {
            config = config.withName(renaming.oldName());
            renaming.request().refuse(error);
        } else if (step instanceof CheckingNetwork checking) {
            ((Answered<?>) checking.origin()).refuse(error);
        }
        return idle();
    }

    // ---- removal -----------------------------------------------------------------------------------------------

    private Behavior<Command> onRemove(Remove remove) {
        if ((status == ContainerView.Status.RUNNING || status == ContainerView.Status.RESTARTING) && !remove.force()) {
            remove.replyTo().tell(StatusReply.error(NetwharfException.conflict("You cannot remove a " + status.dockerName() + " container "
                    + config.id() + ". Stop the container before attempting removal or force remove")));
            return Behaviors.same();
        }
        cancelPendingRestart();
        if (status == ContainerView.Status.RUNNING) {
            return stop(new Stopping(remove), Duration.ZERO, Signals.SIGKILL);
        }
        exitedWith(exitCode);
        return removedNow(remove);
    }

    /**
     * Stopped: the logs go, and every command but the registry's {@link Retire} is refused from now on (those that
     * waited in the stash too, once unstashed into it).
     */
    private Behavior<Command> removedNow(Remove remove) {
        log.removed();
        deleteLogs();
        publish(ContainerEvents.container(config, "destroy"));
        waitingForRemoval.forEach(w -> w.replyTo().tell(StatusReply.success(exitCode)));
        answerWhenDurable(store.apply(new Change.DeleteContainer(config.id())), remove.replyTo(), StatusReply.ack());
        return removed();
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
            waiting.refuse(Resolver.containers().notFound(config.id()));
        }
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
        boolean pipework = config.networkMode() instanceof NetworkMode.None && connect.spec().noneMode();
        if (!config.joinsNetworks() && !pipework) {
            connect.refuse(config.networkMode().connectRefusal());
            return Behaviors.same();
        }
        if (pipework && status != ContainerView.Status.RUNNING) {
            connect.refuse(NetwharfException.conflict("container " + config.name()
                    + " is not running: a none container's namespace exists only while it runs"));
            return Behaviors.same();
        }
        if (status == ContainerView.Status.RUNNING) {
            Connecting step = new Connecting(connect, pipework);
            return busyUntil(netwharf.connect(config.id(), connect.network(), named(connect.spec())), step,
                    endpoint -> new Connected(step, endpoint));
        }
        // Not running: check the network and remember it for the next start.
        CheckingNetwork step = new CheckingNetwork(connect, connect.network());
        return busyUntil(netwharf.inspectNetwork(connect.network()), step, info -> new NetworkChecked(step, info));
    }

    private Behavior<Command> onConnected(Connected connected) {
        EndpointInfo endpoint = connected.endpoint();
        if (!connected.step().pipework()) {
            remember(endpoint.networkName(), connected.step().request().spec());
        }
        Map<String, EndpointInfo> endpoints = new LinkedHashMap<>(network.endpoints());
        endpoints.put(endpoint.networkName(), endpoint);
        network = withEndpoints(endpoints);
        rewriteHosts();
        saveThenAnswer(connected.step().request().replyTo(), StatusReply.ack());
        return idle();
    }

    private Behavior<Command> onDisconnect(Disconnect disconnect) {
        if (status == ContainerView.Status.RUNNING) {
            Disconnecting step = new Disconnecting(disconnect);
            return busyUntil(netwharf.inspectNetwork(disconnect.network())
                    .thenCompose(info -> netwharf.disconnect(config.id(), info.id()).thenApply(v -> info)), step,
                    info -> new Disconnected(step, info));
        }
        CheckingNetwork step = new CheckingNetwork(disconnect, disconnect.network());
        return busyUntil(netwharf.inspectNetwork(disconnect.network()), step, info -> new NetworkChecked(step, info));
    }

    private Behavior<Command> onDisconnected(Disconnected disconnected) {
        NetworkInfo info = disconnected.network();
        forget(info.name());
        Map<String, EndpointInfo> endpoints = new LinkedHashMap<>(network.endpoints());
        endpoints.remove(info.name());
        network = withEndpoints(endpoints);
        rewriteHosts();
        saveThenAnswer(disconnected.step().request().replyTo(), StatusReply.ack());
        return idle();
    }

    /** Not running: the connection or disconnection is checked against the network and kept for the next start. */
    private Behavior<Command> onNetworkChecked(NetworkChecked checked) {
        NetworkInfo info = checked.network();
        try {
            if (checked.step().origin() instanceof Connect connect) {
                if (config.networks().containsKey(info.name())) {
                    throw NetwharfException.forbidden("endpoint with name " + config.name() + " already exists in network " + info.name());
                }
                connect.spec().checkFor(info);
                remember(info.name(), connect.spec());
                saveThenAnswer(connect.replyTo(), StatusReply.ack());
            } else if (checked.step().origin() instanceof Disconnect disconnect) {
                if (!config.networks().containsKey(info.name())) {
                    // 403 as the runtime answers for a running container (Docker says 500, but nothing failed here).
                    throw NetwharfException.forbidden("container " + config.id() + " is not connected to network " + info.name());
                }
                forget(info.name());
                saveThenAnswer(disconnect.replyTo(), StatusReply.ack());
            }
        } catch (NetwharfException e) {
            ((Answered<?>) checked.step().origin()).refuse(e);
        }
        return idle();
    }

    // ---- rename ------------------------------------------------------------------------------------------------

    /**
     * The new name everywhere: in its config (and so its row and inspect); while it runs, in the names its endpoints
     * answer on the embedded DNS (Docker's DNSNames, built again from the new name). Its hosts file is left as it
     * is, as Docker leaves it.
     */
    private Behavior<Command> onRename(Rename rename) {
        String oldName = config.name();
        config = config.withName(rename.name());
        if (status == ContainerView.Status.RUNNING && network != null) {
            Map<String, List<String>> dnsNames = new LinkedHashMap<>();
            config.networks().forEach((name, spec) -> dnsNames.put(name, named(spec).dnsNames()));
            Renaming step = new Renaming(rename, oldName);
            return busyUntil(netwharf.renameContainer(config.id(), config.name(), dnsNames), step, info -> new RenamedInRuntime(step, info));
        }
        renamed(rename, oldName);
        return Behaviors.same();
    }

    private Behavior<Command> onRenamedInRuntime(RenamedInRuntime renamed) {
        network = withEndpoints(renamed.info().endpoints());
        renamed(renamed.step().request(), renamed.step().oldName());
        return idle();
    }

    private void renamed(Rename rename, String oldName) {
        LOG.info("container {} renamed to {}", oldName, config.name());
        publish(ContainerEvents.container(config, "rename", Map.of("oldName", "/" + oldName)));
        saveThenAnswer(rename.replyTo(), StatusReply.ack());
    }

    // ---- events ------------------------------------------------------------------------------------------------

    private void publish(Event event) {
        netwharf.events().publish(event);
    }

    private void killed(int signal) {
        publish(ContainerEvents.container(config, "kill", Map.of("signal", String.valueOf(signal))));
    }

    /** Its own hosts file follows its addresses while it runs (a joiner's and a host one's are not its own). */
    private void rewriteHosts() {
        if (names == null || !names.hostsFile().startsWith(logDirectory)) {
            return;
        }
        try {
            engine.files().rewriteHosts(config, network, logDirectory, nameSources.hostGateway());
        } catch (RuntimeException e) {
            LOG.warn("container {}: its hosts file could not follow its networks: {}", config.name(), e.getMessage());
        }
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
        return new ContainerInfo(network.id(), network.name(), network.networkMode(), network.sandboxKey(), network.sharesWith(), endpoints,
                network.ports());
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
                error, startedAt, finishedAt, restartCount, network, log, names)));
        return Behaviors.same();
    }
}
