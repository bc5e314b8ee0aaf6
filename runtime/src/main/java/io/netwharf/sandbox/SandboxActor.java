package io.netwharf.sandbox;

import io.netwharf.ipam.Ipv4;
import io.netwharf.ipam.Ipv4Subnet;
import io.netwharf.ipam.PoolActor;
import io.netwharf.kernel.Links;
import io.netwharf.kernel.NetnsDirectory.ConnectedNetns;
import io.netwharf.kernel.VethEndpoint;
import io.netwharf.network.NetworkHandle;
import io.netwharf.network.NetworkActor;
import io.netwharf.protocol.model.EndpointInfo;
import io.netwharf.protocol.model.EndpointSpec;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.netlink.HardwareAddress;
import io.netwharf.actor.Asks;
import io.netwharf.kernel.HostKernel;
import io.netwharf.protocol.model.Ids;
import io.netwharf.actor.KernelErrors;

import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.pattern.StatusReply;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import java.util.function.BiFunction;

/**
 * Owns one container network namespace and everything inside it: its interfaces, addresses and routes. Runs on the
 * kernel dispatcher and keeps a netlink socket opened inside the namespace, so its kernel calls need no switch into
 * the namespace.
 *
 * <p>Joining a network is a saga this actor drives, one step per owner: an address from the network's
 * {@link PoolActor}, the veth pair from its {@link NetworkActor} (host end on the bridge, peer created straight in
 * this namespace under a temporary name), then, here, the peer renamed to {@code ethN}, its address, up, and the
 * default route. Each step has an undo (release the address, delete the pair), so a failure anywhere leaves nothing
 * behind and the caller hears which step failed. While a saga runs, later commands wait in a stash: operations on
 * one namespace happen strictly in order; different namespaces proceed concurrently.
 */
public final class SandboxActor {
    private static final Pattern INTERFACE_NAME = Pattern.compile("[a-zA-Z0-9_.-]{1,15}");
    public sealed interface Command {}

    /** First message: create the namespace (bind-mounted under the run directory) with {@code lo} up. */
    public record Create(ActorRef<StatusReply<String>> replyTo) implements Command {}

    public record Connect(NetworkHandle network, EndpointSpec spec, ActorRef<StatusReply<EndpointInfo>> replyTo) implements Command {}

    public record Disconnect(NetworkHandle network, ActorRef<StatusReply<Done>> replyTo) implements Command {}

    /** The endpoints, in the order they were connected. */
    public record Inspect(ActorRef<List<EndpointInfo>> replyTo) implements Command {}

    /** Delete the namespace (the kernel removes its veth pairs with it), give the addresses back, and stop. */
    public record Destroy(ActorRef<StatusReply<Done>> replyTo) implements Command {}

    private record StepDone(Object value, Throwable failure, BiFunction<Object, Throwable, Behavior<Command>> next) implements Command {}

    /** One network joined: the endpoint as reported, the network, and the address to give back. */
    private record Endpoint(EndpointInfo info, NetworkHandle network, int address) {}

    private final ActorContext<Command> context;
    private final StashBuffer<Command> stash;
    private final HostKernel kernel;
    private final String containerId;
    private final String containerName;
    private final String namespaceName;
    private final Duration timeout;
    private final Scheduler scheduler;
    private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
    private ConnectedNetns namespace;
    /** The network whose gateway the default route goes through, or null. */
    private String defaultRouteNetwork;
    private boolean busy;

    private SandboxActor(ActorContext<Command> context, StashBuffer<Command> stash, HostKernel kernel, String containerId,
                         String containerName, Duration timeout) {
        this.context = context;
        this.stash = stash;
        this.kernel = kernel;
        this.containerId = containerId;
        this.containerName = containerName;
        this.namespaceName = Ids.shortId(containerId);
        this.timeout = timeout;
        this.scheduler = context.getSystem().scheduler();
    }

    public static Behavior<Command> create(HostKernel kernel, String containerId, String containerName, Duration timeout) {
        return Behaviors.withStash(100_000, stash -> Behaviors.setup(context ->
                new SandboxActor(context, stash, kernel, containerId, containerName, timeout).idle()));
    }

    private Behavior<Command> idle() {
        return Behaviors.receive(Command.class)
                .onMessage(Create.class, this::onCreate)
                .onMessage(Connect.class, this::onConnect)
                .onMessage(Disconnect.class, this::onDisconnect)
                .onMessage(Inspect.class, m -> {
                    m.replyTo().tell(endpoints.values().stream().map(Endpoint::info).toList());
                    return Behaviors.same();
                })
                .onMessage(Destroy.class, this::onDestroy)
                .build();
    }

