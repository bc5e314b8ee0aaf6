package io.netwharf.network;

import io.netwharf.firewall.Firewall;
import io.netwharf.firewall.NetworkRules;
import io.netwharf.ipam.AddressPool;
import io.netwharf.ipam.Ipv4;
import io.netwharf.ipam.Ipv4Subnet;
import io.netwharf.ipam.PoolActor;
import io.netwharf.ipam.PoolBase;
import io.netwharf.ipam.SubnetChooser;
import io.netwharf.ipam.Taken;
import io.netwharf.kernel.Addresses;
import io.netwharf.kernel.KernelException;
import io.netwharf.kernel.Links;
import io.netwharf.kernel.NetlinkSocket;
import io.netwharf.kernel.Netns;
import io.netwharf.kernel.VethEndpoint;
import io.netwharf.protocol.model.EndpointInfo;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.netlink.AddressFamily;
import io.netwharf.protocol.netlink.Errno;
import io.netwharf.protocol.netlink.HardwareAddress;
import io.netwharf.protocol.rtnetlink.AddressMessage;
import io.netwharf.protocol.rtnetlink.LinkData;
import io.netwharf.protocol.rtnetlink.LinkMessage;
import io.netwharf.kernel.HostKernel;
import io.netwharf.actor.KernelErrors;

import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;

