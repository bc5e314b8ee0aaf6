package io.netwharf.sandbox;

import io.netwharf.actor.Asks;
import io.netwharf.actor.KernelErrors;
import io.netwharf.actor.Teardown;
import io.netwharf.ipam.Ipv4;
import io.netwharf.ipam.Ipv4Subnet;
import io.netwharf.ipam.PoolActor;
import io.netwharf.kernel.FaultPoint;
import io.netwharf.kernel.HostKernel;
import io.netwharf.network.NetworkActor;
import io.netwharf.network.NetworkHandle;
import io.netwharf.protocol.model.EndpointInfo;
import io.netwharf.store.Change;
import io.netwharf.store.Phase;
import io.netwharf.store.Store;
import io.netwharf.store.StoredEndpoint;
import io.netwharf.protocol.model.EndpointSpec;
import io.netwharf.protocol.model.Ids;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.netlink.HardwareAddress;
import io.netwharf.protocol.rtnetlink.LinkStatistics;

import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.pattern.StatusReply;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Owns one container network namespace and everything inside it: its interfaces, addresses and routes. Runs on the
 * kernel dispatcher and keeps a netlink socket opened inside the namespace, so its kernel calls need no switch into
 * the namespace.
 *
 * <p>Joining a network is a saga this actor drives, one step per owner: an address from the network's
 * {@link PoolActor} ({@link AddressAllocated}), the endpoint recorded in the store in intent ({@link EndpointRecorded}:
 * a crash from then on leaves a record of what may exist), the veth pair from its {@link NetworkActor} ({@link PairAttached}:
 * host end on the bridge, peer created straight in this namespace under a temporary name), here the peer renamed to
 * {@code ethN}, its address, up and the default route, the bridge port up ({@link PortEnabled}), and last the record
 * marked done, before the caller hears of it. Each step
 * reports back as a typed message, and the actor has a behaviour per step it waits for; a failure comes back as
 * {@link StepFailed} naming the step, and the steps done are undone (the pair detached, the address released), so a
 * failure anywhere leaves nothing behind and the caller hears which step failed. While a saga runs, later commands
 * wait in a stash: operations on one namespace happen strictly in order; different namespaces proceed concurrently.
 *
 * <p>Leaving (a disconnect, an undo, the removal of the sandbox) is the same kind of saga: per endpoint
 * {@link PairDetached}, then {@link AddressReleased}. Teardown goes on after a failure and reports every one; what
 * it knows is forgotten only once the kernel or the owner has confirmed it gone.
 */
public final class SandboxActor {
    private static final Pattern INTERFACE_NAME = Pattern.compile("[a-zA-Z0-9_.-]{1,15}");

    public sealed interface Command {}

    /** First message: create the namespace (bind-mounted under the run directory) with {@code lo} up. */
    public record Create(ActorRef<StatusReply<String>> replyTo) implements Command {}

    public record Connect(NetworkHandle network, EndpointSpec spec, ActorRef<StatusReply<EndpointInfo>> replyTo) implements Command {}

    public record Disconnect(NetworkHandle network, ActorRef<StatusReply<Done>> replyTo) implements Command {}

    /**
     * First message instead of {@link Create}, at a restart: take over the namespace an earlier run made, with the
     * endpoints it holds (already on their networks and in their pools). Answers the namespace's path.
     */
    public record Adopt(List<AdoptedEndpoint> endpoints, ActorRef<StatusReply<String>> replyTo) implements Command {}

    /** An endpoint a restart found in place: as it was recorded, on its network, with its address. */
    public record AdoptedEndpoint(EndpointInfo info, NetworkHandle network, int address) {}

    /**
     * The container was renamed: its endpoints answer {@code dnsNames} (by network id) from now on, kept in the store
     * before the answer (the endpoints as they now are). Endpoints on networks not named keep their names.
     */
    public record UpdateDnsNames(Map<String, List<String>> dnsNames, ActorRef<StatusReply<List<EndpointInfo>>> replyTo)
            implements Command {}

    /** The endpoints, in the order they were connected. */
    public record Inspect(ActorRef<List<EndpointInfo>> replyTo) implements Command {}

    /** The counters of the namespace's links, loopback included ({@code docker stats}); none before Create. */
    public record Statistics(ActorRef<StatusReply<List<LinkStatistics>>> replyTo) implements Command {}

