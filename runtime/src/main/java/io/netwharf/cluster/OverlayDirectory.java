package io.netwharf.cluster;

import io.netwharf.network.RemoteEndpoint;
import io.netwharf.protocol.model.EndpointInfo;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.runtime.RuntimeActor;

import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.pattern.StatusReply;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * This node's view of the cluster's overlay networks and endpoints, kept in Pekko Distributed Data (no key-value
 * store of its own): last-writer-wins maps, one of networks by id and {@value #ENDPOINT_BUCKETS} of endpoints by
 * network/container (the bucket chosen by the key's hash). Each node writes only its own endpoints, so the maps'
 * writers never contend. Every change goes to the runtime whole: the networks to make or remove, and the endpoints
 * of the other nodes that are members (a node downed or removed counts as gone: its endpoints are withdrawn from
 * every other node's kernel and DNS until it comes back and republishes).
 */
final class OverlayDirectory {
    sealed interface Command {}

    record Announce(NetworkInfo network, ActorRef<StatusReply<Done>> replyTo) implements Command {}

    record Withdraw(String networkId, ActorRef<StatusReply<Done>> replyTo) implements Command {}

    record Publish(EndpointInfo endpoint) implements Command {}

    record Unpublish(EndpointInfo endpoint) implements Command {}

    /** The runtime to tell, once it exists (the fabric is made before the runtime, which needs it). */
    record Attach(ActorRef<RuntimeActor.Command> runtime) implements Command {}

    /** A change of either map (one replicator adapter serves both: a second one would take over the first's replies). */
    private record DataChanged(Replicator.SubscribeResponse<LWWMap<String, Object>> response) implements Command {}

    private record MembersChanged(ClusterEvent.MemberEvent event) implements Command {}

    private record Written(Replicator.UpdateResponse<?> response, String what, ActorRef<StatusReply<Done>> replyTo) implements Command {}

    /** Networks by id ({@link NetworkInfo} values). */
    static final Key<LWWMap<String, Object>> NETWORKS = LWWMapKey.create("netwharf-overlay-networks");
    /**
     * Endpoints by network/container ({@link RemoteEndpoint} values), in this many maps. A write other than local
     * sends the whole map it changes to the other nodes (an LWWMap's delta needs causal delivery, which such writes
     * do not use): with one map, each of a thousand endpoints made one after another sent all the others again, and
     * in the cluster benchmark host A's daemon ended while decoding such a map. A bucket holds about 1/64 of them.
     */
    static final int ENDPOINT_BUCKETS = 64;
    /** Networks are answered once a majority has them: a node on the minority side of a partition cannot make one. */
    private static final Duration MAJORITY_TIMEOUT = Duration.ofSeconds(10);
    /** Endpoints go to every node at once rather than with the next gossip round, for convergence in milliseconds. */
    private static final Duration ALL_TIMEOUT = Duration.ofSeconds(3);

    private final ActorContext<Command> context;
    private final ReplicatorMessageAdapter<Command, LWWMap<String, Object>> replicator;
    private final SelfUniqueAddress self;
    private final String node;
    private final String underlayAddress;
    private ActorRef<RuntimeActor.Command> runtime;
    private List<NetworkInfo> networks;
    /** The endpoints in each bucket, as its map last said. */
    private final List<Map<String, RemoteEndpoint>> endpoints = new ArrayList<>();
    private final Map<Key<LWWMap<String, Object>>, Integer> bucketOfKey = new HashMap<>();
    /** This incarnation's endpoints: entries of this node's in the map that are not here are an earlier run's, removed. */
    private final Map<String, RemoteEndpoint> ownEndpoints = new HashMap<>();
    /** The members, by node name (host:port), that are not downed or removed. */
    private final Set<String> members = new HashSet<>();

    private OverlayDirectory(ActorContext<Command> context, ReplicatorMessageAdapter<Command, LWWMap<String, Object>> replicator,
                             String underlayAddress) {
        this.context = context;
        this.replicator = replicator;
        this.self = DistributedData.get(context.getSystem()).selfUniqueAddress();
        this.node = nodeName(self.uniqueAddress().address());
        this.underlayAddress = underlayAddress;
        for (int bucket = 0; bucket < ENDPOINT_BUCKETS; bucket++) {
            endpoints.add(Map.of());
            bucketOfKey.put(endpointsKey(bucket), bucket);
        }
    }

    static Key<LWWMap<String, Object>> endpointsKey(int bucket) {
        return LWWMapKey.create("netwharf-overlay-endpoints-" + bucket);
    }

    /** The bucket of an endpoint's key (String's hash is the same in every JVM). */
    static int bucketOf(String endpointKey) {
        return Math.floorMod(endpointKey.hashCode(), ENDPOINT_BUCKETS);
    }

    static Behavior<Command> create(String underlayAddress) {
        return Behaviors.setup(context -> DistributedData.<Command, LWWMap<String, Object>>withReplicatorMessageAdapter(replicator -> {
            replicator.subscribe(NETWORKS, DataChanged::new);
            for (int bucket = 0; bucket < ENDPOINT_BUCKETS; bucket++) {
                replicator.subscribe(endpointsKey(bucket), DataChanged::new);
            }
            ActorRef<ClusterEvent.MemberEvent> memberEvents = context.messageAdapter(ClusterEvent.MemberEvent.class, MembersChanged::new);
            Cluster.get(context.getSystem()).subscriptions().tell(Subscribe.create(memberEvents, ClusterEvent.MemberEvent.class));
            return new OverlayDirectory(context, replicator, underlayAddress).behavior();
        }));
    }

    /** A node's name: its cluster address, host:port. */
    static String nodeName(Address address) {
        return address.host().get() + ":" + address.port().get();
    }

    private Behavior<Command> behavior() {
        return Behaviors.receive(Command.class)
                .onMessage(Attach.class, m -> {
                    runtime = m.runtime();
                    tellNetworks();
                    tellEndpoints();
                    return Behaviors.same();
                })
                .onMessage(Announce.class, m -> {
                    replicator.askUpdate(replyTo -> new Replicator.Update<>(NETWORKS, LWWMap.empty(),
                                    new Replicator.WriteMajority(MAJORITY_TIMEOUT), replyTo, map -> map.put(self, m.network().id(), m.network())),
                            response -> new Written(response, "announce overlay network " + m.network().name() + " to the cluster", m.replyTo()));
                    return Behaviors.same();
                })
                .onMessage(Withdraw.class, m -> {
                    replicator.askUpdate(replyTo -> new Replicator.Update<>(NETWORKS, LWWMap.empty(),
                                    new Replicator.WriteMajority(MAJORITY_TIMEOUT), replyTo, map -> map.remove(self, m.networkId())),
                            response -> new Written(response, "withdraw overlay network " + m.networkId() + " from the cluster", m.replyTo()));
                    return Behaviors.same();
                })
                .onMessage(Publish.class, m -> {
                    RemoteEndpoint endpoint = new RemoteEndpoint(node, underlayAddress, m.endpoint());
                    ownEndpoints.put(endpoint.key(), endpoint);
                    writeEndpoint(endpoint.key(), map -> map.put(self, endpoint.key(), endpoint));
                    return Behaviors.same();
                })
                .onMessage(Unpublish.class, m -> {
                    String key = m.endpoint().networkId() + "/" + m.endpoint().containerId();
                    ownEndpoints.remove(key);
                    writeEndpoint(key, map -> map.remove(self, key));
                    return Behaviors.same();
                })
                .onMessage(Written.class, this::onWritten)
                .onMessage(DataChanged.class, m -> {
                    if (m.response() instanceof Replicator.Changed<LWWMap<String, Object>> changed) {
                        Map<String, Object> entries = changed.dataValue().getEntries();
                        if (changed.key().equals(NETWORKS)) {
                            networks = entries.values().stream().map(NetworkInfo.class::cast).toList();
                            tellNetworks();
                        } else {
                            Map<String, RemoteEndpoint> now = new HashMap<>();
                            entries.forEach((key, value) -> now.put(key, (RemoteEndpoint) value));
                            endpoints.set(bucketOfKey.get(changed.key()), now);
                            removeEarlierRunsEndpoints();
                            tellEndpoints();
                        }
                    }
                    return Behaviors.same();
                })
                .onMessage(MembersChanged.class, m -> {
                    Member member = m.event().member();
                    String name = nodeName(member.address());
                    // Operators follow membership here (Pekko's own logging is at WARN): up, left, downed, removed.
                    context.getLog().info("cluster member {} is {}", name, member.status().toString().toLowerCase(Locale.ROOT));
                    boolean gone = member.status() == MemberStatus.down() || member.status() == MemberStatus.removed();
                    if (gone ? members.remove(name) : members.add(name)) {
                        tellEndpoints();
                    }
                    return Behaviors.same();
                })
                .build();
    }

    private void writeEndpoint(String key, Function<LWWMap<String, Object>, LWWMap<String, Object>> change) {
        replicator.askUpdate(replyTo -> new Replicator.Update<>(endpointsKey(bucketOf(key)), LWWMap.empty(), new Replicator.WriteAll(ALL_TIMEOUT),
                replyTo, change), response -> new Written(response, "publish endpoint " + key, null));
    }

    /**
     * Entries under this node's name that this run did not publish are an earlier run's (a restart): their containers
     * are gone, or are published again as the runtime adopts them before this is called.
     */
    private void removeEarlierRunsEndpoints() {
        if (runtime == null) {
            return; // the runtime has not yet restored its endpoints
        }
        endpoints.stream().flatMap(bucket -> bucket.values().stream()).filter(e -> e.node().equals(node) && !ownEndpoints.containsKey(e.key()))
                .forEach(stale -> writeEndpoint(stale.key(), map -> map.remove(self, stale.key())));
    }

    private Behavior<Command> onWritten(Written written) {
        boolean ok = written.response() instanceof Replicator.UpdateSuccess<?>;
        if (written.replyTo() != null) {
            written.replyTo().tell(ok ? StatusReply.ack() : StatusReply.error(NetwharfException.internal(written.what()
                    + ": " + (written.response() instanceof Replicator.UpdateTimeout<?>
                    ? "a majority of the nodes did not confirm it in time (this node may be on the minority side of a partition)"
                    : written.response().toString()), null)));
        } else if (!ok && !(written.response() instanceof Replicator.UpdateTimeout<?>)) {
            // A timeout of WriteAll only means a node did not answer: the change is applied here and spreads by gossip.
            context.getLog().warn("{}: {}", written.what(), written.response());
        }
        return Behaviors.same();
    }

    private void tellNetworks() {
        if (runtime != null && networks != null) {
            runtime.tell(new RuntimeActor.ClusterNetworks(networks));
        }
    }

    private void tellEndpoints() {
        if (runtime != null) {
            runtime.tell(new RuntimeActor.ClusterEndpoints(endpoints.stream().flatMap(bucket -> bucket.values().stream())
                    .filter(e -> !e.node().equals(node) && members.contains(e.node())).toList()));
        }
    }
}
