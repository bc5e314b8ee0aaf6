package io.netwharf;

import io.netwharf.protocol.model.ContainerInfo;
import io.netwharf.protocol.model.ContainerSpec;
import io.netwharf.protocol.model.EndpointInfo;
import io.netwharf.protocol.model.EndpointSpec;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.protocol.model.NetworkSpec;
import io.netwharf.protocol.rtnetlink.LinkStatistics;
import io.netwharf.actor.Asks;
import io.netwharf.actor.KernelErrors;
import io.netwharf.cluster.ClusterFabric;
import io.netwharf.events.EventLog;
import io.netwharf.protocol.model.Ids;
import io.netwharf.runtime.RuntimeActor;
import io.netwharf.runtime.RuntimeConfig;
import io.netwharf.store.SqliteStore;
import io.netwharf.store.Store;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.pattern.StatusReply;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * netwharf embedded in a Pekko application: start the runtime inside your {@link ActorSystem}, then send it typed
 * commands through this handle. Every method answers with a {@link CompletionStage} that fails with a
 * {@link io.netwharf.protocol.model.NetwharfException} naming what was wrong when the runtime refuses or the kernel
 * fails. {@link #runtime()} gives the guardian's {@link ActorRef} for those who would rather ask it themselves.
 *
 * <p>This is the network controller's API, as libnetwork's: networks are named by id, name or unique id prefix
 * (resolved with Docker's rules), containers by their full id alone. A container's name here is only a label for
 * logs and messages; names, their uniqueness and id prefixes belong to the container engine
 * ({@code io.netwharf.container.ContainerEngine}), which resolves them before it calls here.
 */
public final class Netwharf {
    private final ActorSystem<?> system;
    private final ActorRef<RuntimeActor.Command> runtime;
    private final Duration timeout;
    private final Store store;
    private final EventLog events;
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private final CompletableFuture<Done> stopped = new CompletableFuture<>();

    private Netwharf(ActorSystem<?> system, ActorRef<RuntimeActor.Command> runtime, Duration timeout, Store store, EventLog events) {
        this.events = events;
        this.system = system;
        this.runtime = runtime;
        this.timeout = timeout;
        this.store = store;
    }

    /**
     * Starts netwharf as a program of its own: an actor system made for it, with the runtime as its only user. The
     * system stops when the JVM does (Ctrl-C, SIGTERM), after the runtime has removed what it made.
     */
    public static CompletionStage<Netwharf> startStandalone(RuntimeConfig config) {
        return startStandalone(config, ConfigFactory.empty());
    }

    /**
     * As above, with {@code pekko} settings laid over the defaults: a daemon that joins a cluster gives the cluster's
     * ({@link io.netwharf.cluster.ClusterSettings#pekkoConfig()}).
     */
    public static CompletionStage<Netwharf> startStandalone(RuntimeConfig config, Config pekko) {
        // Removing a thousand containers takes a second or two; Pekko's default of 5 s per phase is too tight.
        Config settings = pekko.withFallback(ConfigFactory.parseString("pekko.coordinated-shutdown.phases.service-stop.timeout = "
                + config.kernelTimeout().multipliedBy(2).toSeconds() + " s")).withFallback(ConfigFactory.load());
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "netwharf", settings);
        return start(system, config).whenComplete((netwharf, failure) -> {
            if (failure != null) {
                system.terminate();
            }
        });
    }

    /** Completes when the actor system netwharf runs in has terminated. */
    public CompletionStage<Done> whenTerminated() {
        return system.getWhenTerminated();
    }

    /**
     * Starts the runtime as a system actor of {@code system}. The stage completes once the host is prepared and the
     * default network is up, or fails with the reason it could not start. When {@code system} is a node of a Pekko
     * Cluster ({@code pekko.actor.provider = cluster}), the runtime is a node of netwharf's cluster: overlay networks
     * span every node whose system has joined, with the VXLAN links' port {@code netwharf.cluster.vxlan-port}.
     */
    public static CompletionStage<Netwharf> start(ActorSystem<?> system, RuntimeConfig config) {
        Store store;
        try {
            store = config.stateDirectory() == null ? Store.none() : SqliteStore.open(system, config.stateDirectory());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return start(system, config, store);
    }

    /**
     * Starts the runtime keeping what it knows in {@code store} rather than the one the config names; the runtime
     * closes it when it stops.
     */
    public static CompletionStage<Netwharf> start(ActorSystem<?> system, RuntimeConfig config, Store store) {
        // A unique name: an application may start more than one runtime.
        String name = "netwharf-" + Ids.shortId(Ids.newId());
        EventLog events = EventLog.start(system);
        ClusterFabric fabric = ClusterFabric.isClustered(system)
                ? ClusterFabric.start(system, system.settings().config().getInt("netwharf.cluster.vxlan-port"), store) : null;
        ActorRef<RuntimeActor.Command> runtime = system.systemActorOf(RuntimeActor.create(config, store, events, fabric), name, Props.empty());
        Netwharf netwharf = new Netwharf(system, runtime, config.kernelTimeout(), store, events);
        return netwharf.<Done>ask(RuntimeActor.AwaitReady::new)
                .handle((done, failure) -> {
                    if (failure != null) {
                        events.close();
                        runtime.tell(new RuntimeActor.Shutdown(system.ignoreRef()));
                        throw failure instanceof RuntimeException e ? e : new IllegalStateException(failure);
                    }
                    if (fabric != null) {
                        fabric.attach(runtime); // once its stored networks and endpoints are back
                    }
                    // The application's shutdown (and the JVM's, through Pekko's hook) stops the runtime cleanly first.
                    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceStop(), "netwharf-stop", netwharf::stop);
                    return netwharf;
                });
    }

    /**
     * A handle on a runtime already spawned, or on anything that answers its commands: an application that spawned
     * {@link RuntimeActor#create} itself, or a test whose probe stands in for the runtime (no kernel needed).
     */
    public static Netwharf of(ActorSystem<?> system, ActorRef<RuntimeActor.Command> runtime, Duration timeout) {
        return of(system, runtime, timeout, EventLog.none());
    }

    /** As above, with the events log the runtime was created with ({@link RuntimeActor#create(RuntimeConfig, Store, EventLog)}). */
    public static Netwharf of(ActorSystem<?> system, ActorRef<RuntimeActor.Command> runtime, Duration timeout, EventLog events) {
        return new Netwharf(system, runtime, timeout, Store.none(), events);
    }

    /**
     * What happened to networks, containers and images, as Docker's events: {@link EventLog#subscribe} gives a stream
     * of them (the recent ones again, then each new one). The runtime publishes its networks' events here, and the
     * container engine its containers' and images'.
     */
    public EventLog events() {
        return events;
    }

    /** Where netwharf keeps what it knows: the container engine keeps its containers there too. */
    public Store store() {
        return store;
    }

    /** The actor system netwharf runs in: its own for {@link #startStandalone}, the application's for {@link #start}. */
    public ActorSystem<?> system() {
        return system;
    }

    public ActorRef<RuntimeActor.Command> runtime() {
        return runtime;
    }

    public CompletionStage<NetworkInfo> createNetwork(NetworkSpec spec) {
        return ask(replyTo -> new RuntimeActor.CreateNetwork(spec, replyTo));
    }

    /** By id, name or unique id prefix; the answer lists the network's endpoints. */
    public CompletionStage<NetworkInfo> inspectNetwork(String network) {
        return ask(replyTo -> new RuntimeActor.InspectNetwork(network, replyTo));
    }

    public CompletionStage<List<NetworkInfo>> listNetworks() {
        return Asks.ask(runtime, RuntimeActor.ListNetworks::new, timeout, system.scheduler());
    }

    /** How many addresses of the network are handed out; zero once its containers are gone. */
    public CompletionStage<Integer> addressesInUse(String network) {
        return ask(replyTo -> new RuntimeActor.AddressesInUse(network, replyTo));
    }

    public CompletionStage<Done> removeNetwork(String network) {
        return ask(replyTo -> new RuntimeActor.RemoveNetwork(network, replyTo));
    }

    /**
     * Creates the container's namespace (unless it shares one) and joins the networks its spec names. The spec's id
     * (null: a new one) is the container's key from then on; {@code container:} mode takes the owner's full id.
     */
    public CompletionStage<ContainerInfo> createContainer(ContainerSpec spec) {
        return ask(replyTo -> new RuntimeActor.CreateContainer(spec, replyTo));
    }

    /** By the container's full id. */
    public CompletionStage<ContainerInfo> inspectContainer(String containerId) {
        return ask(replyTo -> new RuntimeActor.InspectContainer(containerId, replyTo));
    }

    /**
     * The counters of the links in the container's (by full id) network namespace, loopback included; empty for a
     * container that has no namespace of its own (host mode) or is not running.
     */
    public CompletionStage<List<LinkStatistics>> interfaceStatistics(String containerId) {
        return ask(replyTo -> new RuntimeActor.InterfaceStatistics(containerId, replyTo));
    }

    public CompletionStage<List<ContainerInfo>> listContainers() {
        return ask(RuntimeActor.ListContainers::new);
    }

    /**
     * Removes the container (by full id) and its namespace; {@code force} also removes containers that joined its
     * namespace.
     */
    public CompletionStage<Done> removeContainer(String containerId, boolean force) {
        return ask(replyTo -> new RuntimeActor.RemoveContainer(containerId, force, replyTo));
    }

    /** Connects the container (by full id) to the network (by id, name or unique id prefix). */
    public CompletionStage<EndpointInfo> connect(String containerId, String network, EndpointSpec spec) {
        return ask(replyTo -> new RuntimeActor.Connect(containerId, network, spec, replyTo));
    }

    public CompletionStage<Done> disconnect(String containerId, String network) {
        return ask(replyTo -> new RuntimeActor.Disconnect(containerId, network, replyTo));
    }

    /**
     * Tells the runtime that the engine renamed the container (by full id): {@code label} for its logs and messages,
     * and the names the embedded DNS answers for its endpoints, by network name (an endpoint not named keeps its own).
     */
    public CompletionStage<ContainerInfo> renameContainer(String containerId, String label, Map<String, List<String>> dnsNames) {
        return ask(replyTo -> new RuntimeActor.RenameContainer(containerId, label, dnsNames, replyTo));
    }

    /**
     * Stops the runtime. Without a store (the config names no state directory), nothing outlives it: every container
     * and user-defined network and netwharf's firewall tables are removed. With one, a stop is Docker's: networks stay
     * (in the store and in the kernel) for the next start, and container namespaces are removed unless
     * {@code liveRestore} keeps their containers running. The default bridge stays either way, to be adopted by the
     * next start. The actor system is left running. When anything could not be removed the runtime still stops, and
     * the stage fails with a {@link io.netwharf.protocol.model.NetwharfException} listing every failure. Calling it
     * again answers with the first call's outcome.
     */
    public CompletionStage<Done> stop() {
        if (stopRequested.compareAndSet(false, true)) {
            Asks.<RuntimeActor.Command, Done>askWithStatus(runtime, RuntimeActor.Shutdown::new, timeout.multipliedBy(2), system.scheduler())
                    .whenComplete((done, failure) -> {
                        events.close();
                        if (failure == null) {
                            stopped.complete(done);
                        } else {
                            stopped.completeExceptionally(KernelErrors.unwrap(failure));
                        }
                    });
        }
        return stopped;
    }

    /**
     * {@link #stop}'s outcome, once something has called it: the application, or the actor system's coordinated
     * shutdown (which {@link #start} registers it with). Never completes if nothing does.
     */
    public CompletionStage<Done> whenStopped() {
        return stopped;
    }

    private <T> CompletionStage<T> ask(Function<ActorRef<StatusReply<T>>, RuntimeActor.Command> message) {
        return Asks.askWithStatus(runtime, message, timeout, system.scheduler());
    }
}