    /**
     * Delete the namespace (the kernel removes its veth pairs with it), give the addresses back, and stop. When any
     * of it fails the answer lists every failure and the actor stays, knowing what is left: a retried Destroy
     * finishes the job.
     */
    public record Destroy(ActorRef<StatusReply<Done>> replyTo) implements Command {}

    /** What a step of a saga reports back to the actor (through {@code pipeToSelf}). */
    private sealed interface StepResult extends Command {}

    /** The network's pool gave {@code address}. */
    private record AddressAllocated(int address) implements StepResult {}

    /** The store holds the endpoint: in intent before its link is made, done once it is up. */
    private record EndpointRecorded() implements StepResult {}

    /** The network's owner made the veth pair: host end on the bridge, peer in this namespace. */
    private record PairAttached() implements StepResult {}

    /** The endpoints that left are deleted from the store (or the deletion failed, noted with the teardown's failures). */
    private record LeaveRecorded() implements StepResult {}

    /** The network's owner brought the endpoint's port up. */
    private record PortEnabled() implements StepResult {}

    /** The network's owner forgot the endpoint on {@code networkId} (and deleted its pair if asked to). */
    private record PairDetached(String networkId) implements StepResult {}

    /** The pool of {@code networkId} took the endpoint's address back. */
    private record AddressReleased(String networkId) implements StepResult {}

    /** {@code step} of the saga on network {@code networkId} failed. */
    private record StepFailed(String networkId, Step step, Throwable cause) implements StepResult {}

    /** The steps of the sagas, as errors and logs name them. */
    enum Step {
        ALLOCATE("allocate an address"),
        RECORD("record the endpoint in the store"),
        ATTACH("attach the veth pair"),
        CONFIGURE("configure the interface inside the namespace"),
        ENABLE("enable the bridge port"),
        DETACH("detach the veth pair"),
        RELEASE("release the address");

        private final String text;

