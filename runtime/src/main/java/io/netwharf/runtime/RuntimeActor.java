package io.netwharf.runtime;

import io.netwharf.actor.Answered;
import io.netwharf.actor.Asks;
import io.netwharf.actor.KernelErrors;
import io.netwharf.actor.Teardown;
import io.netwharf.dns.DnsRecords;
import io.netwharf.dns.DnsServer;
import io.netwharf.events.EventLog;
import io.netwharf.protocol.model.Event;
import io.netwharf.firewall.Firewall;
import io.netwharf.firewall.NftablesFirewall;
import io.netwharf.firewall.NoFirewall;
import io.netwharf.ipam.Ipv4;
import io.netwharf.ipam.Ipv4Subnet;
import io.netwharf.ipam.PoolRequest;
import io.netwharf.ipam.PoolActor;
import io.netwharf.ipam.Taken;
import io.netwharf.network.NetworkDefinition;
import io.netwharf.kernel.FaultPoint;
import io.netwharf.kernel.HostKernel;
import io.netwharf.kernel.Nftables;
import io.netwharf.network.NetworkActor;
import io.netwharf.network.NetworkDriver;
import io.netwharf.network.NetworkHandle;
import io.netwharf.network.bridge.BridgeDriver;
import io.netwharf.network.bridge.BridgeOptions;
import io.netwharf.network.host.HostDriver;
import io.netwharf.network.ipvlan.IpvlanDriver;
import io.netwharf.network.macvlan.MacvlanDriver;
import io.netwharf.network.none.NullDriver;
import io.netwharf.network.RemoteEndpoint;
import io.netwharf.network.overlay.OverlayDriver;
import io.netwharf.network.overlay.OverlayFabric;
import io.netwharf.network.overlay.OverlayOptions;
import io.netwharf.protocol.model.ContainerInfo;
import io.netwharf.protocol.rtnetlink.LinkStatistics;
import io.netwharf.protocol.model.ContainerSpec;
import io.netwharf.protocol.model.EndpointInfo;
import io.netwharf.protocol.model.EndpointSpec;
import io.netwharf.protocol.model.Ids;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.protocol.model.NetworkMode;
import io.netwharf.protocol.model.NetworkSpec;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.model.PortBinding;
import io.netwharf.protocol.model.Resolver;
import io.netwharf.sandbox.SandboxActor;
import io.netwharf.firewall.PortForwards;
import io.netwharf.firewall.StartupFirewall;
import io.netwharf.store.Change;
import io.netwharf.store.Phase;
import io.netwharf.store.Store;
import io.netwharf.store.StoredEndpoint;
import io.netwharf.store.StoredNetwork;
import io.netwharf.store.StoredSandbox;
import io.netwharf.store.StoredState;

import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The runtime's guardian, a network controller as libnetwork's: it prepares the host (firewall table, IPv4
 * forwarding), brings up the default network, then keeps networks and sandboxes by id and routes each command to
 * the actor that owns the resource. Container names, id prefixes and the rules on them are the container engine's:
 * here a container is its full id, and the name it was given only a label for logs and messages. Network references
 * (id, name, unique id prefix) are resolved by the shared {@link Resolver}. It makes no kernel call itself: the host
 * preparation runs on the kernel dispatcher, everything else in {@link NetworkActor}s and {@link SandboxActor}s.
 *
 * <p>Each asynchronous step is piped back as a typed message naming its outcome ({@link NetworkCreated},
 * {@link ContainerWired}...) or {@link StepFailed} with the {@link Step} that was pending, so a log line or an error
 * names the step.
 */
public final class RuntimeActor {
    private static final Logger LOG = LoggerFactory.getLogger(RuntimeActor.class);
    public static final DispatcherSelector KERNEL_DISPATCHER = DispatcherSelector.fromConfig("netwharf.kernel-dispatcher");
    public static final DispatcherSelector BRIDGE_DISPATCHER = DispatcherSelector.fromConfig("netwharf.bridge-dispatcher");
    private static final Resolver<NetworkRecord> NETWORKS = Resolver.networks();

    public sealed interface Command {}

    public record AwaitReady(ActorRef<StatusReply<Done>> replyTo) implements Command, Answered<Done> {}

    public record CreateNetwork(NetworkSpec spec, ActorRef<StatusReply<NetworkInfo>> replyTo) implements Command, Answered<NetworkInfo> {}

    /** {@code network}: an id, name or unique id prefix, here and in every command below. */
    public record InspectNetwork(String network, ActorRef<StatusReply<NetworkInfo>> replyTo) implements Command, Answered<NetworkInfo> {}

    public record ListNetworks(ActorRef<List<NetworkInfo>> replyTo) implements Command {}

    /** How many addresses the network's pool has handed out: zero once its containers are gone. */
    public record AddressesInUse(String network, ActorRef<StatusReply<Integer>> replyTo) implements Command, Answered<Integer> {}

    public record RemoveNetwork(String network, ActorRef<StatusReply<Done>> replyTo) implements Command, Answered<Done> {}

    public record CreateContainer(ContainerSpec spec, ActorRef<StatusReply<ContainerInfo>> replyTo) implements Command, Answered<ContainerInfo> {}

    /** {@code containerId}: the container's full id, here and in every command below. */
    public record InspectContainer(String containerId, ActorRef<StatusReply<ContainerInfo>> replyTo) implements Command, Answered<ContainerInfo> {}

    public record ListContainers(ActorRef<StatusReply<List<ContainerInfo>>> replyTo) implements Command, Answered<List<ContainerInfo>> {}

    /** The counters of the links in the container's namespace (the owner's in {@code container:} mode). */
    public record InterfaceStatistics(String containerId, ActorRef<StatusReply<List<LinkStatistics>>> replyTo)
            implements Command, Answered<List<LinkStatistics>> {}

    /** Remove a container; {@code force} also removes the containers that joined its namespace. */
    public record RemoveContainer(String containerId, boolean force, ActorRef<StatusReply<Done>> replyTo) implements Command, Answered<Done> {}

    public record Connect(String containerId, String network, EndpointSpec spec, ActorRef<StatusReply<EndpointInfo>> replyTo)
            implements Command, Answered<EndpointInfo> {}

    public record Disconnect(String containerId, String network, ActorRef<StatusReply<Done>> replyTo) implements Command, Answered<Done> {}

    /**
     * The engine renamed the container: {@code label} for logs and messages from now on, and the names the embedded
     * DNS answers for each of its endpoints ({@code dnsNames} by network name; an endpoint not named keeps its own).
     * Answered with the container as it now is, once the endpoints' new names are in the store.
     */
    public record RenameContainer(String containerId, String label, Map<String, List<String>> dnsNames,
                                  ActorRef<StatusReply<ContainerInfo>> replyTo) implements Command, Answered<ContainerInfo> {}

    /**
     * Remove every container and user network, and the firewall table; the default bridge stays for the next start.
     * Goes on after a failure; the answer is an error listing every one. The runtime stops either way.
     */
    public record Shutdown(ActorRef<StatusReply<Done>> replyTo) implements Command {}

    /** From the cluster: every overlay network it knows, each time that changes. This node makes the new, removes the gone. */
    public record ClusterNetworks(List<NetworkInfo> networks) implements Command {}

    /** From the cluster: every endpoint the other nodes (the live ones) have on overlay networks, each time that changes. */
    public record ClusterEndpoints(List<RemoteEndpoint> endpoints) implements Command {}

    /** An overlay network another node made is made here too (or could not be: null). */
    private record NetworkLearned(NetworkInfo network, NetworkHandle handle) implements Command {}

    /** An overlay network the cluster removed is removed here. */
    private record NetworkForgotten(NetworkRecord network) implements Command {}

    // ---- the outcomes of the steps under way, piped back to the actor ----------------------------------------

    /** Networks up (the default first), and the sandboxes the reconcile kept, to adopt. */
    private record NetworksStarted(List<NetworkHandle> networks, List<Reconciliation.KeptSandbox> kept) implements Command {}

    private record NetworkCreated(CreatingNetwork step, NetworkHandle network) implements Command {}

    private record NetworkRemoved(RemovingNetwork step) implements Command {}

    /** The creation saga ({@link ContainerWiring}) of a container has ended. */
    private record WiringDone(ContainerWiring.Outcome outcome) implements Command {}

    /** A container's sandbox answered a connect or disconnect: the embedded DNS hears of it before the caller does. */
    private record Connected(Connect request, String networkId, EndpointInfo endpoint, Throwable failure) implements Command {}

    private record Disconnected(Disconnect request, String networkId, Throwable failure) implements Command {}

    /** The sandbox keeps the renamed container's endpoints with their new names. */
    private record Renamed(RenameContainer request, List<EndpointInfo> endpoints, Throwable failure) implements Command {}

    /** The sandbox is gone: a removal done, or a failed creation undone. */
    private record SandboxDestroyed(Step step) implements Command {}

    /** A host or {@code container:} mode container could not be recorded: it is forgotten again. */
    private record SharingFailed(String containerId) implements Command {}

    /** Everything was removed but what {@code failures} names. */
    private record ShutDown(Shutdown request, List<String> failures) implements Command {}

    private record StepFailed(Step step, Throwable cause) implements Command {}

    /** A step under way and what its outcome needs; {@link #describe()} names it in logs and errors. */
    private sealed interface Step {
        String describe();
    }

    private record StartingUp() implements Step {
        public String describe() {
            return "start netwharf";
        }
    }