    private Behavior<Command> onCreate(Create create) {
        try {
            namespace = kernel.sandboxes().createConnected(namespaceName);
        } catch (RuntimeException e) {
            create.replyTo().tell(StatusReply.error(KernelErrors.describe("create the namespace of container " + containerName, e)));
            return Behaviors.same();
        }
        try {
            namespace.socket().execute(Links.setUp("lo", true));
        } catch (RuntimeException e) {
            deleteNamespace();
            create.replyTo().tell(StatusReply.error(KernelErrors.describe("bring up lo of container " + containerName, e)));
            return Behaviors.same();
        }
        // The bind mount keeps the namespace alive and the socket works from outside it: the descriptor is not kept.
        // Held for the container's life it would be a second descriptor per container beside the socket, 20,000 for
        // 10,000 containers (a whole session's limit on some machines); the bridge's owner opens the namespace for
        // the moment it puts the veth peer there.
        namespace.netns().close();
        create.replyTo().tell(StatusReply.success(namespace.netns().path().toString()));
        return Behaviors.same();
    }

    private Behavior<Command> onConnect(Connect connect) {
        NetworkHandle network = connect.network();
        String step = "connect container " + containerName + " to network " + network.name();
        if (namespace == null) {
            connect.replyTo().tell(StatusReply.error(NetwharfException.conflict(step + ": it has no namespace")));
            return Behaviors.same();
        }
        if (endpoints.containsKey(network.id())) {
            connect.replyTo().tell(StatusReply.error(NetwharfException.forbidden(
                    "endpoint with name " + containerName + " already exists in network " + network.name())));
            return Behaviors.same();
        }
        Integer requested;
        HardwareAddress requestedMac;
        String interfaceName;
        try {
            requested = connect.spec().ipv4Address() == null ? null : Ipv4.parse(connect.spec().ipv4Address());
            requestedMac = connect.spec().macAddress() == null ? null : unicastMac(connect.spec().macAddress());
            interfaceName = connect.spec().interfaceName() == null ? nextInterfaceName() : freeInterfaceName(connect.spec().interfaceName());
        } catch (IllegalArgumentException e) {
            connect.replyTo().tell(StatusReply.error(NetwharfException.badParameter(step + ": " + e.getMessage())));
            return Behaviors.same();
        }
        String endpointId = Ids.newId();
        String peerName = "nw" + endpointId.substring(0, 13); // unique inside this namespace until renamed
        String hostName = "veth" + endpointId.substring(0, 11);
        int prefixLength = Ipv4Subnet.parse(network.info().subnet()).prefixLength();
        boolean routeOut = defaultRouteNetwork == null && !network.info().internal();
        Path netns = namespace.netns().path(); // read here: the stages below run outside the actor

        CompletionStage<Endpoint> attached = allocate(network, requested).thenCompose(address -> {
            HardwareAddress mac = requestedMac != null ? requestedMac : macOf(address);
            EndpointInfo info = new EndpointInfo(endpointId, network.id(), network.name(), containerId, interfaceName, hostName,
                    mac.toString(), Ipv4.format(address), prefixLength, network.info().gateway(), connect.spec().aliases());
            Endpoint endpoint = new Endpoint(info, network, address);
            return this.<Done, NetworkActor.Command>ask(network.owner(),
                            replyTo -> new NetworkActor.Attach(info, peerName, mac, netns, replyTo))
                    .handle((done, failure) -> failure == null
                            ? CompletableFuture.completedFuture(endpoint)
                            : release(network, address).<Endpoint>thenCompose(x -> CompletableFuture.failedFuture(failure)))
                    .thenCompose(stage -> stage);
        });
        return busyUntil(attached, (endpoint, failure) -> {
            if (failure != null) {
                connect.replyTo().tell(StatusReply.error(KernelErrors.describe(step, failure)));
                return idle();
            }
            try {
                configure(endpoint, peerName, routeOut);
            } catch (RuntimeException e) {
                return undo(endpoint, KernelErrors.describe(step, e), connect.replyTo());
            }
            CompletionStage<Done> enabled = this.<Done, NetworkActor.Command>ask(network.owner(),
                    replyTo -> new NetworkActor.Enable(containerId, replyTo));
            return busyUntil(enabled, (done, enableFailure) -> {
                if (enableFailure != null) {
                    return undo(endpoint, KernelErrors.describe(step, enableFailure), connect.replyTo());
                }
                endpoints.put(network.id(), endpoint);
                if (routeOut) {
                    defaultRouteNetwork = network.id();
                }
                connect.replyTo().tell(StatusReply.success(endpoint.info()));
                return idle();
            });
        });
    }

    /** Takes a half-made endpoint apart (the pair, the address), then tells the caller what failed. */
    private Behavior<Command> undo(Endpoint endpoint, NetwharfException error, ActorRef<StatusReply<EndpointInfo>> replyTo) {
        return busyUntil(detachAndRelease(endpoint, true), (v, undoFailure) -> {
            if (undoFailure != null) {
                context.getLog().error("undoing a failed connect of container {} left something behind: {}", containerName,
                        KernelErrors.unwrap(undoFailure).getMessage());
            }
            replyTo.tell(StatusReply.error(error));
            return idle();
        });
    }