import java.net.Inet4Address;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Owns one bridge network: its Linux bridge, the host ends of its veth pairs (the bridge's ports), its firewall rules,
 * and the {@link PoolActor} of its subnet, a child. Runs on the kernel dispatcher: its handlers make netlink calls on
 * a socket of its own in the host namespace, one message at a time, so nothing else ever changes the bridge.
 */
public final class NetworkActor {
    /**
     * The ports a Linux bridge holds: port numbers are 10 bits (BR_MAX_PORTS = 1024) and number 0 is reserved, so
     * the kernel refuses the 1,024th port with EXFULL. Counted here so the refusal comes before any kernel work.
     */
    public static final int MAX_PORTS = 1023;

    public sealed interface Command {}

    /** First message: make (or adopt) the bridge, choosing a subnet that overlaps {@code taken} and the host's. */
    public record Create(List<Taken> taken, List<PoolBase> candidates, ActorRef<StatusReply<NetworkHandle>> replyTo) implements Command {}

    /**
     * Put an endpoint on the bridge: create the veth pair with the host end on the bridge and the peer, named
     * {@code peerName}, straight inside the namespace bind-mounted at {@code sandbox} (opened for that request only,
     * so that no container keeps a descriptor of its namespace). Nothing is left if it fails.
     */
    public record Attach(EndpointInfo endpoint, String peerName, HardwareAddress peerMac, Path sandbox,
                         ActorRef<StatusReply<Done>> replyTo) implements Command {}

    /** Bring the endpoint's bridge port up: the saga's last step, once the container side is configured. */
    public record Enable(String containerId, ActorRef<StatusReply<Done>> replyTo) implements Command {}

    /**
     * Take a container's endpoint off the bridge: delete its veth pair, or, when the container's namespace is
     * already gone (and the kernel removes the pair with it), only forget it.
     */
    public record Detach(String containerId, boolean deleteVeth, ActorRef<StatusReply<Done>> replyTo) implements Command {}

    public record Inspect(ActorRef<NetworkInfo> replyTo) implements Command {}

    /** Remove the network: refused while endpoints are attached. The default network keeps its bridge. */
    public record Remove(ActorRef<StatusReply<Done>> replyTo) implements Command {}

    private record StopNow() implements Command {}

    public static Behavior<Command> create(NetworkDefinition definition, HostKernel kernel, Firewall firewall) {
        return Behaviors.setup(context -> Behaviors.receive(Command.class)
                .onMessage(Create.class, create -> {
                    NetlinkSocket socket = kernel.openHostSocket();
                    try {
                        Created created = makeBridge(definition, socket, firewall, create);
                        ActorRef<PoolActor.Command> pool = context.spawn(PoolActor.create(created.pool()), "pool");
                        NetworkHandle handle = new NetworkHandle(created.info(), context.getSelf(), pool);
                        create.replyTo().tell(StatusReply.success(handle));
                        return new Running(context, firewall, socket, created.info(), created.bridgeIndex()).behavior();
                    } catch (RuntimeException e) {
                        socket.close();
                        create.replyTo().tell(StatusReply.error(KernelErrors.describe("create network " + definition.name(), e)));
                        return Behaviors.stopped();
                    }
                })
                .build());
    }

    private record Created(NetworkInfo info, int bridgeIndex, AddressPool pool) {}

    /**
     * Creates the bridge (or adopts one of that name, keeping its IPv4 address when the definition names no subnet),
     * gives it the gateway address, brings it up and installs the network's firewall rules. On failure, whatever
     * this call created is removed again.
     */
    private static Created makeBridge(NetworkDefinition definition, NetlinkSocket socket, Firewall firewall, Create create) {
        Links links = new Links(socket);
        Optional<LinkMessage> existing = links.find(definition.bridge());
        if (existing.isPresent() && !"bridge".equals(existing.get().kind())) {
            throw NetwharfException.forbidden("cannot use " + definition.bridge() + " as the bridge of network " + definition.name()
                    + ": it exists and is a " + (existing.get().kind() == null ? "plain" : existing.get().kind()) + " interface");
        }
        Ipv4Subnet subnet = definition.subnet();
        Integer gateway = definition.gateway();
        boolean hasGatewayAddress = false;
        if (existing.isPresent()) {
            Optional<AddressMessage> kept = new Addresses(socket).listOn(existing.get().index()).stream()
                    .filter(a -> a.family() == AddressFamily.AF_INET).findFirst();
            if (kept.isPresent() && subnet == null) {
                gateway = Ipv4.fromInet((Inet4Address) kept.get().ip());
                subnet = Ipv4Subnet.containing(gateway, kept.get().prefixLength());
                hasGatewayAddress = true;
            }
        }
        if (subnet == null) {
            List<Taken> taken = new ArrayList<>(create.taken());
            taken.addAll(HostSubnets.survey(socket));
            subnet = chooseSubnet(definition, create.candidates(), taken);
        }
        if (gateway == null) {
            gateway = subnet.firstUsable();
        }
        boolean created = false;
        NetworkRules rules = null;
        try {
            if (existing.isEmpty()) {
                socket.execute(Links.createBridge(definition.bridge(), definition.mtu(), null, LinkData.Bridge.forContainers()));
                created = true;
            }
            int index = links.get(definition.bridge()).index();
            if (!hasGatewayAddress) {
                addGatewayAddress(socket, definition.bridge(), index, gateway, subnet);
            }
            socket.execute(Links.setUp(definition.bridge(), true));
            rules = new NetworkRules(definition.name(), definition.bridge(), subnet.toString(), definition.icc(),
                    definition.masquerade(), definition.internal());
            firewall.addNetwork(rules);
            NetworkInfo info = new NetworkInfo(definition.id(), definition.name(), "bridge", definition.bridge(), subnet.toString(),
                    Ipv4.format(gateway), definition.ipRange() == null ? null : definition.ipRange().toString(), definition.mtu(),
                    definition.icc(), definition.masquerade(), definition.internal(), definition.isDefault(), definition.labels(),
                    definition.created(), Map.of());
            return new Created(info, index, new AddressPool(subnet, gateway, definition.ipRange()));
        } catch (RuntimeException e) {
            if (created) {
                deleteQuietly(socket, definition.bridge());
            }
            throw e;
        }
    }

    private static Ipv4Subnet chooseSubnet(NetworkDefinition definition, List<PoolBase> candidates, List<Taken> taken) {
        try {
            return SubnetChooser.choose(candidates, taken);
        } catch (RuntimeException e) {
            throw NetwharfException.forbidden("network " + definition.name() + ": " + e.getMessage());
        }
    }

    private static void addGatewayAddress(NetlinkSocket socket, String bridge, int index, int gateway, Ipv4Subnet subnet) {
        try {
            socket.execute(Addresses.add(bridge, index, Ipv4.toInet(gateway), subnet.prefixLength()));
        } catch (KernelException e) {
            if (!e.is(Errno.EEXIST)) { // an adopted bridge may already carry it
                throw e;
            }
        }
    }

    private static void deleteQuietly(NetlinkSocket socket, String link) {
        try {
            socket.execute(Links.delete(link));
        } catch (KernelException ignored) {
            // ENODEV: already gone; anything else is reported by the failure that brought us here
        }
    }

    /** The network once its bridge exists. */
    private static final class Running {
        private final ActorContext<Command> context;
        private final Firewall firewall;
        private final NetlinkSocket socket;
        private final NetworkInfo info;
        private final int bridgeIndex;
        /** Endpoints on the bridge by container id, in the order they joined. */
        private final Map<String, EndpointInfo> endpoints = new LinkedHashMap<>();

        Running(ActorContext<Command> context, Firewall firewall, NetlinkSocket socket, NetworkInfo info, int bridgeIndex) {
            this.context = context;
            this.firewall = firewall;
            this.socket = socket;
            this.info = info;
            this.bridgeIndex = bridgeIndex;
        }

        Behavior<Command> behavior() {
            return Behaviors.receive(Command.class)
                    .onMessage(Attach.class, this::onAttach)
                    .onMessage(Enable.class, this::onEnable)
                    .onMessage(Detach.class, this::onDetach)
                    .onMessage(Inspect.class, m -> {
                        m.replyTo().tell(info.withEndpoints(endpoints));
                        return Behaviors.same();
                    })
                    .onMessage(Remove.class, this::onRemove)
                    .onMessage(Create.class, m -> {
                        m.replyTo().tell(StatusReply.error(new IllegalStateException("network " + info.name() + " exists")));
                        return Behaviors.same();
                    })
                    .build();
        }

        private Behavior<Command> onAttach(Attach attach) {
            EndpointInfo endpoint = attach.endpoint();
            if (endpoints.size() >= MAX_PORTS) {
                attach.replyTo().tell(StatusReply.error(NetwharfException.forbidden("network " + info.name() + " (bridge "
                        + info.bridge() + ") already has " + MAX_PORTS + " endpoints, the most a Linux bridge holds")));
                return Behaviors.same();
            }
            try (Netns sandbox = Netns.open(attach.sandbox())) {
                socket.executeAll(VethEndpoint.hostSide(endpoint.hostInterfaceName(), attach.peerName(), sandbox,
                        info.bridge(), bridgeIndex, info.mtu(), attach.peerMac(), false));
                endpoints.put(endpoint.containerId(), endpoint);
                attach.replyTo().tell(StatusReply.ack());
            } catch (RuntimeException e) {
                deleteQuietly(socket, endpoint.hostInterfaceName()); // the batch may have failed after the pair was made
                attach.replyTo().tell(StatusReply.error(KernelErrors.describe("put " + endpoint.hostInterfaceName()
                        + " on bridge " + info.bridge() + " of network " + info.name(), e)));
            }
            return Behaviors.same();
        }

        private Behavior<Command> onEnable(Enable enable) {
            EndpointInfo endpoint = endpoints.get(enable.containerId());
            try {
                if (endpoint == null) {
                    throw new IllegalStateException("container " + enable.containerId() + " has no endpoint here");
                }
                socket.execute(VethEndpoint.enableHostSide(endpoint.hostInterfaceName()));
                enable.replyTo().tell(StatusReply.ack());
            } catch (RuntimeException e) {
                enable.replyTo().tell(StatusReply.error(KernelErrors.describe("bring up the port of network " + info.name(), e)));
            }
            return Behaviors.same();
        }

        private Behavior<Command> onDetach(Detach detach) {
            EndpointInfo endpoint = endpoints.remove(detach.containerId());
            if (endpoint != null && detach.deleteVeth()) {
                try {
                    socket.execute(Links.delete(endpoint.hostInterfaceName()));
                } catch (KernelException e) {
                    if (!e.is(Errno.ENODEV)) {
                        endpoints.put(detach.containerId(), endpoint);
                        detach.replyTo().tell(StatusReply.error(KernelErrors.describe("detach from network " + info.name(), e)));
                        return Behaviors.same();
                    }
                }
            }
            detach.replyTo().tell(StatusReply.ack());
            return Behaviors.same();
        }

        private Behavior<Command> onRemove(Remove remove) {
            if (!endpoints.isEmpty()) {
                remove.replyTo().tell(StatusReply.error(NetwharfException.forbidden("error while removing network: network "
                        + info.name() + " id " + info.id() + " has active endpoints")));
                return Behaviors.same();
            }
            try {
                firewall.removeNetwork(new NetworkRules(info.name(), info.bridge(), info.subnet(), info.icc(), info.masquerade(), info.internal()));
                if (!info.isDefault()) {
                    socket.execute(Links.delete(info.bridge()));
                }
            } catch (RuntimeException e) {
                remove.replyTo().tell(StatusReply.error(KernelErrors.describe("remove network " + info.name(), e)));
                return Behaviors.same();
            }
            socket.close();
            remove.replyTo().tell(StatusReply.ack());
            return removed();
        }

        /**
         * After removal the actor lingers for a while to turn away the steps of sagas that set out before the network
         * went (their asks would otherwise wait out their timeout), then stops.
         */
        private Behavior<Command> removed() {
            return Behaviors.withTimers(timers -> {
                timers.startSingleTimer(new StopNow(), Duration.ofMinutes(5));
                NetwharfException gone = NetwharfException.notFound("network " + info.name() + " not found");
                return Behaviors.receive(Command.class)
                        .onMessage(StopNow.class, m -> Behaviors.stopped())
                        .onMessage(Attach.class, m -> reply(m.replyTo(), gone))
                        .onMessage(Enable.class, m -> reply(m.replyTo(), gone))
                        .onMessage(Detach.class, m -> {
                            m.replyTo().tell(StatusReply.ack()); // the pair went with the bridge
                            return Behaviors.same();
                        })
                        .onMessage(Remove.class, m -> reply(m.replyTo(), gone))
                        .onMessage(Create.class, m -> reply(m.replyTo(), gone))
                        .onMessage(Inspect.class, m -> {
                            m.replyTo().tell(info);
                            return Behaviors.same();
                        })
                        .build();
            });
        }

        private static <T> Behavior<Command> reply(ActorRef<StatusReply<T>> replyTo, RuntimeException error) {
            replyTo.tell(StatusReply.error(error));
            return Behaviors.same();
        }
    }
}