    private record CreatingNetwork(CreateNetwork request, NetworkDefinition definition,
                                   ActorRef<NetworkActor.Command> network) implements Step {
        public String describe() {
            return "create network " + definition.name();
        }
    }

    private record RemovingNetwork(RemoveNetwork request, NetworkRecord network) implements Step {
        public String describe() {
            return "remove network " + network.info().name();
        }
    }

    /** An overlay network the cluster removed, removed here (its failure is logged: no one is waiting). */
    private record RemovingOverlay(NetworkRecord network) implements Step {
        public String describe() {
            return "remove overlay network " + network.info().name() + ", which the cluster removed,";
        }
    }

    /** A creation whose saga ({@link ContainerWiring}) is under way: the caller, and the container as registered. */
    private record Creation(CreateContainer request, ContainerRecord container, List<PortBinding> ports) {}

    private record RemovingContainer(RemoveContainer request, ContainerRecord container, List<ContainerRecord> sharers) implements Step {
        public String describe() {
            return "remove container " + container.label();
        }
    }

    private record NetworkRecord(NetworkHandle handle) {
        NetworkInfo info() {
            return handle.info();
        }
    }

    private final ActorContext<Command> context;
    private final StashBuffer<Command> stash;
    private final RuntimeConfig config;
    private final HostKernel kernel;
    private final StartupFirewall firewall;
    private final Store store;
    private final Executor kernelExecutor;
    private final Scheduler scheduler;
    private final Map<String, NetworkRecord> networks = new LinkedHashMap<>();
    private final Map<String, ContainerRecord> containers = new LinkedHashMap<>();
    /** Network creations wait here while one is under way, so two never choose the same subnet or bridge. */
    private final Deque<CreateNetwork> waitingNetworkCreations = new ArrayDeque<>();
    private boolean creatingNetwork;
    private long sandboxesSpawned;
    /** The creations whose saga is under way, by container id. */
    private final Map<String, Creation> wirings = new HashMap<>();
    private final ActorRef<ContainerWiring.Outcome> wiringDone;
    private final HostPorts hostPorts;
    private final PortPublisher publisher;
    private final DnsServer dns;
    /** The embedded DNS listeners are made and closed in order, off the actor's thread (they block on a namespace thread). */
    private final ExecutorService dnsListeners = Executors.newSingleThreadExecutor(r -> new Thread(r, "netwharf-dns-listeners"));
    /** Each container's endpoints and upstream servers, for the embedded DNS's records. */
    private final Map<String, List<EndpointInfo>> endpointsOf = new HashMap<>();
    private final Map<String, List<String>> upstreamsOf = new HashMap<>();
    /** The containers the embedded DNS serves: with an endpoint on a network that has it. */
    private final Set<String> dnsServed = new HashSet<>();
    private final EventLog events;
    /** The cluster, for overlay networks; null when this runtime is a single node. */
    private final OverlayFabric fabric;
    /** The underlay link's MTU, read at start when there is a cluster. */
    private volatile int underlayMtu;
    /** The other nodes' overlay endpoints, as the cluster last said. */
    private List<RemoteEndpoint> remoteEndpoints = List.of();
    /** Overlay networks being made here because the cluster has them, by id. */
    private final Set<String> learning = new HashSet<>();
    /**
     * The overlay networks the cluster has listed, by id: only those are removed when it no longer lists them (one
     * just made here may be missing from a list sent before its announcement); those restored from the store count.
     */
    private final Set<String> listedByCluster = new HashSet<>();
    /** The cluster's last list, kept while a network creation is under way and handled after it. */
    private ClusterNetworks deferredClusterNetworks;

    private RuntimeActor(ActorContext<Command> context, StashBuffer<Command> stash, RuntimeConfig config, HostKernel kernel,
                         Firewall firewall, HostPorts hostPorts, DnsServer dns, Store store, EventLog events, OverlayFabric fabric) {
        this.events = events;
        this.fabric = fabric;
        this.context = context;
        this.stash = stash;
        this.config = config;
        this.kernel = kernel;
        this.firewall = new StartupFirewall(firewall);
        this.store = store;
        this.kernelExecutor = context.getSystem().dispatchers().lookup(KERNEL_DISPATCHER);
        this.scheduler = context.getSystem().scheduler();
        this.wiringDone = context.messageAdapter(ContainerWiring.Outcome.class, WiringDone::new);
        this.hostPorts = hostPorts;
        this.dns = dns;
        this.publisher = new PortPublisher(kernel, this.firewall);
    }

    public static Behavior<Command> create(RuntimeConfig config) {
        return create(config, Store.none());
    }

    /** The runtime keeping what it knows in {@code store}, which it closes when it stops. */
    public static Behavior<Command> create(RuntimeConfig config, Store store) {
        return create(config, store, EventLog.none());
    }

    /** As above, publishing its networks' events (create, destroy, connect, disconnect) to {@code events}. */
    public static Behavior<Command> create(RuntimeConfig config, Store store, EventLog events) {
        return create(config, store, events, null);
    }

    /**
     * As above, one node of a cluster: overlay networks are made through {@code fabric} (null: a single node, which
     * refuses them).
     */
    public static Behavior<Command> create(RuntimeConfig config, Store store, EventLog events, OverlayFabric fabric) {
        // A fault in one command's handling must not lose the registries: log it and go on with the next command.
        return Behaviors.supervise(Behaviors.<Command>withStash(100_000, stash -> Behaviors.setup(context -> {
            HostKernel kernel;
            try {
                kernel = HostKernel.open(config.hostNetns(), config.runDirectory(), config.namespaceThreads());
            } catch (RuntimeException e) {
                store.close();
                return failed(KernelErrors.describe("open the host namespace", e));
            }
            Firewall firewall;
            HostPorts hostPorts;
            try {
                hostPorts = HostPorts.fromRange(kernel.sysctl().read(kernel.host(), "net/ipv4/ip_local_port_range"));
                // The backend --iptables chooses; nftables loads libnftables here, and says what to install if it cannot.
                firewall = config.iptables() ? new NftablesFirewall(new Nftables(kernel.threads()), kernel.host()) : new NoFirewall();
            } catch (RuntimeException e) {
                kernel.close();
                store.close();
                return failed(KernelErrors.describe("load the firewall and read the ephemeral port range", e));
            }
            DnsServer dns;
            try {
                dns = new DnsServer(kernel.threads(), kernel.host(), config.resolvConf());
            } catch (RuntimeException e) {
                kernel.close();
                store.close();
                return failed(KernelErrors.describe("start the embedded DNS server", e));
            }
            return new RuntimeActor(context, stash, config, kernel, firewall, hostPorts, dns, store, events, fabric).starting();
        }))).onFailure(RuntimeException.class, SupervisorStrategy.resume());
    }

    // ---- start -------------------------------------------------------------------------------------------------

    /**
     * Start = reconcile: what the store knows and what the kernel holds are made to agree ({@link Reconciliation}),
     * then the default network, the predefined ones and the stored user networks are brought back (bridges adopted
     * or made again, with the endpoints of the containers kept running), their firewall rules installed in one
     * atomic change, and the kept sandboxes adopted. Commands wait until then.
     */
    private Behavior<Command> starting() {
        StoredState state;
        NetworkDefinition definition;
        List<NetworkDefinition> stored = new ArrayList<>();
        try {
            state = store.load();
            definition = defaultNetwork(state.networks().stream().filter(StoredNetworks::isDefault).findFirst().orElse(null));
            for (StoredNetwork row : state.networks()) {
                if (row.phase() == Phase.DONE && !StoredNetworks.isDefault(row)) {
                    try {
                        stored.add(StoredNetworks.definition(row, config.mtu()));
                    } catch (RuntimeException e) {
                        // Kept in the store, with its bridge: a later version may read it. Its containers cannot start.
                        LOG.error("network {} ({}) cannot be brought back: {}", row.name(), row.id(), e.getMessage());
                    }
                }
            }
        } catch (RuntimeException e) {
            kernel.close();
            store.close();
            return failed(e instanceof NetwharfException n ? n : KernelErrors.describe("read the store", e));
        }
        ActorRef<NetworkActor.Command> network = spawn(definition);
        // Spawned here, on the actor's thread; made below, once the default bridge is up.
        List<ActorRef<NetworkActor.Command>> predefined = List.of(spawn(NetworkDefinition.predefined("host", "host")),
                spawn(NetworkDefinition.predefined("none", "null")));
        Map<NetworkDefinition, ActorRef<NetworkActor.Command>> restored = new LinkedHashMap<>();
        stored.forEach(d -> restored.put(d, spawn(d)));
        List<Taken> taken = stored.stream().map(d -> Taken.network(d.subnet(), d.name())).toList();
        CompletionStage<NetworksStarted> ready = CompletableFuture
                .supplyAsync(() -> {
                    kernel.sysctl().write(kernel.host(), "net/ipv4/ip_forward", "1");
                    if (fabric != null) {
                        underlayMtu = OverlayDriver.underlayMtu(kernel, fabric.underlayAddress());
                    }
                    // Without a store nothing is known, so nothing is taken for a leftover: another runtime may own it.
                    return store.durable() ? Reconciliation.run(state, kernel, config.liveRestore(), new LinkSweep(kernel, config.bridgeName()))
                            : Reconciliation.NOTHING;
                }, kernelExecutor)
                .thenCompose(outcome -> store.apply(outcome.corrections()).thenApply(v -> outcome))
                .thenCompose(outcome -> create(network, taken, restoredOn(definition.id(), outcome)).thenCompose(bridge -> {
                    List<CompletableFuture<NetworkHandle>> all = new ArrayList<>();
                    all.add(CompletableFuture.completedFuture(bridge));
                    predefined.forEach(p -> all.add(create(p, List.of(), NetworkActor.Restored.NOTHING).toCompletableFuture()));
                    restored.forEach((d, actor) -> all.add(create(actor, List.of(), restoredOn(d.id(), outcome)).toCompletableFuture()));
                    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                            .thenApply(x -> all.stream().map(CompletableFuture::join).toList());
                }).thenCompose(handles -> CompletableFuture.runAsync(() -> {
                    // Noted, then installed with the networks in one change: kept containers' ports stay forwarded.
                    outcome.sandboxes().forEach(kept -> forwardsOf(kept).ifPresent(firewall::addForwards));
                    firewall.install();
                }, kernelExecutor)
                        .thenCompose(v -> store.apply(new Change.PutNetwork(StoredNetworks.done(handles.get(0).info(), null))))
                        .thenApply(v -> new NetworksStarted(handles, outcome.sandboxes()))));
        pipe(ready, new StartingUp(), started -> started);
        return Behaviors.receive(Command.class)
                .onMessage(NetworksStarted.class, this::onStarted)
                .onMessage(StepFailed.class, failed -> {
                    NetwharfException error = KernelErrors.describe(failed.step().describe(), failed.cause());
                    LOG.error("netwharf could not start: {}", error.getMessage());
                    kernel.close();
                    store.close();
                    return stash.unstashAll(failed(error));
                })
                .onAnyMessage(m -> {
                    stash.stash(m);
                    return Behaviors.same();
                })
                .build();
    }

