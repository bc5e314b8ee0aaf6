package io.netwharf.runtime;

import io.netwharf.actor.Asks;
import io.netwharf.actor.KernelErrors;
import io.netwharf.firewall.Firewall;
import io.netwharf.firewall.NftablesFirewall;
import io.netwharf.ipam.Ipv4;
import io.netwharf.ipam.Ipv4Subnet;
import io.netwharf.ipam.PoolActor;
import io.netwharf.ipam.Taken;
import io.netwharf.network.NetworkDefinition;
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
import io.netwharf.network.NetworkActor;
import io.netwharf.protocol.model.ContainerInfo;
import io.netwharf.protocol.model.ContainerSpec;
import io.netwharf.protocol.model.EndpointInfo;
import io.netwharf.protocol.model.EndpointSpec;
import io.netwharf.protocol.model.Ids;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.protocol.model.NetworkSpec;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.sandbox.SandboxActor;

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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The runtime's guardian: it prepares the host (firewall table, IPv4 forwarding), brings up the default network,
 * then keeps the registries (networks and containers by id and name) and routes each command to the actor that owns
 * the resource. It makes no kernel call itself: the host preparation runs on the kernel dispatcher, everything else
 * in {@link NetworkActor}s and {@link SandboxActor}s.
 */
public final class RuntimeActor {
    private static final Logger LOG = LoggerFactory.getLogger(RuntimeActor.class);
    public static final DispatcherSelector KERNEL_DISPATCHER = DispatcherSelector.fromConfig("netwharf.kernel-dispatcher");
    public static final DispatcherSelector BRIDGE_DISPATCHER = DispatcherSelector.fromConfig("netwharf.bridge-dispatcher");
    private static final Pattern CONTAINER_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]+");
    private static final String CONTAINER_MODE = "container:";

    public sealed interface Command {}

    /** A command whose answer can be an error. */
    interface Answered<T> {
        ActorRef<StatusReply<T>> replyTo();
    }

    public record AwaitReady(ActorRef<StatusReply<Done>> replyTo) implements Command, Answered<Done> {}

    public record CreateNetwork(NetworkSpec spec, ActorRef<StatusReply<NetworkInfo>> replyTo) implements Command, Answered<NetworkInfo> {}

    public record InspectNetwork(String network, ActorRef<StatusReply<NetworkInfo>> replyTo) implements Command, Answered<NetworkInfo> {}

    public record ListNetworks(ActorRef<List<NetworkInfo>> replyTo) implements Command {}

    /** How many addresses the network's pool has handed out: zero once its containers are gone. */
    public record AddressesInUse(String network, ActorRef<StatusReply<Integer>> replyTo) implements Command, Answered<Integer> {}

    public record RemoveNetwork(String network, ActorRef<StatusReply<Done>> replyTo) implements Command, Answered<Done> {}

    public record CreateContainer(ContainerSpec spec, ActorRef<StatusReply<ContainerInfo>> replyTo) implements Command, Answered<ContainerInfo> {}

    public record InspectContainer(String container, ActorRef<StatusReply<ContainerInfo>> replyTo) implements Command, Answered<ContainerInfo> {}

    public record ListContainers(ActorRef<StatusReply<List<ContainerInfo>>> replyTo) implements Command, Answered<List<ContainerInfo>> {}

    /** Remove a container; {@code force} also removes the containers that joined its namespace. */
    public record RemoveContainer(String container, boolean force, ActorRef<StatusReply<Done>> replyTo) implements Command, Answered<Done> {}

    public record Connect(String container, String network, EndpointSpec spec, ActorRef<StatusReply<EndpointInfo>> replyTo) implements Command, Answered<EndpointInfo> {}

    public record Disconnect(String container, String network, ActorRef<StatusReply<Done>> replyTo) implements Command, Answered<Done> {}

    /**
     * Remove every container and user network, and the firewall table; the default bridge stays for the next start.
     * Goes on after a failure; the answer is an error listing every one. The runtime stops either way.
     */
    public record Shutdown(ActorRef<StatusReply<Done>> replyTo) implements Command {}

    private record StepDone(Object value, Throwable failure, BiFunction<Object, Throwable, Behavior<Command>> next) implements Command {}

    private record NetworkRecord(NetworkHandle handle) {
        NetworkInfo info() {
            return handle.info();
        }
    }

    private final ActorContext<Command> context;
    private final StashBuffer<Command> stash;
    private final RuntimeConfig config;
    private final HostKernel kernel;
    private final Firewall firewall;
    private final Executor kernelExecutor;
    private final Scheduler scheduler;
    private final Map<String, NetworkRecord> networks = new LinkedHashMap<>();
    private final Map<String, ContainerRecord> containers = new LinkedHashMap<>();
    private final Map<String, String> containerIdsByName = new LinkedHashMap<>();
    /** Network creations wait here while one is under way, so two never choose the same subnet or bridge. */
    private final Deque<CreateNetwork> waitingNetworkCreations = new ArrayDeque<>();
    private boolean creatingNetwork;
    private long sandboxesSpawned;

    private RuntimeActor(ActorContext<Command> context, StashBuffer<Command> stash, RuntimeConfig config, HostKernel kernel) {
        this.context = context;
        this.stash = stash;
        this.config = config;
        this.kernel = kernel;
        this.firewall = new NftablesFirewall(new Nftables(kernel.threads()), kernel.host());
        this.kernelExecutor = context.getSystem().dispatchers().lookup(KERNEL_DISPATCHER);
        this.scheduler = context.getSystem().scheduler();
    }

    public static Behavior<Command> create(RuntimeConfig config) {
        // A fault in one command's handling must not lose the registries: log it and go on with the next command.
        return Behaviors.supervise(Behaviors.<Command>withStash(100_000, stash -> Behaviors.setup(context -> {
            HostKernel kernel;
            try {
                kernel = HostKernel.open(config.hostNetns(), config.runDirectory(), config.namespaceThreads());
            } catch (RuntimeException e) {
                return failed(KernelErrors.describe("open the host namespace", e));
            }
            return new RuntimeActor(context, stash, config, kernel).starting();
        }))).onFailure(RuntimeException.class, SupervisorStrategy.resume());
    }

    // ---- start -------------------------------------------------------------------------------------------------

    private Behavior<Command> starting() {
        NetworkDefinition definition;
        try {
            definition = defaultNetwork();
        } catch (NetwharfException e) {
            kernel.close();
            return failed(e);
        }
        ActorRef<NetworkActor.Command> network = spawn(definition);
        // Spawned here, on the actor's thread; made below, once the default bridge is up.
        List<ActorRef<NetworkActor.Command>> predefined = List.of(spawn(NetworkDefinition.predefined("host", "host")),
                spawn(NetworkDefinition.predefined("none", "null")));
        CompletionStage<List<NetworkHandle>> ready = CompletableFuture
                .runAsync(() -> {
                    firewall.setUp();
                    kernel.sysctl().write(kernel.host(), "net/ipv4/ip_forward", "1");
                }, kernelExecutor)
                .thenCompose(v -> create(network, List.of()))
                .thenCompose(bridge -> {
                    List<CompletableFuture<NetworkHandle>> all = new ArrayList<>();
                    all.add(CompletableFuture.completedFuture(bridge));
                    predefined.forEach(p -> all.add(create(p, List.of()).toCompletableFuture()));
                    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                            .thenApply(x -> all.stream().map(CompletableFuture::join).toList());
                });
        context.pipeToSelf(ready, (handles, failure) -> new StepDone(handles, failure, (h, f) -> {
            if (f != null) {
                NetwharfException error = KernelErrors.describe("start netwharf", f);
                LOG.error("netwharf could not start: {}", error.getMessage());
                kernel.close();
                return stash.unstashAll(failed(error));
            }
            @SuppressWarnings("unchecked")
            List<NetworkHandle> started = (List<NetworkHandle>) h;
            started.forEach(this::register);
            NetworkInfo bridge = started.get(0).info();
            LOG.info("default network on bridge {}: subnet {}, gateway {}", bridge.bridge(), bridge.subnet(), bridge.gateway());
            return stash.unstashAll(running());
        }));
        return Behaviors.receive(Command.class)
                .onMessage(StepDone.class, done -> done.next().apply(done.value(), done.failure()))
                .onAnyMessage(m -> {
                    stash.stash(m);
                    return Behaviors.same();
                })
                .build();
    }

    /** The default network as the config describes it: {@code --bip} fixes its subnet and gateway. */
    private NetworkDefinition defaultNetwork() {
        NetworkDefinition.checkLinkName(config.bridgeName());
        Ipv4Subnet subnet = null;
        Integer gateway = null;
        if (config.bip() != null) {
            String[] parts = config.bip().split("/", 2);
            try {
                if (parts.length != 2) {
                    throw new IllegalArgumentException("expected an address and a prefix length, like 172.17.0.1/16");
                }
                gateway = Ipv4.parse(parts[0]);
                subnet = Ipv4Subnet.containing(gateway, Integer.parseInt(parts[1]));
            } catch (IllegalArgumentException e) {
                throw NetwharfException.badParameter("invalid bip \"" + config.bip() + "\": " + e.getMessage());
            }
        }
        return new NetworkDefinition(Ids.newId(), "bridge", "bridge", config.bridgeName(), subnet, gateway, null, config.mtu(),
                config.icc(), config.ipMasquerade(), false, true, Map.of(),
                BridgeOptions.ofDefaultBridge(config.bridgeName(), config.mtu(), config.icc(), config.ipMasquerade()), Instant.now());
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
                .onMessage(RemoveContainer.class, this::onRemoveContainer)
                .onMessage(Connect.class, this::onConnect)
                .onMessage(Disconnect.class, this::onDisconnect)
                .onMessage(Shutdown.class, this::onShutdown)
                .onMessage(StepDone.class, done -> done.next().apply(done.value(), done.failure()))
                .onSignal(PostStop.class, s -> {
                    kernel.close();
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
            definition = request.spec().driver().equals("bridge")
                    ? BridgeOptions.define(request.spec(), id, config.mtu(), networkInfos())
                    : NetworkDefinition.check(request.spec(), id, config.mtu(), networkInfos());
        } catch (NetwharfException e) {
            request.replyTo().tell(StatusReply.error(e));
            return nextNetworkCreation();
        }
        List<Taken> taken = networks.values().stream().filter(n -> n.info().hasAddresses())
                .map(n -> Taken.network(Ipv4Subnet.parse(n.info().subnet()), n.info().name())).toList();
        creatingNetwork = true;
        return after(create(spawn(definition), taken), (handle, failure) -> {
            creatingNetwork = false;
            if (failure != null) {
                request.replyTo().tell(StatusReply.error(KernelErrors.describe("create network " + definition.name(), failure)));
            } else {
                register(handle);
                request.replyTo().tell(StatusReply.success(handle.info()));
            }
            return nextNetworkCreation();
        });
    }

    private Behavior<Command> nextNetworkCreation() {
        CreateNetwork next = waitingNetworkCreations.poll();
        return next == null ? Behaviors.same() : onCreateNetwork(next);
    }

    private ActorRef<NetworkActor.Command> spawn(NetworkDefinition definition) {
        return context.spawn(NetworkActor.create(definition, driverOf(definition)), "network-" + Ids.shortId(definition.id()),
                BRIDGE_DISPATCHER);
    }

    /** The driver that serves a network; {@link NetworkDefinition#check} has refused any other name. */
    private NetworkDriver driverOf(NetworkDefinition definition) {
        return switch (definition.driver()) {
            case "bridge" -> new BridgeDriver(kernel, firewall);
            case "macvlan" -> new MacvlanDriver(kernel);
            case "ipvlan" -> new IpvlanDriver(kernel);
            case "host" -> new HostDriver();
            case "null" -> new NullDriver();
            default -> throw new IllegalArgumentException("no network driver " + definition.driver());
        };
    }

    /** Asks a new network's actor to make its bridge; may be called off the actor's thread. */
    private CompletionStage<NetworkHandle> create(ActorRef<NetworkActor.Command> network, List<Taken> taken) {
        return Asks.askWithStatus(network, replyTo -> new NetworkActor.Create(taken, config.defaultAddressPools(), replyTo),
                config.kernelTimeout(), scheduler);
    }

    private void register(NetworkHandle handle) {
        networks.put(handle.id(), new NetworkRecord(handle));
    }

    private Behavior<Command> onInspectNetwork(InspectNetwork request) {
        return answer(request, "inspect network " + request.network(), () -> {
            NetworkRecord network = resolveNetwork(request.network());
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
        String mode = network.driver().equals("host") ? "host" : "none";
        Map<String, EndpointInfo> endpoints = new LinkedHashMap<>();
        containers.values().stream().filter(c -> c.mode().equals(mode) && c.state() == ContainerRecord.State.RUNNING)
                .forEach(c -> endpoints.put(c.id(), new EndpointInfo(Ids.derived(network.id(), c.id()), network.id(),
                        network.name(), c.id(), null, null, null, null, 0, null, List.of())));
        return endpoints;
    }

    private Behavior<Command> onAddressesInUse(AddressesInUse request) {
        return answer(request, "count the addresses of network " + request.network(), () -> {
            NetworkRecord network = resolveNetwork(request.network());
            return network.handle().pool() == null ? CompletableFuture.completedFuture(0) : Asks.<PoolActor.Command, Integer>ask(
                    network.handle().pool(), PoolActor.CountInUse::new, config.kernelTimeout(), scheduler);
        });
    }

    private Behavior<Command> onRemoveNetwork(RemoveNetwork request) {
        NetworkRecord network;
        try {
            network = resolveNetwork(request.network());
        } catch (NetwharfException e) {
            request.replyTo().tell(StatusReply.error(e));
            return Behaviors.same();
        }
        if (network.info().isDefault()) {
            request.replyTo().tell(StatusReply.error(NetwharfException.forbidden(
                    network.info().name() + " is a pre-defined network and cannot be removed")));
            return Behaviors.same();
        }
        return after(removeNetwork(network), (done, failure) -> {
            if (failure == null) {
                networks.remove(network.handle().id());
                request.replyTo().tell(StatusReply.ack());
            } else {
                request.replyTo().tell(StatusReply.error(KernelErrors.describe("remove network " + network.info().name(), failure)));
            }
            return Behaviors.same();
        });
    }

    private CompletionStage<Done> removeNetwork(NetworkRecord network) {
        return Asks.askWithStatus(network.handle().owner(), NetworkActor.Remove::new, config.kernelTimeout(),
                scheduler);
    }

    // ---- containers --------------------------------------------------------------------------------------------

    private Behavior<Command> onCreateContainer(CreateContainer request) {
        ContainerSpec spec = request.spec();
        String id;
        String name;
        List<Join> joins;
        try {
            id = containerId(spec.id());
            name = containerName(spec.name(), id);
            String mode = spec.networkMode();
            if (mode.equals("host") || mode.startsWith(CONTAINER_MODE)) {
                return createSharing(request, id, name, mode);
            }
            joins = mode.equals("none") ? noneMode(spec) : joins(spec);
        } catch (NetwharfException e) {
            request.replyTo().tell(StatusReply.error(e));
            return Behaviors.same();
        }
        ActorRef<SandboxActor.Command> sandbox = context.spawn(SandboxActor.create(kernel, id, name, config.kernelTimeout()),
                // Numbered: a container restarted under its id may start before its old sandbox actor has stopped.
                "sandbox-" + id + "-" + (++sandboxesSpawned), KERNEL_DISPATCHER);
        ContainerRecord creating = new ContainerRecord(id, name, spec.networkMode(), sandbox, null, null, ContainerRecord.State.CREATING);
        add(creating);
        // The sandbox handles these in order, one saga at a time: all can be sent at once.
        CompletionStage<String> created = Asks.askWithStatus(sandbox, SandboxActor.Create::new, config.kernelTimeout(),
                scheduler);
        List<CompletableFuture<EndpointInfo>> connected = new ArrayList<>();
        for (Join join : joins) {
            connected.add(Asks.<SandboxActor.Command, EndpointInfo>askWithStatus(sandbox,
                    replyTo -> new SandboxActor.Connect(join.network(), join.spec(), replyTo), config.kernelTimeout(),
                    scheduler).toCompletableFuture());
        }
        CompletionStage<ContainerInfo> wired = created.thenCompose(path -> CompletableFuture.allOf(connected.toArray(CompletableFuture[]::new))
                .thenApply(v -> containerInfo(creating, path, connected.stream().map(CompletableFuture::join).toList())));
        return after(wired, (info, failure) -> {
            if (failure == null) {
                containers.put(id, creating.with(ContainerRecord.State.RUNNING).withSandboxKey(info.sandboxKey()));
                request.replyTo().tell(StatusReply.success(info));
                return Behaviors.same();
            }
            NetwharfException error = KernelErrors.describe("create container " + name, failure);
            containers.put(id, creating.with(ContainerRecord.State.REMOVING));
            return after(destroy(sandbox), (done, cleanupFailure) -> {
                if (cleanupFailure != null) {
                    LOG.error("cleaning up after the failed creation of container {}: {}", name, cleanupFailure.getMessage());
                }
                forget(id);
                request.replyTo().tell(StatusReply.error(error));
                return Behaviors.same();
            });
        });
    }

    /** {@code host} and {@code container:<x>} modes: no namespace of their own, so nothing to create in the kernel. */
    private Behavior<Command> createSharing(CreateContainer request, String id, String name, String mode) {
        if (!request.spec().endpoints().isEmpty()) {
            throw NetwharfException.badParameter(
                    "container sharing network namespace with another container or host cannot be connected to any other network");
        }
        ContainerRecord record;
        if (mode.equals("host")) {
            record = new ContainerRecord(id, name, mode, null, kernel.host().path().toString(), null, ContainerRecord.State.RUNNING);
        } else {
            ContainerRecord owner = resolveContainer(mode.substring(CONTAINER_MODE.length()));
            if (owner.state() != ContainerRecord.State.RUNNING) {
                throw NetwharfException.conflict("cannot join the network namespace of container " + owner.name() + ": it is "
                        + owner.state().name().toLowerCase());
            }
            record = new ContainerRecord(id, name, CONTAINER_MODE + owner.id(), owner.sandbox(), owner.sandboxKey(), owner.id(),
                    ContainerRecord.State.RUNNING);
        }
        add(record);
        request.replyTo().tell(StatusReply.success(containerInfo(record, record.sandboxKey(), List.of())));
        return Behaviors.same();
    }

    private record Join(NetworkHandle network, EndpointSpec spec) {}

    private List<Join> noneMode(ContainerSpec spec) {
        if (!spec.endpoints().isEmpty()) {
            throw NetwharfException.badParameter("container cannot be connected to multiple networks with one of the networks in private (none) mode");
        }
        return List.of();
    }

    /** The networks a bridge-mode container joins: the one its mode names first, then the others its spec lists. */
    private List<Join> joins(ContainerSpec spec) {
        NetworkRecord first = resolveNetwork(spec.networkMode());
        Map<String, Join> listed = new LinkedHashMap<>();
        spec.endpoints().forEach((reference, endpoint) -> {
            NetworkRecord network = resolveNetwork(reference);
            checkEndpointSpec(network, endpoint);
            if (listed.put(network.handle().id(), new Join(network.handle(), endpoint)) != null) {
                throw NetwharfException.badParameter("network " + network.info().name() + " is listed twice");
            }
        });
        List<Join> joins = new ArrayList<>();
        joins.add(listed.getOrDefault(first.handle().id(), new Join(first.handle(), EndpointSpec.DYNAMIC)));
        listed.values().stream().filter(j -> !j.network().id().equals(first.handle().id())).forEach(joins::add);
        return joins;
    }

    private static void checkEndpointSpec(NetworkRecord network, EndpointSpec endpoint) {
        if (network.info().driver().equals("host")) {
            throw NetwharfException.badParameter("container cannot be disconnected from host network or connected to host network");
        }
        if (network.info().driver().equals("null")) {
            throw NetwharfException.badParameter("container cannot be connected to multiple networks with one of the networks in private (none) mode");
        }
        if (network.info().isDefault() && endpoint.ipv4Address() != null) {
            throw NetwharfException.badParameter("user specified IP address is supported on user defined networks only");
        }
        if (network.info().isDefault() && !endpoint.aliases().isEmpty()) {
            throw NetwharfException.badParameter("network-scoped alias is supported only for containers in user defined networks");
        }
    }

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

    private String containerName(String requested, String id) {
        if (requested == null || requested.isEmpty()) {
            return Ids.shortId(id);
        }
        String name = requested.startsWith("/") ? requested.substring(1) : requested;
        if (!CONTAINER_NAME.matcher(name).matches()) {
            throw NetwharfException.badParameter("Invalid container name (" + requested + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        }
        String holder = containerIdsByName.get(name);
        if (holder != null) {
            throw NetwharfException.conflict("The container name \"/" + name + "\" is already in use by container \"" + holder + "\"");
        }
        return name;
    }

    private Behavior<Command> onInspectContainer(InspectContainer request) {
        return answer(request, "inspect container " + request.container(), () -> describe(resolveContainer(request.container())));
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
        return new ContainerInfo(record.id(), record.name(), record.mode(), sandboxKey, record.sharesWith(),
                Collections.unmodifiableMap(byNetwork));
    }

    private Behavior<Command> onRemoveContainer(RemoveContainer request) {
        ContainerRecord record;
        try {
            record = resolveContainer(request.container());
            requireRunning(record);
        } catch (NetwharfException e) {
            request.replyTo().tell(StatusReply.error(e));
            return Behaviors.same();
        }
        List<ContainerRecord> dependents = dependentsOf(record.id());
        if (!dependents.isEmpty() && !request.force()) {
            request.replyTo().tell(StatusReply.error(NetwharfException.conflict("cannot remove container " + record.name()
                    + ": containers " + dependents.stream().map(ContainerRecord::name).toList()
                    + " share its network namespace; remove them first, or force the removal to remove them too")));
            return Behaviors.same();
        }
        if (!record.ownsSandbox()) {
            forget(record.id());
            dependents.forEach(d -> forget(d.id()));
            request.replyTo().tell(StatusReply.ack());
            return Behaviors.same();
        }
        containers.put(record.id(), record.with(ContainerRecord.State.REMOVING));
        return after(destroy(record.sandbox()), (done, failure) -> {
            if (failure != null) {
                containers.put(record.id(), record);
                request.replyTo().tell(StatusReply.error(KernelErrors.describe("remove container " + record.name(), failure)));
                return Behaviors.same();
            }
            forget(record.id());
            dependents.forEach(d -> forget(d.id()));
            request.replyTo().tell(StatusReply.ack());
            return Behaviors.same();
        });
    }

    /** The containers that joined {@code id}'s namespace, directly or through another joiner. */
    private List<ContainerRecord> dependentsOf(String id) {
        List<ContainerRecord> found = new ArrayList<>();
        for (ContainerRecord c : containers.values()) {
            if (id.equals(c.sharesWith())) {
                found.add(c);
                found.addAll(dependentsOf(c.id()));
            }
        }
        return found;
    }

    private CompletionStage<Done> destroy(ActorRef<SandboxActor.Command> sandbox) {
        return Asks.askWithStatus(sandbox, SandboxActor.Destroy::new, config.kernelTimeout(), scheduler);
    }

    private Behavior<Command> onConnect(Connect request) {
        try {
            NetworkRecord network = resolveNetwork(request.network());
            ContainerRecord record = resolveContainer(request.container());
            requireOwnNamespace(record, "connected to", request.spec().noneMode());
            requireRunning(record);
            checkEndpointSpec(network, request.spec());
            record.sandbox().tell(new SandboxActor.Connect(network.handle(), request.spec(), request.replyTo()));
        } catch (NetwharfException e) {
            request.replyTo().tell(StatusReply.error(e));
        }
        return Behaviors.same();
    }

    private Behavior<Command> onDisconnect(Disconnect request) {
        try {
            NetworkRecord network = resolveNetwork(request.network());
            if (!network.info().hasAddresses()) {
                throw NetwharfException.badParameter("container cannot be disconnected from " + network.info().name() + " network");
            }
            ContainerRecord record = resolveContainer(request.container());
            // A none container may have been given interfaces by pipework: the sandbox knows whether it has this one.
            requireOwnNamespace(record, "disconnected from", true);
            requireRunning(record);
            record.sandbox().tell(new SandboxActor.Disconnect(network.handle(), request.replyTo()));
        } catch (NetwharfException e) {
            request.replyTo().tell(StatusReply.error(e));
        }
        return Behaviors.same();
    }

    /** {@code noneJoins}: a {@code none} container may join (pipework's explicit request) or leave a network. */
    private static void requireOwnNamespace(ContainerRecord record, String verb, boolean noneJoins) {
        if (record.mode().equals("none") && !noneJoins) {
            throw NetwharfException.badParameter("container cannot be connected to multiple networks with one of the networks in private (none) mode");
        }
        if (!record.ownsSandbox()) {
            throw NetwharfException.badParameter("container sharing network namespace with another container or host cannot be "
                    + verb + " any other network");
        }
    }

    private static void requireRunning(ContainerRecord record) {
        if (record.state() != ContainerRecord.State.RUNNING) {
            throw NetwharfException.conflict("container " + record.name() + " is " + record.state().name().toLowerCase()
                    + "; try again once that has finished");
        }
    }

    // ---- shutdown ----------------------------------------------------------------------------------------------

    private Behavior<Command> onShutdown(Shutdown request) {
        List<NetworkRecord> all = networks.values().stream().filter(n -> n.info().hasAddresses()).toList();
        List<CompletableFuture<String>> sandboxes = containers.values().stream()
                .filter(c -> c.ownsSandbox() && c.state() == ContainerRecord.State.RUNNING)
                .map(c -> failureOf("remove container " + c.name(), destroy(c.sandbox()))).toList();
        // Containers first (their endpoints hold the networks), then the networks, then the firewall table.
        CompletionStage<List<String>> failures = allFailures(sandboxes)
                .thenCompose(earlier -> allFailures(all.stream()
                        .map(n -> failureOf("remove network " + n.info().name(), removeNetwork(n))).toList())
                        .thenApply(later -> concat(earlier, later)))
                .thenCompose(earlier -> failureOf("remove the firewall table", CompletableFuture.runAsync(firewall::tearDown, kernelExecutor))
                        .thenApply(last -> last == null ? earlier : concat(earlier, List.of(last))));
        return after(failures, (failed, f) -> {
            failed.forEach(message -> LOG.warn("shutdown: {}", message));
            request.replyTo().tell(failed.isEmpty() ? StatusReply.ack() : StatusReply.error(NetwharfException.internal("shut down the runtime: "
                    + (failed.size() == 1 ? failed.get(0) : failed.size() + " steps failed: " + String.join("; ", failed)), null)));
            return Behaviors.stopped();
        });
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

    /** By id, by name, then by a unique id prefix, as Docker resolves network references. */
    private NetworkRecord resolveNetwork(String reference) {
        NetworkRecord byId = networks.get(reference);
        if (byId != null) {
            return byId;
        }
        for (NetworkRecord n : networks.values()) {
            if (n.info().name().equals(reference)) {
                return n;
            }
        }
        List<NetworkRecord> byPrefix = networks.values().stream().filter(n -> !reference.isEmpty() && n.handle().id().startsWith(reference)).toList();
        if (byPrefix.size() == 1) {
            return byPrefix.get(0);
        }
        throw NetwharfException.notFound("network " + reference + " not found");
    }

    private ContainerRecord resolveContainer(String reference) {
        String name = reference.startsWith("/") ? reference.substring(1) : reference;
        ContainerRecord record = containers.get(reference);
        if (record == null && containerIdsByName.containsKey(name)) {
            record = containers.get(containerIdsByName.get(name));
        }
        if (record == null && !reference.isEmpty()) {
            List<ContainerRecord> byPrefix = containers.values().stream().filter(c -> c.id().startsWith(reference)).limit(2).toList();
            record = byPrefix.size() == 1 ? byPrefix.get(0) : null;
        }
        if (record == null) {
            throw NetwharfException.notFound("No such container: " + reference);
        }
        return record;
    }

    private void add(ContainerRecord record) {
        containers.put(record.id(), record);
        containerIdsByName.put(record.name(), record.id());
    }

    private void forget(String id) {
        ContainerRecord record = containers.remove(id);
        if (record != null) {
            containerIdsByName.remove(record.name());
        }
    }

    // ---- plumbing ----------------------------------------------------------------------------------------------

    /** Continues with {@code next} inside the actor once {@code work} completes; other commands go on meanwhile. */
    @SuppressWarnings("unchecked")
    private <T> Behavior<Command> after(CompletionStage<T> work, BiFunction<T, Throwable, Behavior<Command>> next) {
        context.pipeToSelf(work, (value, failure) -> new StepDone(value, failure,
                (BiFunction<Object, Throwable, Behavior<Command>>) next));
        return Behaviors.same();
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
            refuse(m, error);
        }
    }

    private static <T> void refuse(Answered<T> command, NetwharfException error) {
        command.replyTo().tell(StatusReply.error(error));
    }
}