        Step(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** One network joined: the endpoint as reported, the network, and the address to give back. */
    private record Endpoint(EndpointInfo info, NetworkHandle network, int address) {
        String networkId() {
            return network.id();
        }

        String addressText() {
            return Ipv4.format(address);
        }
    }

    /** A connect saga under way: the command, and what was chosen before its first step. */
    private record Joining(Connect command, String saga, String endpointId, String interfaceName, Integer requested, Integer last,
                           HardwareAddress requestedMac, boolean routeOut, Path netns) {
        NetworkHandle network() {
            return command.network();
        }

        /** Unique inside the namespace until renamed. */
        String peerName() {
            return "nw" + endpointId.substring(0, 13);
        }

        String hostName() {
            return "veth" + endpointId.substring(0, 11);
        }
    }

    /** Why endpoints are leaving, and so what to do once they have. */
    private sealed interface Purpose {}

    /** Undoing a connect that failed with {@code failure}: the caller hears that failure. */
    private record UndoConnect(Joining joining, StepFailed failure) implements Purpose {}

    private record Disconnecting(Disconnect command) implements Purpose {}

    private record Destroying(Destroy command) implements Purpose {}

    /** Endpoints on their way out (by network id), each detached (unless it never was attached), then released; the steps that failed. */
    private static final class Leave {
        final Purpose purpose;
        final String saga;
        /** Whether detaching deletes the veth pair, or only forgets it (it went with the namespace). */
        final boolean deleteVeth;
        final Map<String, Endpoint> leaving = new LinkedHashMap<>();
        final Map<String, Endpoint> pending = new LinkedHashMap<>();
        final List<StepFailed> failures = new ArrayList<>();

        Leave(Purpose purpose, String saga, boolean deleteVeth, Collection<Endpoint> endpoints) {
            this.purpose = purpose;
            this.saga = saga;
            this.deleteVeth = deleteVeth;
            endpoints.forEach(e -> leaving.put(e.networkId(), e));
            pending.putAll(leaving);
        }
    }

    private final ActorContext<Command> context;
    private final StashBuffer<Command> stash;
    private final SandboxKernel kernel;
    private final String containerId;
    private final String containerName;
    private final String namespaceName;
    private final Duration timeout;
    private final Scheduler scheduler;
    private final Store store;
    private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
    /** The open namespace and its socket; null before Create and once Destroy has closed it. */
    private SandboxKernel.Namespace namespace;
    /** Whether the namespace exists in the kernel: cleared only once deleting it succeeded. */
    private boolean mounted;
    /** The network whose gateway the default route goes through, or null. */
    private String defaultRouteNetwork;

    private SandboxActor(ActorContext<Command> context, StashBuffer<Command> stash, SandboxKernel kernel, String containerId,
                         String containerName, Duration timeout, Store store) {
        this.context = context;
        this.store = store;
        this.stash = stash;
        this.kernel = kernel;
        this.containerId = containerId;
        this.containerName = containerName;
        this.namespaceName = Ids.shortId(containerId);
        this.timeout = timeout;
        this.scheduler = context.getSystem().scheduler();
    }

    /** A sandbox whose endpoints are recorded in {@code store}: in intent before their link is made, done once up. */
    public static Behavior<Command> create(HostKernel kernel, String containerId, String containerName, Duration timeout, Store store) {
        return create(new NetlinkSandboxKernel(kernel.sandboxes()), containerId, containerName, timeout, store);
    }

    public static Behavior<Command> create(SandboxKernel kernel, String containerId, String containerName, Duration timeout) {
        return create(kernel, containerId, containerName, timeout, Store.none());
    }

    public static Behavior<Command> create(SandboxKernel kernel, String containerId, String containerName, Duration timeout, Store store) {
        return Behaviors.withStash(100_000, stash -> Behaviors.setup(context ->
                new SandboxActor(context, stash, kernel, containerId, containerName, timeout, store).idle()));
    }

    // ---- idle: one command at a time -------------------------------------------------------------------------

    private Behavior<Command> idle() {
        return Behaviors.receive(Command.class)
                .onMessage(Create.class, this::onCreate)
                .onMessage(Adopt.class, this::onAdopt)
                .onMessage(Connect.class, this::onConnect)
                .onMessage(Disconnect.class, this::onDisconnect)
                .onMessage(Inspect.class, m -> {
                    m.replyTo().tell(endpoints.values().stream().map(Endpoint::info).toList());
                    return Behaviors.same();
                })
                .onMessage(Statistics.class, this::onStatistics)
                .onMessage(Destroy.class, this::onDestroy)
                .onMessage(UpdateDnsNames.class, this::onUpdateDnsNames)
                .onMessage(StepResult.class, m -> {
                    context.getLog().warn("container {}: {} arrived with no saga under way", containerName, m);
                    return Behaviors.same();
                })
                .onSignal(PostStop.class, s -> closeSocket())
                .build();
    }

    /** Back to idle, and the commands that waited meanwhile handled in the order they came. */
    private Behavior<Command> ready() {
        return stash.unstashAll(idle());
    }

    /**
     * A behaviour that waits for one saga's steps ({@code steps}), with every command stashed meanwhile.
     * {@code pending} names what is waited for, for the log.
     */
    private Behavior<Command> busy(String pending, BehaviorBuilder<Command> steps) {
        return steps
                .onMessage(StepResult.class, m -> {
                    context.getLog().warn("container {}: {} arrived while waiting for {}", containerName, m, pending);
                    return Behaviors.same();
                })
                .onAnyMessage(m -> {
                    context.getLog().debug("container {}: {} waits for {}", containerName, m.getClass().getSimpleName(), pending);
                    stash.stash(m);
                    return Behaviors.same();
                })
                .onSignal(PostStop.class, s -> closeSocket())
                .build();
    }

    private Behavior<Command> onCreate(Create create) {
        try {
            namespace = kernel.create(namespaceName);
        } catch (RuntimeException e) {
            create.replyTo().tell(StatusReply.error(describe("create the namespace of container " + containerName, e)));
            return Behaviors.same();
        }
        mounted = true;
        create.replyTo().tell(StatusReply.success(namespace.path().toString()));
        return Behaviors.same();
    }

    private Behavior<Command> onAdopt(Adopt adopt) {
        try {
            namespace = kernel.open(namespaceName);
        } catch (RuntimeException e) {
            NetwharfException error = describe("adopt the namespace of container " + containerName, e);
            context.getLog().error(error.getMessage());
            adopt.replyTo().tell(StatusReply.error(error));
            return Behaviors.same();
        }
        mounted = true;
        for (AdoptedEndpoint adopted : adopt.endpoints()) {
            endpoints.put(adopted.network().id(), new Endpoint(adopted.info(), adopted.network(), adopted.address()));
            if (defaultRouteNetwork == null && !adopted.network().info().internal()) {
                defaultRouteNetwork = adopted.network().id(); // as the connect that made it chose
            }
        }
        adopt.replyTo().tell(StatusReply.success(namespace.path().toString()));
        return Behaviors.same();
    }

    /** Only the names change: no kernel call, one store write per endpoint renamed. */
    private Behavior<Command> onUpdateDnsNames(UpdateDnsNames update) {
        List<CompletableFuture<Done>> written = new ArrayList<>();
        update.dnsNames().forEach((networkId, names) -> {
            Endpoint endpoint = endpoints.get(networkId);
            if (endpoint != null) {
                EndpointInfo i = endpoint.info();
                Endpoint renamed = new Endpoint(new EndpointInfo(i.endpointId(), i.networkId(), i.networkName(), i.containerId(),
                        i.interfaceName(), i.hostInterfaceName(), i.macAddress(), i.ipv4Address(), i.prefixLength(), i.gateway(),
                        i.aliases(), names), endpoint.network(), endpoint.address());
                endpoints.put(networkId, renamed);
                written.add(store.apply(new Change.PutEndpoint(stored(renamed, Phase.DONE))).toCompletableFuture());
            }
        });
        List<EndpointInfo> now = endpoints.values().stream().map(Endpoint::info).toList();
        CompletableFuture.allOf(written.toArray(CompletableFuture[]::new)).whenComplete((v, failure) -> update.replyTo().tell(
                failure == null ? StatusReply.success(now)
                        : StatusReply.error(describe("keep the new names of container " + containerName + " in the store", failure))));
        return Behaviors.same();
    }

    // ---- connect: allocate → record → attach → configure → enable → record --------------------------------------

    private Behavior<Command> onConnect(Connect connect) {
        NetworkHandle network = connect.network();
        String saga = "connect container " + containerName + " to network " + network.name();
        if (namespace == null) {
            connect.replyTo().tell(StatusReply.error(NetwharfException.conflict(saga + ": it has no namespace")));
            return Behaviors.same();
        }
        if (endpoints.containsKey(network.id())) {
            connect.replyTo().tell(StatusReply.error(NetwharfException.forbidden(
                    "endpoint with name " + containerName + " already exists in network " + network.name())));
            return Behaviors.same();
        }
        Joining joining;
        try {
            EndpointSpec spec = connect.spec();
            joining = new Joining(connect, saga, Ids.newId(),
                    spec.interfaceName() == null ? nextInterfaceName() : freeInterfaceName(spec.interfaceName()),
                    spec.ipv4Address() == null ? null : Ipv4.parse(spec.ipv4Address()),
                    spec.lastIpv4Address() == null ? null : Ipv4.parse(spec.lastIpv4Address()),
                    spec.macAddress() == null ? null : unicastMac(spec.macAddress()),
                    defaultRouteNetwork == null && !network.info().internal(), namespace.path());
        } catch (IllegalArgumentException e) {
            connect.replyTo().tell(StatusReply.error(NetwharfException.badParameter(saga + ": " + e.getMessage())));
            return Behaviors.same();
        }
        run(network.id(), Step.ALLOCATE, ask(network.pool(), replyTo -> new PoolActor.Allocate(joining.requested(), joining.last(), replyTo)),
                AddressAllocated::new);
        return busy(saga + ": " + Step.ALLOCATE, Behaviors.receive(Command.class)
                .onMessage(AddressAllocated.class, m -> onAddressAllocated(joining, m.address()))
                .onMessage(StepFailed.class, failed -> connectFailed(joining, failed)));
    }

    private Behavior<Command> onAddressAllocated(Joining joining, int address) {
        NetworkHandle network = joining.network();
        context.getLog().debug("{}: address {} allocated", joining.saga(), Ipv4.format(address));
        HardwareAddress mac = joining.requestedMac() != null ? joining.requestedMac() : macOf(address);
        EndpointInfo info = new EndpointInfo(joining.endpointId(), network.id(), network.name(), containerId, joining.interfaceName(),
                joining.hostName(), mac.toString(), Ipv4.format(address), Ipv4Subnet.parse(network.info().subnet()).prefixLength(),
                network.info().gateway(), joining.command().spec().aliases(), joining.command().spec().dnsNames());
        Endpoint endpoint = new Endpoint(info, network, address);
        // Intent before effect: a crash from here on leaves a record of the link that may exist, and of its address.
        run(network.id(), Step.RECORD, store.apply(new Change.PutEndpoint(stored(endpoint, Phase.INTENT))), done -> new EndpointRecorded());
        return busy(joining.saga() + ": " + Step.RECORD, Behaviors.receive(Command.class)
                .onMessage(EndpointRecorded.class, m -> attach(joining, endpoint, mac))
                .onMessage(StepFailed.class, failed -> undoConnect(joining, endpoint, false, failed)));
    }

    private Behavior<Command> attach(Joining joining, Endpoint endpoint, HardwareAddress mac) {
        FaultPoint.reach("connect.intent-written");
        NetworkHandle network = joining.network();
        EndpointInfo info = endpoint.info();
        run(network.id(), Step.ATTACH, this.<Done, NetworkActor.Command>ask(network.owner(),
                replyTo -> new NetworkActor.Attach(info, joining.peerName(), mac, joining.netns(), replyTo)), done -> new PairAttached());
        return busy(joining.saga() + ": " + Step.ATTACH, Behaviors.receive(Command.class)
                .onMessage(PairAttached.class, m -> onPairAttached(joining, endpoint))
                // Attach leaves nothing when it fails: only the address goes back.
                .onMessage(StepFailed.class, failed -> undoConnect(joining, endpoint, false, failed)));
    }

    /** The third step is this actor's own, inside the namespace; the last is the bridge port's. */
    private Behavior<Command> onPairAttached(Joining joining, Endpoint endpoint) {
        FaultPoint.reach("connect.attached");
        EndpointInfo info = endpoint.info();
        context.getLog().debug("{}: veth pair {} attached", joining.saga(), info.hostInterfaceName());
        try {
            namespace.configure(joining.peerName(), info.interfaceName(), endpoint.address(), info.prefixLength(),
                    joining.routeOut() ? Integer.valueOf(Ipv4.parse(info.gateway())) : null);
        } catch (RuntimeException e) {
            return undoConnect(joining, endpoint, true, new StepFailed(endpoint.networkId(), Step.CONFIGURE, e));
        }
        context.getLog().debug("{}: {} configured", joining.saga(), info.interfaceName());
        run(endpoint.networkId(), Step.ENABLE, this.<Done, NetworkActor.Command>ask(endpoint.network().owner(),
                replyTo -> new NetworkActor.Enable(containerId, replyTo)), done -> new PortEnabled());
        return busy(joining.saga() + ": " + Step.ENABLE, Behaviors.receive(Command.class)
                .onMessage(PortEnabled.class, m -> onPortEnabled(joining, endpoint))
                .onMessage(StepFailed.class, failed -> undoConnect(joining, endpoint, true, failed)));
    }

    /** Up: recorded as done before the caller hears of it, so what was acknowledged is what a restart finds. */
    private Behavior<Command> onPortEnabled(Joining joining, Endpoint endpoint) {
        FaultPoint.reach("connect.enabled");
        context.getLog().debug("{}: port enabled", joining.saga());
        run(endpoint.networkId(), Step.RECORD, store.apply(new Change.PutEndpoint(stored(endpoint, Phase.DONE))),
                done -> new EndpointRecorded());
        return busy(joining.saga() + ": " + Step.RECORD, Behaviors.receive(Command.class)
                .onMessage(EndpointRecorded.class, m -> connected(joining, endpoint))
                .onMessage(StepFailed.class, failed -> undoConnect(joining, endpoint, true, failed)));
    }

    private Behavior<Command> connected(Joining joining, Endpoint endpoint) {
        endpoints.put(endpoint.networkId(), endpoint);
        if (joining.routeOut()) {
            defaultRouteNetwork = endpoint.networkId();
        }
        joining.command().replyTo().tell(StatusReply.success(endpoint.info()));
        return ready();
    }

    /** A failure before anything was made: nothing to undo. */
    private Behavior<Command> connectFailed(Joining joining, StepFailed failed) {
        context.getLog().info("{} failed at '{}': {}", joining.saga(), failed.step(), KernelErrors.unwrap(failed.cause()).getMessage());
        joining.command().replyTo().tell(StatusReply.error(describe(joining.saga(), failed)));
        return ready();
    }

    /** Takes a half-made endpoint apart (the pair if {@code attached}, the address), then tells the caller what failed. */
    private Behavior<Command> undoConnect(Joining joining, Endpoint endpoint, boolean attached, StepFailed failed) {
        context.getLog().info("{} failed at '{}', undoing it: {}", joining.saga(), failed.step(), KernelErrors.unwrap(failed.cause()).getMessage());
        return leave(new Leave(new UndoConnect(joining, failed), joining.saga(), true, List.of(endpoint)), attached);
    }

    // ---- leave: detach → release, for an undo, a disconnect or the sandbox's removal ----------------------------

    private Behavior<Command> onDisconnect(Disconnect disconnect) {
        NetworkHandle network = disconnect.network();
        Endpoint endpoint = endpoints.get(network.id());
        if (endpoint == null) {
            disconnect.replyTo().tell(StatusReply.error(NetwharfException.forbidden(
                    "container " + containerId + " is not connected to network " + network.name())));
            return Behaviors.same();
        }
        String saga = "disconnect container " + containerName + " from network " + network.name();
        return leave(new Leave(new Disconnecting(disconnect), saga, true, List.of(endpoint)), true);
    }

    private Behavior<Command> onDestroy(Destroy destroy) {
        String saga = "remove the sandbox of container " + containerName;
        closeSocket(); // it would keep the namespace alive after the unmount
        if (mounted) {
            try {
                kernel.delete(namespaceName);
            } catch (RuntimeException e) {
                // The veth peers are still in the namespace, with their addresses: nothing is released, and a
                // retried Destroy starts again from the unmount.
                context.getLog().warn("{}: {}", saga, KernelErrors.unwrap(e).getMessage());
                destroy.replyTo().tell(StatusReply.error(describe(saga + ": delete the namespace", e)));
                return Behaviors.same();
            }
            mounted = false;
        }
        if (endpoints.isEmpty()) {
            destroy.replyTo().tell(StatusReply.ack());
            return Behaviors.stopped();
        }
        // The pairs went with the namespace: the networks only forget them, and the pools take the addresses back.
        return leave(new Leave(new Destroying(destroy), saga, false, List.copyOf(endpoints.values())), true);
    }

    /** Starts every endpoint of {@code teardown} on its way out: detached first if {@code detach}, then released. */
    private Behavior<Command> leave(Leave teardown, boolean detach) {
        for (Endpoint endpoint : teardown.pending.values()) {
            if (detach) {
                run(endpoint.networkId(), Step.DETACH, this.<Done, NetworkActor.Command>ask(endpoint.network().owner(),
                        replyTo -> new NetworkActor.Detach(containerId, teardown.deleteVeth, replyTo)), done -> new PairDetached(endpoint.networkId()));
            } else {
                release(endpoint);
            }
        }
        return leaving(teardown);
    }

    private Behavior<Command> leaving(Leave teardown) {
        String networks = teardown.pending.values().stream().map(e -> e.network().name()).toList().toString();
        return busy(teardown.saga + ": leave networks " + networks, Behaviors.receive(Command.class)
                .onMessage(PairDetached.class, m -> {
                    Endpoint endpoint = teardown.pending.get(m.networkId());
                    context.getLog().debug("{}: detached from network {}", teardown.saga, endpoint.network().name());
                    release(endpoint);
                    return Behaviors.same();
                })
                .onMessage(AddressReleased.class, m -> {
                    Endpoint endpoint = teardown.pending.remove(m.networkId());
                    context.getLog().debug("{}: address {} released", teardown.saga, endpoint.addressText());
                    forget(m.networkId());
                    return teardown.pending.isEmpty() ? leaveDone(teardown) : Behaviors.same();
                })
                .onMessage(StepFailed.class, failed -> {
                    // The endpoint stays known: a pair not detached, or an address not released, is still there.
                    teardown.pending.remove(failed.networkId());
                    teardown.failures.add(failed);
                    return teardown.pending.isEmpty() ? leaveDone(teardown) : Behaviors.same();
                }));
    }

    private void release(Endpoint endpoint) {
        run(endpoint.networkId(), Step.RELEASE, this.<Done, PoolActor.Command>ask(endpoint.network().pool(), replyTo -> new PoolActor.Release(endpoint.address(), replyTo)),
                done -> new AddressReleased(endpoint.networkId()));
    }

    /**
     * The endpoints that left are deleted from the store before anyone hears of it (a removed sandbox's go with the
     * sandbox's record, which the runtime deletes).
     */
    private Behavior<Command> leaveDone(Leave teardown) {
        List<Change> forgotten = teardown.leaving.values().stream()
                .filter(e -> !endpoints.containsKey(e.networkId()))
                .<Change>map(e -> new Change.DeleteEndpoint(containerId, e.networkId())).toList();
        if (teardown.purpose instanceof Destroying || forgotten.isEmpty()) {
            return answerLeave(teardown);
        }
        context.pipeToSelf(store.apply(forgotten), (done, failure) -> {
            if (failure != null) {
                teardown.failures.add(new StepFailed(teardown.leaving.keySet().iterator().next(), Step.RECORD, failure));
            }
            return new LeaveRecorded();
        });
        return busy(teardown.saga + ": " + Step.RECORD, Behaviors.receive(Command.class)
                .onMessage(LeaveRecorded.class, m -> answerLeave(teardown)));
    }

    private Behavior<Command> answerLeave(Leave teardown) {
        List<StepFailed> failures = teardown.failures;
        if (teardown.purpose instanceof UndoConnect undo) {
            for (StepFailed failed : failures) {
                context.getLog().error("{}: undoing the failed step '{}' failed at '{}': {}; left behind: {}", undo.joining().saga(),
                        undo.failure().step(), failed.step(), KernelErrors.unwrap(failed.cause()).getMessage(), leftover(undo.joining(), failed));
            }
            undo.joining().command().replyTo().tell(StatusReply.error(describe(undo.joining().saga(), undo.failure())));
            return ready();
        }
        if (teardown.purpose instanceof Disconnecting disconnecting) {
            disconnecting.command().replyTo().tell(failures.isEmpty() ? StatusReply.ack() : StatusReply.error(collect(teardown)));
            return ready();
        }
        Destroying destroying = (Destroying) teardown.purpose;
        if (failures.isEmpty()) {
            destroying.command().replyTo().tell(StatusReply.ack());
            return Behaviors.stopped();
        }
        NetwharfException error = collect(teardown);
        context.getLog().warn(error.getMessage());
        destroying.command().replyTo().tell(StatusReply.error(error));
        return ready();
    }

    /** What an undo step that failed leaves: the pair (and with it the address, which it may still carry), or the address. */
    private static String leftover(Joining joining, StepFailed failed) {
        return failed.step() == Step.DETACH
                ? "the veth pair " + joining.hostName() + " on network " + joining.network().name() + ", and its address, still allocated"
                : "its address, still allocated in network " + joining.network().name();
    }

    private void forget(String networkId) {
        endpoints.remove(networkId);
        if (networkId.equals(defaultRouteNetwork)) {
            defaultRouteNetwork = null;
        }
    }

    // ---- errors ----------------------------------------------------------------------------------------------

    /**
     * The caller's error for a failed step of {@code saga}: a refusal (4xx, such as Docker's "Address already in use")
     * keeps its own message; anything else is prefixed with the saga and the step.
     */
    private static NetwharfException describe(String saga, StepFailed failed) {
        return describe(saga + ": " + failed.step(), failed.cause());
    }

    private static NetwharfException describe(String where, Throwable failure) {
        Throwable cause = KernelErrors.unwrap(failure);
        NetwharfException described = KernelErrors.describe(where, cause);
        return described == cause && described.kind() == NetwharfException.Kind.INTERNAL
                ? NetwharfException.internal(where + ": " + cause.getMessage(), cause) : described;
    }

    /** A failed step of one endpoint leaving, named with its network, its pair or its address. */
    private static NetwharfException describeLeaving(Leave teardown, StepFailed failed) {
        Endpoint endpoint = teardown.leaving.get(failed.networkId());
        String step = switch (failed.step()) {
            case DETACH -> failed.step() + " " + endpoint.info().hostInterfaceName();
            case RELEASE -> "release address " + endpoint.addressText();
            case RECORD -> "delete the endpoints from the store";
            default -> failed.step().toString();
        };
        // A disconnect's saga names its network already.
        String network = teardown.purpose instanceof Destroying ? "leave network " + endpoint.network().name() + ": " : "";
        return describe(network + step, failed.cause());
    }

    /** Every failure of a teardown in one error, each cause kept (the first as the cause, the others suppressed). */
    private static NetwharfException collect(Leave teardown) {
        List<StepFailed> failures = teardown.failures;
        return Teardown.combined(teardown.saga,
                failures.stream().map(f -> describeLeaving(teardown, f).getMessage()).toList(),
                failures.stream().map(f -> KernelErrors.unwrap(f.cause())).toList());
    }

    // ---- plumbing --------------------------------------------------------------------------------------------

    /** Runs one step elsewhere: its outcome comes back as {@code done}'s message, or as a {@link StepFailed}. */
    private <T> void run(String networkId, Step step, CompletionStage<T> work, Function<T, StepResult> done) {
        context.pipeToSelf(work, (value, failure) -> failure == null ? done.apply(value) : new StepFailed(networkId, step, failure));
    }

    private <T, C> CompletionStage<T> ask(RecipientRef<C> target, org.apache.pekko.japi.function.Function<ActorRef<StatusReply<T>>, C> message) {
        return Asks.askWithStatus(target, message, timeout, scheduler);
    }

    /** A read through the socket the sandbox keeps: no switch into the namespace. */
    private Behavior<Command> onStatistics(Statistics request) {
        try {
            request.replyTo().tell(StatusReply.success(namespace == null ? List.of() : namespace.statistics()));
        } catch (RuntimeException e) {
            request.replyTo().tell(StatusReply.error(KernelErrors.describe("read the link counters of container " + containerName, e)));
        }
        return Behaviors.same();
    }

    private Behavior<Command> closeSocket() {
        if (namespace != null) {
            namespace.close();
            namespace = null;
        }
        return Behaviors.same();
    }

    private String nextInterfaceName() {
        for (int n = 0; ; n++) {
            String name = "eth" + n;
            if (endpoints.values().stream().noneMatch(e -> e.info().interfaceName().equals(name))) {
                return name;
            }
        }
    }

    /** An interface name asked for: a valid link name that no endpoint of this namespace (nor loopback) has. */
    private String freeInterfaceName(String name) {
        if (!INTERFACE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid interface name \"" + name
                    + "\": use 1 to 15 letters, digits, '_', '.' or '-' (the kernel allows 15 characters)");
        }
        if (name.equals("lo") || endpoints.values().stream().anyMatch(e -> e.info().interfaceName().equals(name))) {
            throw new IllegalArgumentException("the container already has an interface named " + name);
        }
        if (name.startsWith("nw")) { // the temporary names of peers on their way in
            throw new IllegalArgumentException("interface names starting with nw are netwharf's own: " + name);
        }
        return name;
    }

    /** A MAC asked for: six bytes, not multicast (the kernel would refuse it with a less telling error). */
    private static HardwareAddress unicastMac(String text) {
        HardwareAddress mac = HardwareAddress.parse(text);
        if (mac.length() != 6 || (mac.bytes()[0] & 1) != 0) {
            throw new IllegalArgumentException("invalid MAC address " + text + ": expected a unicast address of six bytes");
        }
        return mac;
    }

    /** The endpoint as the store keeps it. */
    private StoredEndpoint stored(Endpoint endpoint, Phase phase) {
        EndpointInfo info = endpoint.info();
        return new StoredEndpoint(containerId, endpoint.networkId(), info.endpointId(), info.interfaceName(), info.hostInterfaceName(),
                info.ipv4Address(), info.prefixLength(), info.macAddress(), info.aliases(), phase, info.dnsNames());
    }

    /** Docker's scheme: 02:42 and the four bytes of the address, so an address always comes with the same MAC. */
    static HardwareAddress macOf(int address) {
        return HardwareAddress.of(new byte[] {0x02, 0x42, (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address});
    }
}