    /** What the reconcile kept on network {@code networkId}: the kept sandboxes' endpoints there, and their addresses. */
    private static NetworkActor.Restored restoredOn(String networkId, Reconciliation.Outcome outcome) {
        List<EndpointInfo> endpoints = new ArrayList<>();
        Set<Integer> addresses = new HashSet<>();
        for (Reconciliation.KeptSandbox kept : outcome.sandboxes()) {
            for (StoredEndpoint endpoint : kept.endpoints()) {
                if (endpoint.networkId().equals(networkId)) {
                    // The network's name and gateway are filled in once it is up (see onStarted); the owner needs the link.
                    endpoints.add(new EndpointInfo(endpoint.endpointId(), networkId, null, endpoint.containerId(), endpoint.interfaceName(),
                            endpoint.hostInterface(), endpoint.mac(), endpoint.address(), endpoint.prefixLength(), null, endpoint.aliases(),
                            endpoint.dnsNames()));
                }
            }
            // Every address a kept namespace carries, known or not: the pool takes those in its subnet.
            addresses.addAll(kept.addresses());
        }
        return new NetworkActor.Restored(endpoints, addresses);
    }

    /** A kept sandbox's published ports, forwarded to its address on its first network, as the store has them. */
    private static Optional<PortForwards> forwardsOf(Reconciliation.KeptSandbox kept) {
        StoredSandbox row = kept.sandbox();
        if (row.ports().isEmpty() || kept.endpoints().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new PortForwards(row.containerId(), kept.endpoints().get(0).address(), row.ports()));
    }

    private Behavior<Command> onStarted(NetworksStarted started) {
        started.networks().forEach(this::register);
        started.networks().stream().filter(n -> isOverlay(n.info())).forEach(n -> listedByCluster.add(n.id()));
        NetworkInfo bridge = started.networks().get(0).info();
        LOG.info("default network on bridge {}: subnet {}, gateway {}", bridge.bridge(), bridge.subnet(), bridge.gateway());
        adopt(started.kept());
        return stash.unstashAll(running());
    }

    /**
     * Takes over the sandboxes of the containers kept running across the restart: owners first, so that the
     * containers that joined their namespace find them.
     */
    private void adopt(List<Reconciliation.KeptSandbox> kept) {
        List<Reconciliation.KeptSandbox> ordered = new ArrayList<>(kept);
        ordered.sort(Comparator.comparing(k -> k.sandbox().sharesWith() != null));
        for (Reconciliation.KeptSandbox sandbox : ordered) {
            StoredSandbox row = sandbox.sandbox();
            NetworkMode mode = NetworkMode.parse(row.mode());
            String id = row.containerId();
            if (row.sharesWith() != null) {
                ContainerRecord owner = containers.get(row.sharesWith());
                containers.put(id, new ContainerRecord(id, row.label(), mode, owner.sandbox(), owner.sandboxKey(), owner.id(),
                        ContainerRecord.State.RUNNING));
            } else if (mode instanceof NetworkMode.Host) {
                containers.put(id, new ContainerRecord(id, row.label(), mode, null, kernel.host().path().toString(), null,
                        ContainerRecord.State.RUNNING));
            } else {
                List<SandboxActor.AdoptedEndpoint> endpoints = new ArrayList<>();
                for (StoredEndpoint endpoint : sandbox.endpoints()) {
                    NetworkRecord record = networks.get(endpoint.networkId());
                    if (record == null) {
                        LOG.error("container {}: its endpoint on network {} is not adopted: the network could not be brought back",
                                row.label(), endpoint.networkId());
                        continue;
                    }
                    NetworkHandle network = record.handle();
                    endpoints.add(new SandboxActor.AdoptedEndpoint(StoredNetworks.endpoint(endpoint, network.info()), network,
                            Ipv4.parse(endpoint.address())));
                }
                ActorRef<SandboxActor.Command> actor = spawnSandbox(id, row.label());
                actor.tell(new SandboxActor.Adopt(endpoints, context.getSystem().ignoreRef()));
                endpointsOf.put(id, endpoints.stream().map(SandboxActor.AdoptedEndpoint::info).toList());
                upstreamsOf.put(id, row.dnsServers());
                PortForwards forwards = forwardsOf(sandbox).orElse(null);
                if (forwards != null) {
                    hostPorts.restore(id, forwards.bindings());
                }
                containers.put(id, new ContainerRecord(id, row.label(), mode, actor, kernel.sandboxes().pathOf(Ids.shortId(id)).toString(),
                        null, ContainerRecord.State.RUNNING, forwards));
            }
        }
        endpointsOf.keySet().forEach(this::namesChanged);
        if (!kept.isEmpty()) {
            LOG.info("{} containers kept running across the restart (live restore) were adopted", kept.size());
        }
    }

    /**
     * The default network as the config describes it: {@code --bip} fixes its subnet and gateway, checked as a user
     * network's are (a prefix in ASCII digits, a subnet a pool can take, no special-purpose block, a usable gateway).
     */
    private NetworkDefinition defaultNetwork(StoredNetwork stored) {
        NetworkDefinition.checkLinkName(config.bridgeName());
        Ipv4Subnet subnet = null;
        Integer gateway = null;
        // The same network as in the last run, on the same bridge: same id (the endpoints kept running refer to it),
        // and the same subnet unless --bip now says otherwise.
        boolean same = stored != null && config.bridgeName().equals(stored.link());
        if (same && config.bip() == null && stored.subnet() != null) {
            subnet = Ipv4Subnet.parse(stored.subnet());
            gateway = Ipv4.parse(stored.gateway());
        }
        if (config.bip() != null) {
            try {
                String[] parts = config.bip().split("/", 2);
                if (parts.length != 2) {
                    throw NetwharfException.badParameter("expected an address and a prefix length, like 172.17.0.1/16");
                }
                Ipv4Subnet containing = Ipv4Subnet.containing(Ipv4.parse(parts[0]), Ipv4Subnet.prefixLength(parts[1]));
                PoolRequest pool = PoolRequest.parse(containing.toString(), parts[0], null, Map.of());
                subnet = pool.subnet();
                gateway = pool.gateway();
            } catch (IllegalArgumentException | NetwharfException e) {
                throw NetwharfException.badParameter("invalid bip \"" + config.bip() + "\": " + e.getMessage());
            }
        }
        return new NetworkDefinition(same ? stored.id() : Ids.newId(), StoredNetworks.DEFAULT_NAME, "bridge", config.bridgeName(), subnet,
                gateway, null, Map.of(), config.mtu(), config.icc(), config.ipMasquerade(), false, false, true, Map.of(),
                BridgeOptions.ofDefaultBridge(config.bridgeName(), config.mtu(), config.icc(), config.ipMasquerade()),
                same ? stored.created() : Instant.now());
    }

    /** Refuses every command with the reason the runtime could not start. */
    private static Behavior<Command> failed(NetwharfException error) {
        return Behaviors.receive(Command.class)
                .onMessage(Shutdown.class, m -> {
                    m.replyTo().tell(StatusReply.ack()); // it made nothing to remove
                    return Behaviors.stopped();
                })
                .onAnyMessage(m -> {
                    replyError(m, error);
                    return Behaviors.same();
                })
                .build();
    }

    // ---- running -----------------------------------------------------------------------------------------------

