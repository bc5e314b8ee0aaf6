package io.netwharf.network;

import io.netwharf.actor.KernelErrors;
import io.netwharf.ipam.Ipv4;
import io.netwharf.ipam.PoolActor;
import io.netwharf.ipam.PoolBase;
import io.netwharf.ipam.Taken;
import io.netwharf.kernel.Netns;
import io.netwharf.protocol.model.EndpointInfo;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.netlink.HardwareAddress;

import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Owns one network: its endpoints, the {@link PoolActor} of its subnet (a child), and, through its
 * {@link NetworkDriver}, what the network is in the kernel (a bridge and its ports, a macvlan parent, nothing at all
 * for host and null). Runs on the bridge dispatcher: the driver's calls block on netlink, one message at a time, so
 * nothing else ever changes the network.
 */
public final class NetworkActor {
    public sealed interface Command {}

    /**
     * First message: make (or adopt) the network, choosing a subnet that overlaps {@code taken} and the host's, and
     * take over the endpoints a restart found in place ({@code restored}).
     */
    public record Create(List<Taken> taken, List<PoolBase> candidates, Restored restored, ActorRef<StatusReply<NetworkHandle>> replyTo)
            implements Command {
        public Create(List<Taken> taken, List<PoolBase> candidates, ActorRef<StatusReply<NetworkHandle>> replyTo) {
            this(taken, candidates, Restored.NOTHING, replyTo);
        }
    }

    /**
     * What a restart found of the network in place: the endpoints of the containers it adopted, and every address
     * their namespaces actually carry in the network's subnet. Those addresses are taken in the pool before it hands
     * out any, whether the store knew them or not.
     */
    public record Restored(List<EndpointInfo> endpoints, Set<Integer> addressesInUse) {
        public static final Restored NOTHING = new Restored(List.of(), Set.of());

        public Restored {
            endpoints = List.copyOf(endpoints);
            addressesInUse = Set.copyOf(addressesInUse);
        }
    }

    /**
     * Put an endpoint on the network: its link made straight inside the namespace bind-mounted at {@code sandbox}
     * under {@code peerName} (the namespace is opened for this request only, so that no container keeps a descriptor
     * of its namespace). Nothing is left if it fails.
     */
    public record Attach(EndpointInfo endpoint, String peerName, HardwareAddress peerMac, Path sandbox,
                         ActorRef<StatusReply<Done>> replyTo) implements Command {}

    /** The saga's last step, once the container side is configured: a bridge brings the endpoint's port up. */
    public record Enable(String containerId, ActorRef<StatusReply<Done>> replyTo) implements Command {}

    /**
     * Take a container's endpoint off the network: delete its link, or, when the container's namespace is already
     * gone (and the kernel removed the link with it), only forget it.
     */
    public record Detach(String containerId, boolean deleteVeth, ActorRef<StatusReply<Done>> replyTo) implements Command {}

    public record Inspect(ActorRef<NetworkInfo> replyTo) implements Command {}

    /** Every endpoint other nodes have on this network (overlay), as the cluster last said. */
    public record RemoteEndpoints(List<RemoteEndpoint> endpoints) implements Command {}

    /** Remove the network: refused while endpoints are attached. The default network keeps its bridge. */
    public record Remove(ActorRef<StatusReply<Done>> replyTo) implements Command {}

    private record StopNow() implements Command {}

    private static final Logger LOG = LoggerFactory.getLogger(NetworkActor.class);

    public static Behavior<Command> create(NetworkDefinition definition, NetworkDriver driver) {
        return Behaviors.setup(context -> Behaviors.receive(Command.class)
                .onMessage(Create.class, create -> {
                    NetworkDriver.Created created;
                    try {
                        created = driver.create(definition, create.taken(), create.candidates());
                    } catch (RuntimeException e) {
                        driver.close();
                        create.replyTo().tell(StatusReply.error(KernelErrors.describe("create network " + definition.name(), e)));
                        return Behaviors.stopped();
                    }
                    Restored restored = create.restored();
                    if (created.pool() != null) {
                        restored.addressesInUse().stream().filter(created.pool().subnet()::contains)
                                .forEach(address -> take(context, created, address));
                    }
                    ActorRef<PoolActor.Command> pool = created.pool() == null ? null
                            : context.spawn(driver.addressOwner(created.info(), created.pool()), "pool");
                    create.replyTo().tell(StatusReply.success(new NetworkHandle(created.info(), context.getSelf(), pool)));
                    Running running = new Running(driver, created.info());
                    restored.endpoints().forEach(running::adopt);
                    return running.behavior();
                })
                .onSignal(PostStop.class, s -> Behaviors.same())
                .build());
    }