    /** The saga's third step, inside the namespace: rename the peer, address, up, default route. */
    private void configure(Endpoint endpoint, String peerName, boolean routeOut) {
        EndpointInfo info = endpoint.info();
        int peerIndex = new Links(namespace.socket()).get(peerName).index();
        namespace.socket().executeAll(VethEndpoint.containerSide(peerName, peerIndex, info.interfaceName(),
                Ipv4.toInet(endpoint.address()), info.prefixLength(),
                routeOut ? Ipv4.toInet(Ipv4.parse(info.gateway())) : null, false));
    }

    private Behavior<Command> onDisconnect(Disconnect disconnect) {
        NetworkHandle network = disconnect.network();
        Endpoint endpoint = endpoints.get(network.id());
        if (endpoint == null) {
            disconnect.replyTo().tell(StatusReply.error(NetwharfException.forbidden(
                    "container " + containerId + " is not connected to network " + network.name())));
            return Behaviors.same();
        }
        return busyUntil(detachAndRelease(endpoint, true), (v, failure) -> {
            if (failure != null) {
                disconnect.replyTo().tell(StatusReply.error(KernelErrors.describe(
                        "disconnect container " + containerName + " from network " + network.name(), failure)));
                return idle();
            }
            endpoints.remove(network.id());
            if (network.id().equals(defaultRouteNetwork)) {
                defaultRouteNetwork = null;
            }
            disconnect.replyTo().tell(StatusReply.ack());
            return idle();
        });
    }

    private Behavior<Command> onDestroy(Destroy destroy) {
        if (namespace != null) {
            try {
                deleteNamespace();
            } catch (RuntimeException e) {
                destroy.replyTo().tell(StatusReply.error(KernelErrors.describe("delete the namespace of container " + containerName, e)));
                return Behaviors.same();
            }
        }
        // The pairs went with the namespace: the networks only forget them, and the pools take the addresses back.
        List<CompletableFuture<Done>> undo = new ArrayList<>();
        endpoints.values().forEach(e -> undo.add(detachAndRelease(e, false).toCompletableFuture()));
        endpoints.clear();
        return busyUntil(CompletableFuture.allOf(undo.toArray(CompletableFuture[]::new)), (v, failure) -> {
            destroy.replyTo().tell(failure == null ? StatusReply.ack()
                    : StatusReply.error(KernelErrors.describe("release the endpoints of container " + containerName, failure)));
            return Behaviors.stopped();
        });
    }

    private void deleteNamespace() {
        namespace.close(); // our socket and descriptor would keep the namespace alive
        namespace = null;
        kernel.sandboxes().delete(namespaceName);
    }

    private CompletionStage<Done> detachAndRelease(Endpoint endpoint, boolean deleteVeth) {
        return this.<Done, NetworkActor.Command>ask(endpoint.network().owner(), replyTo -> new NetworkActor.Detach(containerId, deleteVeth, replyTo))
                .thenCompose(done -> release(endpoint.network(), endpoint.address()));
    }

    private CompletionStage<Integer> allocate(NetworkHandle network, Integer requested) {
        return ask(network.pool(), replyTo -> new PoolActor.Allocate(requested, replyTo));
    }

    private CompletionStage<Done> release(NetworkHandle network, int address) {
        return ask(network.pool(), replyTo -> new PoolActor.Release(address, replyTo));
    }

    private <T, C> CompletionStage<T> ask(RecipientRef<C> target, Function<ActorRef<StatusReply<T>>, C> message) {
        return Asks.askWithStatus(target, message, timeout, scheduler);
    }

    /**
     * Waits for {@code work} with every other command stashed, then continues with {@code next} inside the actor,
     * where it may touch the actor's state and the kernel.
     */
    @SuppressWarnings("unchecked")
    private <T> Behavior<Command> busyUntil(CompletionStage<T> work, BiFunction<T, Throwable, Behavior<Command>> next) {
        busy = true;
        context.pipeToSelf(work, (value, failure) -> new StepDone(value, failure, (BiFunction<Object, Throwable, Behavior<Command>>) next));
        return Behaviors.receive(Command.class)
                .onMessage(StepDone.class, done -> {
                    busy = false;
                    Behavior<Command> after = done.next().apply(done.value(), done.failure());
                    return busy || !Behavior.isAlive(after) ? after : stash.unstashAll(after);
                })
                .onAnyMessage(message -> {
                    stash.stash(message);
                    return Behaviors.same();
                })
                .build();
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

    private String nextInterfaceName() {
        for (int n = 0; ; n++) {
            String name = "eth" + n;
            if (endpoints.values().stream().noneMatch(e -> e.info().interfaceName().equals(name))) {
                return name;
            }
        }
    }

    /** Docker's scheme: 02:42 and the four bytes of the address, so an address always comes with the same MAC. */
    static HardwareAddress macOf(int address) {
        return HardwareAddress.of(new byte[] {0x02, 0x42, (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address});
    }
}