    private Behavior<Command> running() {
        return Behaviors.receive(Command.class)
                .onMessage(AwaitReady.class, m -> {
                    m.replyTo().tell(StatusReply.ack());
                    return Behaviors.same();
                })
                .onMessage(CreateNetwork.class, this::onCreateNetwork)
                .onMessage(InspectNetwork.class, this::onInspectNetwork)
                .onMessage(ListNetworks.class, m -> {
                    m.replyTo().tell(networks.values().stream().map(NetworkRecord::info).toList());
                    return Behaviors.same();
                })
                .onMessage(AddressesInUse.class, this::onAddressesInUse)
                .onMessage(RemoveNetwork.class, this::onRemoveNetwork)
                .onMessage(CreateContainer.class, this::onCreateContainer)
                .onMessage(InspectContainer.class, this::onInspectContainer)
                .onMessage(ListContainers.class, this::onListContainers)
                .onMessage(InterfaceStatistics.class, this::onInterfaceStatistics)
                .onMessage(RemoveContainer.class, this::onRemoveContainer)
                .onMessage(Connect.class, this::onConnect)
                .onMessage(Disconnect.class, this::onDisconnect)
                .onMessage(RenameContainer.class, this::onRenameContainer)
                .onMessage(Renamed.class, this::onRenamed)
                .onMessage(Shutdown.class, this::onShutdown)
                .onMessage(ClusterNetworks.class, this::onClusterNetworks)
                .onMessage(ClusterEndpoints.class, this::onClusterEndpoints)
                .onMessage(NetworkLearned.class, this::onNetworkLearned)
                .onMessage(NetworkForgotten.class, this::onNetworkForgotten)
                .onMessage(NetworkCreated.class, this::onNetworkCreated)
                .onMessage(NetworkRemoved.class, this::onNetworkRemoved)
                .onMessage(WiringDone.class, this::onWiringDone)
                .onMessage(Connected.class, this::onConnected)
                .onMessage(Disconnected.class, this::onDisconnected)
                .onMessage(SandboxDestroyed.class, this::onSandboxDestroyed)
                .onMessage(SharingFailed.class, m -> {
                    containers.remove(m.containerId());
                    return Behaviors.same();
                })
                .onMessage(ShutDown.class, done -> {
                    List<String> failed = done.failures();
                    failed.forEach(message -> LOG.warn("shutdown: {}", message));
                    // Before the answer: the caller may terminate the actor system next, and the store's writer with it.
                    store.close();
                    done.request().replyTo().tell(failed.isEmpty() ? StatusReply.ack()
                            : StatusReply.error(Teardown.combined("shut down the runtime", failed, List.of())));
                    return Behaviors.stopped();
                })
                .onMessage(StepFailed.class, this::onStepFailed)
                .onSignal(PostStop.class, s -> {
                    dnsListeners.shutdown();
                    dns.close();
                    publisher.close();
                    firewall.close();
                    kernel.close();
                    store.close();
                    return Behaviors.same();
                })
                .build();
    }

    // ---- networks ----------------------------------------------------------------------------------------------

    private Behavior<Command> onCreateNetwork(CreateNetwork request) {
        if (creatingNetwork) {
            waitingNetworkCreations.add(request);
            return Behaviors.same();
        }
        NetworkDefinition definition;
        try {
            String id = Ids.newId();
            definition = switch (request.spec().driver()) {
                case "bridge" -> BridgeOptions.define(request.spec(), id, config.mtu(), networkInfos());
                case "overlay" -> {
                    if (fabric == null) {
                        throw NetwharfException.badParameter("overlay networks span the nodes of a cluster, and this daemon is a "
                                + "single node: start it with --cluster-bind (and --cluster-seed to join others)");
                    }
                    yield OverlayOptions.define(request.spec(), id, underlayMtu, networkInfos());
                }
                default -> NetworkDefinition.check(request.spec(), id, config.mtu(), networkInfos());
            };
        } catch (NetwharfException e) {
            request.replyTo().tell(StatusReply.error(e));
            return nextNetworkCreation();
        }
        List<Taken> taken = networks.values().stream().filter(n -> n.info().hasAddresses())
                .map(n -> Taken.network(Ipv4Subnet.parse(n.info().subnet()), n.info().name())).toList();
        creatingNetwork = true;
        ActorRef<NetworkActor.Command> network = spawn(definition);
        CreatingNetwork step = new CreatingNetwork(request, definition, network);
        // Intent before effect: a crash while the bridge is being made leaves a record of it; the answer waits for done.
        pipe(store.apply(new Change.PutNetwork(StoredNetworks.intent(definition, request.spec())))
                .thenCompose(v -> {
                    FaultPoint.reach("network.intent-written");
                    return create(network, taken, NetworkActor.Restored.NOTHING);
                })
                .thenCompose(handle -> {
                    FaultPoint.reach("network.bridge-made");
                    boolean overlay = isOverlay(handle.info());
                    return store.apply(new Change.PutNetwork(StoredNetworks.done(handle.info(),
                                    overlay ? StoredNetworks.overlaySpec(handle.info()) : request.spec())))
                            // Answered once a majority of the nodes know it: then no partition can lose it.
                            .thenCompose(v -> overlay ? fabric.announce(handle.info()) : CompletableFuture.completedFuture(Done.getInstance()))
                            .thenApply(v -> handle);
                }), step, handle -> new NetworkCreated(step, handle));
        return Behaviors.same();
    }

    private Behavior<Command> onNetworkCreated(NetworkCreated created) {
        creatingNetwork = false;
        register(created.network());
        networkEvent("create", created.network().info(), null);
        created.step().request().replyTo().tell(StatusReply.success(created.network().info()));
        return nextNetworkCreation();
    }

    private Behavior<Command> nextNetworkCreation() {
        if (deferredClusterNetworks != null) {
            ClusterNetworks deferred = deferredClusterNetworks;
            deferredClusterNetworks = null;
            onClusterNetworks(deferred);
        }
        CreateNetwork next = waitingNetworkCreations.poll();
        return next == null ? Behaviors.same() : onCreateNetwork(next);
    }

    private ActorRef<NetworkActor.Command> spawn(NetworkDefinition definition) {
        return context.spawn(NetworkActor.create(definition, driverOf(definition)), networkActorName(definition.id()), BRIDGE_DISPATCHER);
    }

    private static String networkActorName(String networkId) {
        return "network-" + Ids.shortId(networkId);
    }

    /** The driver that serves a network; {@link NetworkDefinition#check} has refused any other name. */
    private NetworkDriver driverOf(NetworkDefinition definition) {
        return switch (definition.driver()) {
            case "bridge" -> new BridgeDriver(kernel, firewall);
            case "macvlan" -> new MacvlanDriver(kernel);
            case "ipvlan" -> new IpvlanDriver(kernel);
            case "host" -> new HostDriver();
            case "null" -> new NullDriver();
            case "overlay" -> new OverlayDriver(kernel, firewall, fabric);
            default -> throw new IllegalArgumentException("no network driver " + definition.driver());
        };
    }

    /** Asks a new network's actor to make its bridge; may be called off the actor's thread. */
    private CompletionStage<NetworkHandle> create(ActorRef<NetworkActor.Command> network, List<Taken> taken, NetworkActor.Restored restored) {
        return Asks.askWithStatus(network, replyTo -> new NetworkActor.Create(taken, config.defaultAddressPools(), restored, replyTo),
                config.kernelTimeout(), scheduler);
    }

    private void register(NetworkHandle handle) {
        networks.put(handle.id(), new NetworkRecord(handle));
        if (isOverlay(handle.info())) {
            handle.owner().tell(new NetworkActor.RemoteEndpoints(remoteOn(handle.id())));
        }
    }

    private static boolean isOverlay(NetworkInfo network) {
        return network.driver().equals("overlay");
    }

    // ---- the cluster's overlay networks ------------------------------------------------------------------------

    /**
     * The cluster's overlay networks: those this node does not have are made here, the same (id, subnet, VNI); those
     * it has and the cluster no longer does are removed, unless containers of this node are still on them.
     */
    private Behavior<Command> onClusterNetworks(ClusterNetworks cluster) {
        if (creatingNetwork) {
            deferredClusterNetworks = cluster; // the creation under way may be one of these networks
            return Behaviors.same();
        }
        Set<String> known = new HashSet<>();
        for (NetworkInfo network : cluster.networks()) {
            known.add(network.id());
            listedByCluster.add(network.id());
            if (networks.containsKey(network.id()) || learning.contains(network.id())
                    || context.getChild(networkActorName(network.id())).isPresent()) {
                continue; // here already, or being made, or removed a moment ago (a failed creation of this node's)
            }
            Optional<NetworkRecord> sameName = networks.values().stream().filter(n -> n.info().name().equals(network.name())).findFirst();
            if (sameName.isPresent()) {
                LOG.error("overlay network {} ({}) of the cluster is not made here: this node has a network of that name ({})",
                        network.name(), network.id(), sameName.get().info().id());
                continue;
            }
            learning.add(network.id());
            NetworkDefinition definition = NetworkDefinition.of(network);
            ActorRef<NetworkActor.Command> owner = spawn(definition);
            CompletionStage<NetworkHandle> made = store.apply(new Change.PutNetwork(StoredNetworks.intent(definition, StoredNetworks.overlaySpec(network))))
                    .thenCompose(v -> create(owner, List.of(), NetworkActor.Restored.NOTHING))
                    .thenCompose(handle -> store.apply(new Change.PutNetwork(StoredNetworks.done(handle.info(), StoredNetworks.overlaySpec(network))))
                            .thenApply(v -> handle));
            context.pipeToSelf(made, (handle, failure) -> {
                if (failure != null) {
                    LOG.error("overlay network {} ({}) of the cluster could not be made here: {}", network.name(), network.id(),
                            KernelErrors.unwrap(failure).getMessage());
                    owner.tell(new NetworkActor.Remove(context.getSystem().ignoreRef()));
                    store.apply(new Change.DeleteNetwork(network.id()));
                }
                return new NetworkLearned(network, failure == null ? handle : null);
            });
        }
        for (NetworkRecord record : List.copyOf(networks.values())) {
            if (isOverlay(record.info()) && listedByCluster.contains(record.info().id()) && !known.contains(record.info().id())) {
                listedByCluster.remove(record.info().id());
                pipe(removeNetwork(record).thenCompose(done -> store.apply(new Change.DeleteNetwork(record.handle().id()))),
                        new RemovingOverlay(record), done -> new NetworkForgotten(record));
            }
        }
        return Behaviors.same();
    }

