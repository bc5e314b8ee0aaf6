package io.netwharf.cluster;

import io.netwharf.ipam.Ipv4Subnet;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The cluster's one granter of address blocks (a Pekko cluster singleton): which node holds which block of each
 * overlay network. A grant is answered only once a majority of the nodes have it in their copy of the leases
 * (distributed data, written with WriteMajority), so a node on the minority side of a partition, or a singleton
 * cut off with it, cannot grant; and a singleton that takes over (its node left or was downed) starts from what a
 * majority holds. Grants are written one at a time, so two can never take the same block. The blocks of a node that
 * went stay leased to it until it comes back and returns those its restored endpoints do not use. With
 * {@link ClusterSettings#durableData} every node also keeps its copy of the leases on disk, so they outlive a stop
 * of every node.
 */
public final class LeaseKeeper {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeper.class);
    /** Leases: "network id/block" to the node (host:port) that holds it. */
    static final Key<LWWMap<String, String>> LEASES = LWWMapKey.create("netwharf-address-leases");
    // Generous: grants are rare (one per 64 containers), and a loaded node answers gossip late.
    private static final Duration MAJORITY_TIMEOUT = Duration.ofSeconds(10);
    /** How long a keeper that found no leases at all takes claims only (see {@link Keeper#settling}). */
    static final Duration SETTLING = Duration.ofSeconds(20);

    private LeaseKeeper() {}

    public sealed interface Command extends ClusterMessage {}

    /**
     * A block of the network's subnet for {@code node}: {@code wanted} (the block of a static address, or one the node
     * held before a restart) if it is free or the node's already, else (wanted null) the lowest free block.
     */
    public record Lease(String networkId, Instant networkCreated, String subnet, String ipRange, String node, String wanted,
                        ActorRef<StatusReply<Granted>> replyTo) implements Command {}

    /** A block the node no longer needs: no endpoint of its uses it. */
    public record Return(String networkId, String block, String node) implements Command {}

    /** The network is gone: all its leases with it. */
    public record Forget(String networkId) implements Command {}

    public record Granted(String block) implements ClusterMessage {}

    private record Loaded(Replicator.GetResponse<LWWMap<String, String>> response) implements Command {}

    /** The end of the settling after a start with no leases (see {@link Keeper#settling}). */
    private record Settled() implements Command {}

    private record Written(Replicator.UpdateResponse<LWWMap<String, String>> response, Lease lease, String block,
                           Consumer<Map<String, String>> applied) implements Command {}

    public static Behavior<Command> create() {
        return Behaviors.withStash(10_000, stash -> Behaviors.withTimers(timers -> Behaviors.setup(context ->
                DistributedData.<Command, LWWMap<String, String>>withReplicatorMessageAdapter(replicator -> {
                    replicator.askGet(replyTo -> new Replicator.Get<>(LEASES, new Replicator.ReadMajority(MAJORITY_TIMEOUT), replyTo), Loaded::new);
                    return new Keeper(replicator, stash, DistributedData.get(context.getSystem()).selfUniqueAddress(), context.getSelf(),
                            timers).loading();
                }))));
    }

    private static final class Keeper {
        private final ReplicatorMessageAdapter<Command, LWWMap<String, String>> replicator;
        private final StashBuffer<Command> stash;
        private final SelfUniqueAddress self;
        private final Map<String, String> leases = new HashMap<>();
        private final ActorRef<Command> keeper;
        private final TimerScheduler<Command> timers;
        /** See {@link #settling()}: plain requests for a block wait here meanwhile. */
        private boolean settling;
        private Instant settlingSince;
        private final List<Lease> waitingForClaims = new ArrayList<>();

        Keeper(ReplicatorMessageAdapter<Command, LWWMap<String, String>> replicator, StashBuffer<Command> stash, SelfUniqueAddress self,
               ActorRef<Command> keeper, TimerScheduler<Command> timers) {
            this.replicator = replicator;
            this.stash = stash;
            this.self = self;
            this.keeper = keeper;
            this.timers = timers;
        }

        /** Nothing is granted before the leases a majority holds are read: until then, commands wait. */
        Behavior<Command> loading() {
            return Behaviors.receive(Command.class)
                    .onMessage(Loaded.class, loaded -> {
                        if (loaded.response() instanceof Replicator.GetSuccess<LWWMap<String, String>> success) {
                            leases.putAll(success.get(LEASES).getEntries());
                        } else if (loaded.response() instanceof Replicator.GetFailure<LWWMap<String, String>>) {
                            // No majority answered: ask again. A copy of this node's own could lack a grant a majority
                            // holds, and a later grant of that block would overwrite it (last writer wins).
                            replicator.askGet(replyTo -> new Replicator.Get<>(LEASES, new Replicator.ReadMajority(MAJORITY_TIMEOUT), replyTo),
                                    Loaded::new);
                            return Behaviors.same();
                        }
                        LOG.info("address lease keeper: {} blocks leased", leases.size());
                        return leases.isEmpty() ? settling() : stash.unstashAll(idle());
                    })
                    .onAnyMessage(m -> {
                        stash.stash(m);
                        return Behaviors.same();
                    })
                    .build();
        }

        /**
         * No leases anywhere: a new cluster, or one whose every node stopped at once and whose leases are not on disk
         * (embedded without {@link ClusterSettings#durableData}, which the daemon always uses; or a majority lost its
         * data root). In the second case the nodes claim again, as they start, the blocks their restored containers use: for
         * a while only such claims are granted, and a plain request for a block of a network made before this keeper
         * started waits, so that it is not given a block whose node has not claimed it yet (a network made since has no
         * blocks to claim, and a new cluster none). A node that starts later than this may find its block taken (logged
         * there).
         */
        Behavior<Command> settling() {
            settling = true;
            settlingSince = Instant.now();
            timers.startSingleTimer(new Settled(), SETTLING);
            return stash.unstashAll(idle());
        }

        Behavior<Command> idle() {
            return Behaviors.receive(Command.class)
                    .onMessage(Lease.class, this::onLease)
                    .onMessage(Settled.class, m -> {
                        settling = false;
                        waitingForClaims.forEach(keeper::tell);
                        waitingForClaims.clear();
                        return Behaviors.same();
                    })
                    .onMessage(Return.class, m -> {
                        String key = key(m.networkId(), m.block());
                        if (m.node().equals(leases.get(key))) {
                            return write(null, null, map -> map.remove(self, key), local -> local.remove(key));
                        }
                        return Behaviors.same();
                    })
                    .onMessage(Forget.class, m -> {
                        String prefix = m.networkId() + "/";
                        if (leases.keySet().stream().noneMatch(k -> k.startsWith(prefix))) {
                            return Behaviors.same();
                        }
                        return write(null, null, map -> {
                            LWWMap<String, String> left = map;
                            for (String key : map.getEntries().keySet()) {
                                if (key.startsWith(prefix)) {
                                    left = left.remove(self, key);
                                }
                            }
                            return left;
                        }, local -> local.keySet().removeIf(k -> k.startsWith(prefix)));
                    })
                    .build();
        }

        private Behavior<Command> onLease(Lease lease) {
            if (settling && lease.wanted() == null && lease.networkCreated().isBefore(settlingSince)) {
                waitingForClaims.add(lease);
                return Behaviors.same();
            }
            Optional<String> block;
            try {
                block = choose(lease);
            } catch (IllegalArgumentException e) {
                lease.replyTo().tell(StatusReply.error(e.getMessage()));
                return Behaviors.same();
            }
            if (block.isEmpty()) {
                lease.replyTo().tell(StatusReply.error("no free address block in subnet " + lease.subnet()
                        + (lease.ipRange() == null ? "" : " (ip-range " + lease.ipRange() + ")") + ": all are leased to the cluster's nodes"));
                return Behaviors.same();
            }
            String key = key(lease.networkId(), block.get());
            if (lease.node().equals(leases.get(key))) {
                lease.replyTo().tell(StatusReply.success(new Granted(block.get())));
                return Behaviors.same();
            }
            return write(lease, block.get(), map -> map.put(self, key, lease.node()), local -> local.put(key, lease.node()));
        }

        /** The block to grant: the wanted one unless another node holds it, else the lowest free one. */
        private Optional<String> choose(Lease lease) {
            AddressBlocks blocks = new AddressBlocks(Ipv4Subnet.parse(lease.subnet()), lease.ipRange() == null ? null : Ipv4Subnet.parse(lease.ipRange()));
            if (lease.wanted() != null) {
                String holder = leases.get(key(lease.networkId(), lease.wanted()));
                if (holder != null && !holder.equals(lease.node())) {
                    throw new IllegalArgumentException("address block " + lease.wanted() + " is leased to node " + holder
                            + ": its addresses are handed out there");
                }
                return Optional.of(lease.wanted());
            }
            return blocks.blocks().stream().map(Ipv4Subnet::toString).filter(b -> !leases.containsKey(key(lease.networkId(), b))).findFirst();
        }

        /** One write at a time: the next command waits until a majority has this one. */
        private Behavior<Command> write(Lease lease, String block, Function<LWWMap<String, String>, LWWMap<String, String>> change,
                                        Consumer<Map<String, String>> local) {
            replicator.askUpdate(replyTo -> new Replicator.Update<>(LEASES, LWWMap.empty(), new Replicator.WriteMajority(MAJORITY_TIMEOUT),
                    replyTo, change), response -> new Written(response, lease, block, local));
            return Behaviors.receive(Command.class)
                    .onMessage(Written.class, this::onWritten)
                    .onAnyMessage(m -> {
                        stash.stash(m);
                        return Behaviors.same();
                    })
                    .build();
        }

        private Behavior<Command> onWritten(Written written) {
            if (written.response() instanceof Replicator.UpdateSuccess<LWWMap<String, String>>) {
                // The singleton is the leases' only writer: what a majority now has is this map with the change.
                written.applied().accept(leases);
                if (written.lease() != null) {
                    written.lease().replyTo().tell(StatusReply.success(new Granted(written.block())));
                }
            } else if (written.lease() != null) {
                written.lease().replyTo().tell(StatusReply.error("the lease of an address block was not confirmed by a majority of "
                        + "the cluster's nodes in time (a partition, or nodes down): try again once the cluster is whole"));
            }
            return stash.unstashAll(idle());
        }

        private static String key(String networkId, String block) {
            return networkId + "/" + block;
        }
    }
}