    /** Takes an address a restored namespace holds in the subnet; one the pool cannot give (twice, say) is only logged. */
    private static void take(ActorContext<Command> context, NetworkDriver.Created created, int address) {
        try {
            created.pool().allocate(address);
        } catch (RuntimeException e) {
            context.getLog().warn("network {}: address {} is held by a restored container but cannot be taken in its pool: {}",
                    created.info().name(), Ipv4.format(address), e.getMessage());
        }
    }

    /** The network once it exists in the kernel. */
    private static final class Running {
        private final NetworkDriver driver;
        private final NetworkInfo info;
        /** Endpoints by container id, in the order they joined. */
        private final Map<String, EndpointInfo> endpoints = new LinkedHashMap<>();

        Running(NetworkDriver driver, NetworkInfo info) {
            this.driver = driver;
            this.info = info;
        }

        void adopt(EndpointInfo endpoint) {
            driver.adopt(endpoint);
            endpoints.put(endpoint.containerId(), endpoint);
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
                    .onMessage(RemoteEndpoints.class, this::onRemoteEndpoints)
                    .onMessage(Create.class, m -> {
                        m.replyTo().tell(StatusReply.error(new IllegalStateException("network " + info.name() + " exists")));
                        return Behaviors.same();
                    })
                    .onSignal(PostStop.class, s -> {
                        driver.close();
                        return Behaviors.same();
                    })
                    .build();
        }

        private Behavior<Command> onAttach(Attach attach) {
            EndpointInfo endpoint = attach.endpoint();
            try (Netns sandbox = Netns.open(attach.sandbox())) {
                driver.attach(endpoint, attach.peerName(), attach.peerMac(), sandbox);
                endpoints.put(endpoint.containerId(), endpoint);
                attach.replyTo().tell(StatusReply.ack());
            } catch (RuntimeException e) {
                attach.replyTo().tell(StatusReply.error(KernelErrors.describe("attach " + endpoint.interfaceName()
                        + " to network " + info.name(), e)));
            }
            return Behaviors.same();
        }

        private Behavior<Command> onEnable(Enable enable) {
            EndpointInfo endpoint = endpoints.get(enable.containerId());
            try {
                if (endpoint == null) {
                    throw new IllegalStateException("container " + enable.containerId() + " has no endpoint here");
                }
                driver.enable(endpoint);
                enable.replyTo().tell(StatusReply.ack());
            } catch (RuntimeException e) {
                enable.replyTo().tell(StatusReply.error(KernelErrors.describe("enable the endpoint on network " + info.name(), e)));
            }
            return Behaviors.same();
        }

        private Behavior<Command> onDetach(Detach detach) {
            EndpointInfo endpoint = endpoints.get(detach.containerId());
            if (endpoint != null) {
                try {
                    driver.detach(endpoint, detach.deleteVeth());
                } catch (RuntimeException e) {
                    detach.replyTo().tell(StatusReply.error(KernelErrors.describe("detach from network " + info.name(), e)));
                    return Behaviors.same();
                }
                endpoints.remove(detach.containerId()); // only once the kernel has let go of it
            }
            detach.replyTo().tell(StatusReply.ack());
            return Behaviors.same();
        }

        private Behavior<Command> onRemoteEndpoints(RemoteEndpoints remote) {
            try {
                driver.remoteEndpoints(remote.endpoints());
            } catch (RuntimeException e) {
                // The next change programs the whole set again; until then the missing entries only cost reachability.
                LOG.error("network {}: the other nodes' endpoints are not all programmed: {}", info.name(),
                        KernelErrors.unwrap(e).getMessage());
            }
            return Behaviors.same();
        }

        private Behavior<Command> onRemove(Remove remove) {
            if (!endpoints.isEmpty()) {
                remove.replyTo().tell(StatusReply.error(NetwharfException.forbidden("error while removing network: network "
                        + info.name() + " id " + info.id() + " has active endpoints")));
                return Behaviors.same();
            }
            try {
                driver.remove();
            } catch (RuntimeException e) {
                remove.replyTo().tell(StatusReply.error(KernelErrors.describe("remove network " + info.name(), e)));
                return Behaviors.same();
            }
            driver.close();
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
                            m.replyTo().tell(StatusReply.ack()); // the link went with the network
                            return Behaviors.same();
                        })
                        .onMessage(Remove.class, m -> reply(m.replyTo(), gone))
                        .onMessage(RemoteEndpoints.class, m -> Behaviors.same())
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