    private Behavior<Command> onNetworkLearned(NetworkLearned learned) {
        learning.remove(learned.network().id());
        if (learned.handle() != null) {
            register(learned.handle());
            networkEvent("create", learned.handle().info(), null);
        }
        return Behaviors.same();
    }

    private Behavior<Command> onNetworkForgotten(NetworkForgotten forgotten) {
        networks.remove(forgotten.network().handle().id());
        fabric.removedHere(forgotten.network().handle().id());
        networkEvent("destroy", forgotten.network().info(), null);
        return Behaviors.same();
    }

    /** The other nodes' endpoints: each overlay network programs its own, and the embedded DNS answers their names. */
    private Behavior<Command> onClusterEndpoints(ClusterEndpoints cluster) {
        remoteEndpoints = List.copyOf(cluster.endpoints());
        networks.values().stream().filter(n -> isOverlay(n.info()))
                .forEach(n -> n.handle().owner().tell(new NetworkActor.RemoteEndpoints(remoteOn(n.handle().id()))));
        publishNames();
        return Behaviors.same();
    }

    private List<RemoteEndpoint> remoteOn(String networkId) {
        return remoteEndpoints.stream().filter(e -> e.endpoint().networkId().equals(networkId)).toList();
    }

    private Behavior<Command> onInspectNetwork(InspectNetwork request) {
        return answer(request, "inspect network " + request.network(), () -> {
            NetworkRecord network = network(request.network());
            if (!network.info().hasAddresses()) {
                return CompletableFuture.completedFuture(network.info().withEndpoints(modeEndpoints(network.info())));
            }
            return Asks.<NetworkActor.Command, NetworkInfo>ask(network.handle().owner(), NetworkActor.Inspect::new,
                    config.kernelTimeout(), scheduler);
        });
    }

    /**
     * The host and none networks' endpoints: the containers in that mode, which join no network's owner (their
     * namespace is the host's, or has loopback only). Each gets an endpoint id derived from the network's and its own.
     */
    private Map<String, EndpointInfo> modeEndpoints(NetworkInfo network) {
        NetworkMode mode = modeOf(network);
        Map<String, EndpointInfo> endpoints = new LinkedHashMap<>();
        containers.values().stream().filter(c -> c.mode().equals(mode) && c.state() == ContainerRecord.State.RUNNING)
                .forEach(c -> endpoints.put(c.id(), new EndpointInfo(Ids.derived(network.id(), c.id()), network.id(),
                        network.name(), c.id(), null, null, null, null, 0, null, List.of())));
        return endpoints;
    }

    private Behavior<Command> onAddressesInUse(AddressesInUse request) {
        return answer(request, "count the addresses of network " + request.network(), () -> {
            NetworkRecord network = network(request.network());
            return network.handle().pool() == null ? CompletableFuture.completedFuture(0) : Asks.<PoolActor.Command, Integer>ask(
                    network.handle().pool(), PoolActor.CountInUse::new, config.kernelTimeout(), scheduler);
        });
    }

    private Behavior<Command> onRemoveNetwork(RemoveNetwork request) {
        NetworkRecord network;
        try {
            network = network(request.network());
        } catch (NetwharfException e) {
            request.replyTo().tell(StatusReply.error(e));
            return Behaviors.same();
        }
        if (network.info().isDefault()) {
            request.replyTo().tell(StatusReply.error(NetwharfException.forbidden(
                    network.info().name() + " is a pre-defined network and cannot be removed")));
            return Behaviors.same();
        }
        boolean overlay = isOverlay(network.info());
        if (overlay) {
            Optional<RemoteEndpoint> elsewhere = remoteOn(network.info().id()).stream().findFirst();
            if (elsewhere.isPresent()) {
                request.replyTo().tell(StatusReply.error(NetwharfException.forbidden("error while removing network: network "
                        + network.info().name() + " id " + network.info().id() + " has active endpoints (on node "
                        + elsewhere.get().node() + ")")));
                return Behaviors.same();
            }
        }
        RemovingNetwork step = new RemovingNetwork(request, network);
        pipe(removeNetwork(network).thenCompose(done -> store.apply(new Change.DeleteNetwork(network.handle().id())))
                        .thenCompose(done -> overlay ? fabric.withdraw(network.info().id()) : CompletableFuture.completedFuture(Done.getInstance())),
                step, done -> new NetworkRemoved(step));
        return Behaviors.same();
    }

    private Behavior<Command> onNetworkRemoved(NetworkRemoved removed) {
        networks.remove(removed.step().network().handle().id());
        if (isOverlay(removed.step().network().info())) {
            fabric.removedHere(removed.step().network().handle().id());
        }
        networkEvent("destroy", removed.step().network().info(), null);
        removed.step().request().replyTo().tell(StatusReply.ack());
        return Behaviors.same();
    }

    private CompletionStage<Done> removeNetwork(NetworkRecord network) {
        return Asks.askWithStatus(network.handle().owner(), NetworkActor.Remove::new, config.kernelTimeout(),
                scheduler);
    }

    // ---- containers --------------------------------------------------------------------------------------------

    private Behavior<Command> onCreateContainer(CreateContainer request) {
        ContainerSpec spec = request.spec();
        String id;
        String label;
        List<ContainerWiring.Join> joins;
        List<PortBinding> ports;
        try {
            id = containerId(spec.id());
            label = spec.name() == null || spec.name().isEmpty() ? Ids.shortId(id) : spec.name();
            NetworkMode mode = spec.networkMode();
            if (!mode.joinsNetworks() && !spec.endpoints().isEmpty()) {
                throw mode.connectRefusal();
            }
            if (!spec.ports().isEmpty() && !mode.joinsNetworks()) {
                throw NetwharfException.badParameter("cannot publish ports of a container in " + mode.text() + " network mode: it "
                        + "has no address of its own to forward them to");
            }
            if (mode instanceof NetworkMode.Host || mode instanceof NetworkMode.Container) {
                return createSharing(request, id, label);
            }
            joins = mode.joinsNetworks() ? joins(spec) : List.of();
            ports = spec.ports().isEmpty() ? List.of() : reservePorts(id, label, spec, joins);
        } catch (NetwharfException e) {
            request.replyTo().tell(StatusReply.error(e));
            return Behaviors.same();
        }
        ActorRef<SandboxActor.Command> sandbox = spawnSandbox(id, label);
        ContainerRecord creating = new ContainerRecord(id, label, spec.networkMode(), sandbox, null, null, ContainerRecord.State.CREATING);
        containers.put(id, creating);
        wirings.put(id, new Creation(request, creating, ports));
        StoredSandbox row = new StoredSandbox(id, label, spec.networkMode().text(), null, Phase.DONE, spec.dnsServers(), ports);
        ContainerWiring.Publishing publishing = ports.isEmpty() ? ContainerWiring.Publishing.NONE
                : publishing(id, joins.get(0).network().info().bridge(), ports);
        context.spawn(ContainerWiring.create(sandbox, row, joins, store, publishing, config.kernelTimeout(), wiringDone),
                "wiring-" + id + "-" + sandboxesSpawned);
        return Behaviors.same();
    }

    /**
     * Checks that the ports can be forwarded (a bridge network first, a firewall to do it) and reserves their host
     * ports, choosing those left to the runtime; refuses, holding nothing, with Docker's words for a taken port.
     */
    private List<PortBinding> reservePorts(String id, String label, ContainerSpec spec, List<ContainerWiring.Join> joins) {
        NetworkInfo first = joins.get(0).network().info();
        if (!first.driver().equals("bridge")) {
            throw NetwharfException.badParameter("cannot publish ports of container " + label + " on network " + first.name()
                    + ": ports are published from bridge networks only, and this one's driver is " + first.driver());
        }
        firewall.checkPublishable(label);
        return hostPorts.reserve(id, spec.ports());
    }

    /** Forwards the ports to the container's address on its first network, a bridge network. */
    private ContainerWiring.Publishing publishing(String id, String bridge, List<PortBinding> ports) {
        return new ContainerWiring.Publishing() {
            private volatile PortForwards forwards;

            @Override
            public CompletionStage<Void> publish(List<EndpointInfo> endpoints) {
                EndpointInfo first = endpoints.get(0);
                PortForwards made = new PortForwards(id, first.ipv4Address(), ports);
                return CompletableFuture.runAsync(() -> {
                    publisher.publish(bridge, first.hostInterfaceName(), made);
                    forwards = made;
                }, kernelExecutor);
            }

            @Override
            public CompletionStage<Void> unpublish() {
                PortForwards made = forwards;
                return made == null ? CompletableFuture.completedFuture(null)
                        : CompletableFuture.runAsync(() -> publisher.unpublish(made), kernelExecutor);
            }
        };
    }

    private ActorRef<SandboxActor.Command> spawnSandbox(String id, String label) {
        return context.spawn(SandboxActor.create(kernel, id, label, config.kernelTimeout(), store),
                // Numbered: a container restarted under its id may start before its old sandbox actor has stopped.
                "sandbox-" + id + "-" + (++sandboxesSpawned), KERNEL_DISPATCHER);
    }

    /** The creation saga has ended: the container runs, or it is forgotten (its sandbox gone, or logged as left). */
    private Behavior<Command> onWiringDone(WiringDone done) {
        Creation step = wirings.remove(done.outcome().containerId());
        ContainerRecord creating = step.container();
        if (done.outcome() instanceof ContainerWiring.Wired wired) {
            ContainerRecord running = creating.with(ContainerRecord.State.RUNNING).withSandboxKey(wired.sandboxKey())
                    .withForwards(step.ports().isEmpty() ? null
                            : new PortForwards(creating.id(), wired.endpoints().get(0).ipv4Address(), step.ports()));
            containers.put(creating.id(), running);
            endpointsOf.put(creating.id(), wired.endpoints());
            upstreamsOf.put(creating.id(), step.request().spec().dnsServers());
            namesChanged(creating.id());
            attachmentEvents("connect", running, wired.endpoints()).forEach(events::publish);
            step.request().replyTo().tell(StatusReply.success(containerInfo(running, wired.sandboxKey(), wired.endpoints())));
        } else if (done.outcome() instanceof ContainerWiring.Failed failed) {
            containers.remove(creating.id());
            hostPorts.release(creating.id());
            step.request().replyTo().tell(StatusReply.error(failed.error()));
        }
        return Behaviors.same();
    }

    /** {@code host} and {@code container:<id>} modes: no namespace of their own, so nothing to create in the kernel. */
    private Behavior<Command> createSharing(CreateContainer request, String id, String label) {
        NetworkMode mode = request.spec().networkMode();
        ContainerRecord record;
        if (mode instanceof NetworkMode.Container joined) {
            ContainerRecord owner = container(joined.reference());
            if (owner.state() != ContainerRecord.State.RUNNING) {
                throw NetwharfException.conflict("cannot join the network namespace of container " + owner.label() + ": it is "
                        + owner.state().name().toLowerCase());
            }
            record = new ContainerRecord(id, label, new NetworkMode.Container(owner.id()), owner.sandbox(), owner.sandboxKey(),
                    owner.id(), ContainerRecord.State.RUNNING);
        } else {
            record = new ContainerRecord(id, label, mode, null, kernel.host().path().toString(), null, ContainerRecord.State.RUNNING);
        }
        containers.put(id, record);
        ContainerRecord made = record;
        List<Event> connected = attachmentEvents("connect", record, List.of());
        ActorRef<Command> self = context.getSelf(); // answered from the store's thread
        store.apply(new Change.PutSandbox(new StoredSandbox(id, label, record.mode().text(), record.sharesWith(), Phase.DONE)))
                .whenComplete((done, failure) -> {
                    if (failure == null) {
                        connected.forEach(events::publish);
                        request.replyTo().tell(StatusReply.success(containerInfo(made, made.sandboxKey(), List.of())));
                    } else {
                        self.tell(new SharingFailed(id));
                        request.replyTo().tell(StatusReply.error(KernelErrors.describe("record container " + label, failure)));
                    }
                });
        return Behaviors.same();
    }


    /** The networks a bridge-mode container joins: the one its mode names first, then the others its spec lists. */
    private List<ContainerWiring.Join> joins(ContainerSpec spec) {
        NetworkRecord first = network(spec.networkMode().network());
        Map<String, ContainerWiring.Join> listed = new LinkedHashMap<>();
        spec.endpoints().forEach((reference, endpoint) -> {
            NetworkRecord network = network(NetworkMode.networkReference(reference));
            checkEndpoint(network, endpoint);
            if (listed.put(network.handle().id(), new ContainerWiring.Join(network.handle(), endpoint)) != null) {
                throw NetwharfException.badParameter("network " + network.info().name() + " is listed twice");
            }
        });
        List<ContainerWiring.Join> joins = new ArrayList<>();
        joins.add(listed.getOrDefault(first.handle().id(), new ContainerWiring.Join(first.handle(), EndpointSpec.DYNAMIC)));
        listed.values().stream().filter(j -> !j.network().id().equals(first.handle().id())).forEach(joins::add);
        return joins;
    }

    /** host and none take no endpoints (Docker's refusals); the default network no static address or alias. */
    private static void checkEndpoint(NetworkRecord network, EndpointSpec endpoint) {
        NetworkMode mode = modeOf(network.info());
        if (mode != null) {
            throw mode.joinRefusal();
        }
        endpoint.checkFor(network.info());
    }

    /** The mode of the containers on a network that takes no endpoints: host or none; null for the others. */
    private static NetworkMode modeOf(NetworkInfo network) {
        return switch (network.driver()) {
            case "host" -> NetworkMode.HOST_MODE;
            case "null" -> NetworkMode.NONE_MODE;
            default -> null;
        };
    }

    /** The caller's id, checked (it names the namespace's file), or a new one. */
    private String containerId(String requested) {
        if (requested == null) {
            return Ids.newId();
        }
        if (!Ids.isId(requested)) {
            throw NetwharfException.badParameter("invalid container id \"" + requested + "\": it must be 64 lowercase hex digits");
        }
        if (containers.containsKey(requested)) {
            throw NetwharfException.conflict("container id " + requested + " is already in use");
        }
        return requested;
    }

    private Behavior<Command> onInspectContainer(InspectContainer request) {
        return answer(request, "inspect container " + request.containerId(), () -> describe(container(request.containerId())));
    }

    /** From the sandbox that owns the namespace; none for a container without one of its own (host mode) or not running. */
    private Behavior<Command> onInterfaceStatistics(InterfaceStatistics request) {
        return answer(request, "read the link counters of container " + request.containerId(), () -> {
            ContainerRecord record = container(request.containerId());
            ContainerRecord owner = record.sharesWith() == null ? record : container(record.sharesWith());
            if (!owner.ownsSandbox() || owner.state() != ContainerRecord.State.RUNNING) {
                return CompletableFuture.completedFuture(List.of());
            }
            return Asks.askWithStatus(owner.sandbox(), SandboxActor.Statistics::new, config.kernelTimeout(), scheduler);
        });
    }

    private Behavior<Command> onListContainers(ListContainers request) {
        List<CompletableFuture<ContainerInfo>> infos = containers.values().stream()
                .filter(c -> c.state() == ContainerRecord.State.RUNNING)
                .map(c -> describe(c).toCompletableFuture()).toList();
        CompletableFuture.allOf(infos.toArray(CompletableFuture[]::new)).whenComplete((v, failure) -> request.replyTo().tell(
                failure == null ? StatusReply.success(infos.stream().map(CompletableFuture::join).toList())
                        : StatusReply.error(KernelErrors.describe("list containers", failure))));
        return Behaviors.same();
    }

    /** A container's state; the endpoints come from the sandbox it owns (joined namespaces show none, as in Docker). */
    private CompletionStage<ContainerInfo> describe(ContainerRecord record) {
        if (!record.ownsSandbox() || record.state() != ContainerRecord.State.RUNNING) {
            return CompletableFuture.completedFuture(containerInfo(record, record.sandboxKey(), List.of()));
        }
        return Asks.<SandboxActor.Command, List<EndpointInfo>>ask(record.sandbox(), SandboxActor.Inspect::new,
                        config.kernelTimeout(), scheduler)
                .thenApply(endpoints -> containerInfo(record, record.sandboxKey(), endpoints));
    }

    private static ContainerInfo containerInfo(ContainerRecord record, String sandboxKey, List<EndpointInfo> endpoints) {
        Map<String, EndpointInfo> byNetwork = new LinkedHashMap<>();
        endpoints.forEach(e -> byNetwork.put(e.networkName(), e));
        return new ContainerInfo(record.id(), record.label(), record.mode().text(), sandboxKey, record.sharesWith(),
                Collections.unmodifiableMap(byNetwork), record.ports());
    }

    private Behavior<Command> onRemoveContainer(RemoveContainer request) {
        ContainerRecord record;
        try {
            record = container(request.containerId());
            requireRunning(record);
        } catch (NetwharfException e) {
            request.replyTo().tell(StatusReply.error(e));
            return Behaviors.same();
        }
        // The namespace is the runtime's: it goes only when nobody else is in it, or with them when forced.
        List<ContainerRecord> sharers = sharersOf(record.id());
        if (!sharers.isEmpty() && !request.force()) {
            request.replyTo().tell(StatusReply.error(NetwharfException.conflict("cannot remove container " + record.label()
                    + ": containers " + sharers.stream().map(ContainerRecord::label).toList()
                    + " share its network namespace; remove them first, or force the removal to remove them too")));
            return Behaviors.same();
        }
        RemovingContainer step = new RemovingContainer(request, record, sharers);
        List<Change> forgotten = new ArrayList<>();
        forgotten.add(new Change.DeleteSandbox(record.id()));
        sharers.forEach(c -> forgotten.add(new Change.DeleteSandbox(c.id())));
        containers.put(record.id(), record.with(ContainerRecord.State.REMOVING));
        CompletionStage<Done> destroyed = record.ownsSandbox() ? destroy(record.sandbox()) : CompletableFuture.completedFuture(Done.getInstance());
        pipe(destroyed.thenCompose(done -> unpublish(record)).thenCompose(done -> store.apply(forgotten)), step,
                done -> new SandboxDestroyed(step));
        return Behaviors.same();
    }

    private Behavior<Command> onSandboxDestroyed(SandboxDestroyed destroyed) {
        if (destroyed.step() instanceof RemovingContainer removing) {
            containers.remove(removing.container().id());
            hostPorts.release(removing.container().id());
            removing.sharers().forEach(d -> containers.remove(d.id()));
            List<EndpointInfo> left = endpointsOf.remove(removing.container().id());
            if (left != null) {
                upstreamsOf.remove(removing.container().id());
                namesChanged(removing.container().id());
            }
            attachmentEvents("disconnect", removing.container(), left == null ? List.of() : left).forEach(events::publish);
            removing.request().replyTo().tell(StatusReply.ack());
        }
        return Behaviors.same();
    }

    /** The containers that joined {@code id}'s namespace, directly or through another joiner. */
    private List<ContainerRecord> sharersOf(String id) {
        List<ContainerRecord> found = new ArrayList<>();
        for (ContainerRecord c : containers.values()) {
            if (id.equals(c.sharesWith())) {
                found.add(c);
                found.addAll(sharersOf(c.id()));
            }
        }
        return found;
    }

    /** Takes back the forwards of a container whose namespace is gone; its host ports are released by the caller. */
    private CompletionStage<Done> unpublish(ContainerRecord record) {
        PortForwards forwards = record.forwards();
        return forwards == null ? CompletableFuture.completedFuture(Done.getInstance())
                : CompletableFuture.supplyAsync(() -> {
                    publisher.unpublish(forwards);
                    return Done.getInstance();
                }, kernelExecutor);
    }

    private CompletionStage<Done> destroy(ActorRef<SandboxActor.Command> sandbox) {
        return Asks.askWithStatus(sandbox, SandboxActor.Destroy::new, config.kernelTimeout(), scheduler);
    }

    private Behavior<Command> onConnect(Connect request) {
        try {
            NetworkRecord network = network(request.network());
            ContainerRecord record = container(request.containerId());
            // pipework may give a none container interfaces, when it asks explicitly.
            boolean pipework = record.mode() instanceof NetworkMode.None && request.spec().noneMode();
            if (!record.mode().joinsNetworks() && !pipework) {
                throw record.mode().connectRefusal();
            }
            requireRunning(record);
            checkEndpoint(network, request.spec());
            String networkId = network.handle().id();
            context.pipeToSelf(Asks.<SandboxActor.Command, EndpointInfo>askWithStatus(record.sandbox(),
                            r -> new SandboxActor.Connect(network.handle(), request.spec(), r), config.kernelTimeout(), scheduler),
                    (endpoint, failure) -> new Connected(request, networkId, endpoint, failure));
        } catch (NetwharfException e) {
            request.replyTo().tell(StatusReply.error(e));
        }
        return Behaviors.same();
    }

    private Behavior<Command> onDisconnect(Disconnect request) {
        try {
            NetworkRecord network = network(request.network());
            if (modeOf(network.info()) != null) {
                throw NetwharfException.badParameter("container cannot be disconnected from " + network.info().name() + " network");
            }
            ContainerRecord record = container(request.containerId());
            // A none container may have been given interfaces by pipework: the sandbox knows whether it has this one.
            if (!record.ownsSandbox()) {
                throw NetwharfException.badParameter(NetworkMode.sharedNamespaceRefusal("disconnected from"));
            }
            requireRunning(record);
            String networkId = network.handle().id();
            context.pipeToSelf(Asks.<SandboxActor.Command, Done>askWithStatus(record.sandbox(),
                            r -> new SandboxActor.Disconnect(network.handle(), r), config.kernelTimeout(), scheduler),
                    (done, failure) -> new Disconnected(request, networkId, failure));
        } catch (NetwharfException e) {
            request.replyTo().tell(StatusReply.error(e));
        }
        return Behaviors.same();
    }

    private Behavior<Command> onConnected(Connected connected) {
        if (connected.failure() != null) {
            connected.request().replyTo().tell(StatusReply.error(KernelErrors.describe("connect container to network "
                    + connected.request().network(), connected.failure())));
            return Behaviors.same();
        }
        String id = connected.request().containerId();
        if (containers.containsKey(id)) { // not removed while the sandbox was connecting it
            List<EndpointInfo> endpoints = new ArrayList<>(endpointsOf.getOrDefault(id, List.of()));
            endpoints.removeIf(e -> e.networkId().equals(connected.networkId()));
            endpoints.add(connected.endpoint());
            endpointsOf.put(id, endpoints);
            namesChanged(id);
        }
        NetworkRecord network = networks.get(connected.networkId());
        if (network != null) {
            networkEvent("connect", network.info(), id);
        }
        connected.request().replyTo().tell(StatusReply.success(connected.endpoint()));
        return Behaviors.same();
    }

    private Behavior<Command> onDisconnected(Disconnected disconnected) {
        if (disconnected.failure() != null) {
            disconnected.request().replyTo().tell(StatusReply.error(KernelErrors.describe("disconnect container from network "
                    + disconnected.request().network(), disconnected.failure())));
            return Behaviors.same();
        }
        String id = disconnected.request().containerId();
        if (endpointsOf.containsKey(id)) {
            List<EndpointInfo> endpoints = new ArrayList<>(endpointsOf.get(id));
            endpoints.removeIf(e -> e.networkId().equals(disconnected.networkId()));
            endpointsOf.put(id, endpoints);
            namesChanged(id);
        }
        NetworkRecord network = networks.get(disconnected.networkId());
        if (network != null) {
            networkEvent("disconnect", network.info(), id);
        }
        disconnected.request().replyTo().tell(StatusReply.ack());
        return Behaviors.same();
    }

    /**
     * The label changes at once; a container with a namespace of its own has its sandbox keep the endpoints' new
     * names, and the embedded DNS answers them once it has (the old name no longer resolves, as in Docker).
     */
    private Behavior<Command> onRenameContainer(RenameContainer request) {
        ContainerRecord record;
        try {
            record = container(request.containerId());
        } catch (NetwharfException e) {
            request.replyTo().tell(StatusReply.error(e));
            return Behaviors.same();
        }
        ContainerRecord renamed = record.withLabel(request.label());
        containers.put(record.id(), renamed);
        List<EndpointInfo> endpoints = endpointsOf.getOrDefault(record.id(), List.of());
        if (!renamed.ownsSandbox() || renamed.state() != ContainerRecord.State.RUNNING || endpoints.isEmpty()) {
            request.replyTo().tell(StatusReply.success(containerInfo(renamed, renamed.sandboxKey(), endpoints)));
            return Behaviors.same();
        }
        Map<String, List<String>> byNetworkId = new LinkedHashMap<>();
        endpoints.forEach(e -> {
            List<String> names = request.dnsNames().get(e.networkName());
            if (names != null) {
                byNetworkId.put(e.networkId(), names);
            }
        });
        context.pipeToSelf(Asks.<SandboxActor.Command, List<EndpointInfo>>askWithStatus(renamed.sandbox(),
                        r -> new SandboxActor.UpdateDnsNames(byNetworkId, r), config.kernelTimeout(), scheduler),
                (now, failure) -> new Renamed(request, now, failure));
        return Behaviors.same();
    }

    private Behavior<Command> onRenamed(Renamed renamed) {
        RenameContainer request = renamed.request();
        if (renamed.failure() != null) {
            request.replyTo().tell(StatusReply.error(KernelErrors.describe("rename container " + request.label(), renamed.failure())));
            return Behaviors.same();
        }
        ContainerRecord record = containers.get(request.containerId());
        if (record != null && endpointsOf.containsKey(record.id())) { // not removed meanwhile
            endpointsOf.put(record.id(), renamed.endpoints());
            namesChanged(record.id());
            // The other nodes answer the new names too.
            renamed.endpoints().stream().filter(e -> networks.containsKey(e.networkId()) && isOverlay(networks.get(e.networkId()).info()))
                    .forEach(endpoint -> fabric.publish(endpoint)); // not fabric::publish: fabric is null on a single node
        }
        request.replyTo().tell(record == null ? StatusReply.error(Resolver.containers().notFound(request.containerId()))
                : StatusReply.success(containerInfo(record, record.sandboxKey(), renamed.endpoints())));
        return Behaviors.same();
    }

    // ---- events ------------------------------------------------------------------------------------------------

    /** Docker's network event: the network's name and driver ({@code type}), and the container connected or disconnected. */
    private void networkEvent(String action, NetworkInfo network, String containerId) {
        events.publish(networkEventOf(action, network, containerId));
    }

    private static Event networkEventOf(String action, NetworkInfo network, String containerId) {
        Map<String, String> attributes = new HashMap<>();
        attributes.put("name", network.name());
        attributes.put("type", network.driver());
        if (containerId != null) {
            attributes.put("container", containerId);
        }
        return Event.now(Event.Type.NETWORK, action, network.id(), attributes);
    }

    /**
     * A container's {@code connect} or {@code disconnect} events at its creation or removal: one per endpoint, and as
     * Docker, one on the host or none network for a container in that mode (a {@code container:} one has none).
     */
    private List<Event> attachmentEvents(String action, ContainerRecord container, List<EndpointInfo> endpoints) {
        List<Event> made = new ArrayList<>();
        if (container.mode() instanceof NetworkMode.Host || container.mode() instanceof NetworkMode.None) {
            networks.values().stream().filter(n -> container.mode().equals(modeOf(n.info()))).findFirst()
                    .ifPresent(n -> made.add(networkEventOf(action, n.info(), container.id())));
        }
        for (EndpointInfo endpoint : endpoints) {
            NetworkRecord network = networks.get(endpoint.networkId());
            if (network != null) {
                made.add(networkEventOf(action, network.info(), container.id()));
            }
        }
        return made;
    }

    // ---- embedded DNS ------------------------------------------------------------------------------------------

    /**
     * The records change with {@code containerId}'s endpoints: a new snapshot for the server, and the container's
     * listeners made when it has an endpoint on a network with embedded DNS, closed when it has none left.
     */
    private void namesChanged(String containerId) {
        ContainerRecord record = containers.get(containerId);
        boolean served = record != null && endpointsOf.getOrDefault(containerId, List.of()).stream().anyMatch(this::hasEmbeddedDns);
        if (!served && !dnsServed.remove(containerId)) {
            return; // on no network with embedded DNS, before or now: the records are as they were
        }
        publishNames();
        if (served) {
            dnsServed.add(containerId);
            Path sandbox = Path.of(record.sandboxKey());
            List<String> upstreams = upstreamsOf.getOrDefault(containerId, List.of());
            dnsListeners.execute(() -> {
                try {
                    dns.listen(containerId, sandbox, upstreams);
                } catch (RuntimeException e) {
                    LOG.error("container {}: no embedded DNS server in its namespace: {}", record.label(), KernelErrors.unwrap(e).getMessage());
                }
            });
        } else {
            dnsListeners.execute(() -> dns.forget(containerId));
        }
    }

    /** The embedded DNS's records: this node's containers' endpoints, and the other nodes' on overlay networks. */
    private void publishNames() {
        List<DnsRecords.Entry> entries = new ArrayList<>();
        endpointsOf.forEach((id, endpoints) -> endpoints.stream().filter(this::hasEmbeddedDns)
                .forEach(e -> entries.add(new DnsRecords.Entry(id, e.networkId(), e.ipv4Address(), e.dnsNames()))));
        remoteEndpoints.stream().map(RemoteEndpoint::endpoint).filter(this::hasEmbeddedDns)
                .forEach(e -> entries.add(new DnsRecords.Entry(e.containerId(), e.networkId(), e.ipv4Address(), e.dnsNames())));
        dns.publish(DnsRecords.of(entries));
    }

    /** Docker's rule: user-defined networks have the embedded DNS, the default bridge (and host, none) not. */
    private boolean hasEmbeddedDns(EndpointInfo endpoint) {
        NetworkRecord network = networks.get(endpoint.networkId());
        return network != null && !network.info().name().equals("bridge") && network.info().hasAddresses()
                && endpoint.ipv4Address() != null;
    }

    private static void requireRunning(ContainerRecord record) {
        if (record.state() != ContainerRecord.State.RUNNING) {
            throw NetwharfException.conflict("container " + record.label() + " is " + record.state().name().toLowerCase()
                    + "; try again once that has finished");
        }
    }

    // ---- failed steps ------------------------------------------------------------------------------------------

    /** Puts back what the step changed and tells its caller, naming the step. */
    private Behavior<Command> onStepFailed(StepFailed failed) {
        Step step = failed.step();
        NetwharfException error = KernelErrors.describe(step.describe(), failed.cause());
        if (step instanceof CreatingNetwork creating) {
            creatingNetwork = false;
            // The caller hears of a failure, so nothing may stay: the network's actor may still finish creating its
            // bridge and rules after a timeout, or have made them before the store failed. Its mailbox takes the
            // removal after the creation (an actor whose creation failed has stopped, and the removal goes nowhere).
            creating.network().tell(new NetworkActor.Remove(context.getSystem().ignoreRef()));
            store.apply(new Change.DeleteNetwork(creating.definition().id()));
            if (creating.definition().driver().equals("overlay")) {
                // An announcement a majority did not confirm is still in this node's copy: it must not spread later.
                fabric.withdraw(creating.definition().id());
            }
            creating.request().replyTo().tell(StatusReply.error(error));
            return nextNetworkCreation();
        } else if (step instanceof RemovingNetwork removing) {
            removing.request().replyTo().tell(StatusReply.error(error));
        } else if (step instanceof RemovingContainer removing) {
            containers.put(removing.container().id(), removing.container());
            removing.request().replyTo().tell(StatusReply.error(error));
        } else {
            LOG.error("{} failed: {}", step.describe(), error.getMessage());
        }
        return Behaviors.same();
    }

    // ---- shutdown ----------------------------------------------------------------------------------------------

    /**
     * Without a durable store, nothing outlives the runtime: every sandbox, user network and the firewall table go.
     * With one, a stop is Docker's: networks stay (bridges and rules in the kernel, records in the store) for the next
     * start; sandboxes go unless {@code --live-restore} keeps their containers running.
     */
    private Behavior<Command> onShutdown(Shutdown request) {
        if (store.durable()) {
            List<ContainerRecord> sandboxes = config.liveRestore() ? List.of() : containers.values().stream()
                    .filter(c -> c.ownsSandbox() && c.state() == ContainerRecord.State.RUNNING).toList();
            CompletionStage<List<String>> failures = allFailures(sandboxes.stream()
                    .map(c -> failureOf("remove container " + c.label(), destroy(c.sandbox()).thenCompose(done -> unpublish(c))
                            .thenCompose(done -> store.apply(new Change.DeleteSandbox(c.id()))))).toList());
            context.pipeToSelf(failures, (failed, f) -> new ShutDown(request, failed));
            return Behaviors.same();
        }
        List<NetworkRecord> all = networks.values().stream().filter(n -> n.info().hasAddresses()).toList();
        List<CompletableFuture<String>> sandboxes = containers.values().stream()
                .filter(c -> c.ownsSandbox() && c.state() == ContainerRecord.State.RUNNING)
                .map(c -> failureOf("remove container " + c.label(), destroy(c.sandbox()))).toList();
        // Containers first (their endpoints hold the networks), then the networks, then the firewall table.
        CompletionStage<List<String>> failures = allFailures(sandboxes)
                .thenCompose(earlier -> allFailures(all.stream()
                        .map(n -> failureOf("remove network " + n.info().name(), removeNetwork(n))).toList())
                        .thenApply(later -> concat(earlier, later)))
                .thenCompose(earlier -> failureOf("remove the firewall table", CompletableFuture.runAsync(firewall::tearDown, kernelExecutor))
                        .thenApply(last -> last == null ? earlier : concat(earlier, List.of(last))));
        // Every step above is turned into its failure's text: the chain always completes, and ShutDown stops the actor.
        context.pipeToSelf(failures, (failed, f) -> new ShutDown(request, failed));
        return Behaviors.same();
    }

    /** Completes with null once {@code work} has, or with {@code step}'s failure described; never fails. */
    private static CompletableFuture<String> failureOf(String step, CompletionStage<?> work) {
        return work.toCompletableFuture().handle((v, failure) -> failure == null ? null : KernelErrors.describe(step, failure).getMessage());
    }

    private static CompletableFuture<List<String>> allFailures(List<CompletableFuture<String>> steps) {
        return CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new))
                .thenApply(v -> steps.stream().map(CompletableFuture::join).filter(message -> message != null).toList());
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> both = new ArrayList<>(first);
        both.addAll(second);
        return both;
    }

    // ---- registries --------------------------------------------------------------------------------------------

    private Collection<NetworkInfo> networkInfos() {
        return networks.values().stream().map(NetworkRecord::info).toList();
    }

    /** The network {@code reference} names: full id, name or unique id prefix, with Docker's refusals. */
    private NetworkRecord network(String reference) {
        return NETWORKS.resolve(reference, networks.values(), n -> n.handle().id(), n -> n.info().name());
    }

    /** A container by its full id: the engine has turned the user's name or prefix into it. */
    private ContainerRecord container(String id) {
        ContainerRecord record = id == null ? null : containers.get(id);
        if (record == null) {
            throw Resolver.containers().notFound(id);
        }
        return record;
    }

    // ---- plumbing ----------------------------------------------------------------------------------------------

    /**
     * Pipes {@code work}'s outcome back to the actor as a typed message: {@code done}'s on success, else
     * {@link StepFailed} naming {@code step}. Other commands go on meanwhile.
     */
    private <T> void pipe(CompletionStage<T> work, Step step, Function<T, Command> done) {
        context.pipeToSelf(work, (value, failure) -> failure == null ? done.apply(value) : new StepFailed(step, failure));
    }

    /**
     * Answers {@code request} with what {@code answer}'s stage gives, or the refusal {@code answer} throws, or the
     * failure its stage ends in, described as a failure of {@code step}. The registries are read only here, inside
     * the actor; the stage completes elsewhere.
     */
    private <T> Behavior<Command> answer(Answered<T> request, String step, Supplier<CompletionStage<T>> answer) {
        try {
            answer.get().whenComplete((value, failure) -> request.replyTo().tell(failure == null ? StatusReply.success(value)
                    : StatusReply.error(KernelErrors.describe(step, failure))));
        } catch (NetwharfException e) {
            request.replyTo().tell(StatusReply.error(e));
        }
        return Behaviors.same();
    }

    private static void replyError(Command command, NetwharfException error) {
        if (command instanceof Shutdown m) {
            m.replyTo().tell(StatusReply.ack());
        } else if (command instanceof ListNetworks m) {
            m.replyTo().tell(List.of());
        } else if (command instanceof Answered<?> m) {
            m.refuse(error);
        }
    }
}
