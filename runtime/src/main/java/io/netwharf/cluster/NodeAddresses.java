package io.netwharf.cluster;

import io.netwharf.ipam.AddressPool;
import io.netwharf.ipam.Ipv4;
import io.netwharf.ipam.Ipv4Subnet;
import io.netwharf.ipam.PoolActor;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.store.Change;
import io.netwharf.store.Store;

import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * One overlay network's addresses on this node, in {@link PoolActor}'s protocol: handed out from the blocks the
 * cluster's {@link LeaseKeeper} leased to this node, with no round trip per container; a new block is asked for
 * ahead of need (when fewer than {@link #LOW_WATER} addresses are left), and an allocation waits only when none is
 * left. The node's blocks are kept in its store (a setting per network) before they are used, so a restart (even a
 * kill -9) claims them again; those its restored endpoints no longer use are returned then.
 */
final class NodeAddresses {
    /** Ask for the next block when this few addresses are left in this node's blocks. */
    static final int LOW_WATER = 16;
    private static final Duration LEASE_TIMEOUT = Duration.ofSeconds(25);

    private NodeAddresses() {}

    /** The keeper's answer: to a claim of {@code block} (a static address's, or one held before a restart), or to a plain lease. */
    private record BlockGranted(String block, boolean claim, Throwable failure) implements PoolActor.Command {}

    private record BlockStored(Ipv4Subnet block, Throwable failure) implements PoolActor.Command {}

    /** The store key of the network's blocks on this node. */
    static String settingKey(String networkId) {
        return "cluster.address-blocks." + networkId;
    }

    /** {@code storedBlocks}: the setting as the store had it at start (null: none). */
    static Behavior<PoolActor.Command> create(NetworkInfo network, AddressPool pool, ActorRef<LeaseKeeper.Command> keeper, String node,
                                              Store store, String storedBlocks) {
        return Behaviors.setup(context -> new Owner(context, network, pool, keeper, node, store).start(storedBlocks));
    }

    /** Every address of the block, as unsigned values (int addresses compare wrongly above 127.255.255.255). */
    private static LongStream addressesOf(Ipv4Subnet block) {
        long first = Integer.toUnsignedLong(block.network());
        return LongStream.range(first, first + block.size());
    }

    private static final class Owner {
        private final ActorContext<PoolActor.Command> context;
        private final NetworkInfo network;
        private final AddressPool pool;
        private final ActorRef<LeaseKeeper.Command> keeper;
        private final String node;
        private final Store store;
        private final AddressBlocks cutting;
        /** The blocks leased to this node and kept in its store: addresses are handed out from these only. */
        private final Set<Ipv4Subnet> blocks = new TreeSet<>((a, b) -> Integer.compareUnsigned(a.network(), b.network()));
        /** Allocations without a requested address, waiting for a block. */
        private final Deque<PoolActor.Allocate> waiting = new ArrayDeque<>();
        /** Static addresses waiting for their block. */
        private final Deque<PoolActor.Allocate> waitingStatic = new ArrayDeque<>();
        private boolean leasing;

        Owner(ActorContext<PoolActor.Command> context, NetworkInfo network, AddressPool pool, ActorRef<LeaseKeeper.Command> keeper,
              String node, Store store) {
            this.context = context;
            this.network = network;
            this.pool = pool;
            this.keeper = keeper;
            this.node = node;
            this.store = store;
            this.cutting = new AddressBlocks(pool.subnet(), pool.ipRange().orElse(null));
        }

        /**
         * Claims again the blocks this node held before (its store says which) that its restored endpoints use, and
         * returns the others: their endpoints are known gone.
         */
        Behavior<PoolActor.Command> start(String storedBlocks) {
            Set<Ipv4Subnet> before = new TreeSet<>((a, b) -> Integer.compareUnsigned(a.network(), b.network()));
            if (storedBlocks != null && !storedBlocks.isEmpty()) {
                Arrays.stream(storedBlocks.split(",")).map(Ipv4Subnet::parse).forEach(before::add);
            }
            for (Ipv4Subnet block : before) {
                if (inUse(block)) {
                    claim(block);
                } else {
                    keeper.tell(new LeaseKeeper.Return(network.id(), block.toString(), node));
                }
            }
            // Restored endpoints in blocks the store did not list (a crash between the lease and its record) are claimed too.
            for (Ipv4Subnet block : cutting.blocks()) {
                if (!before.contains(block) && inUse(block)) {
                    claim(block);
                }
            }
            if (before.stream().anyMatch(b -> !inUse(b))) {
                storeBlocks();
            }
            return behavior();
        }

        private boolean inUse(Ipv4Subnet block) {
            return addressesOf(block).anyMatch(a -> pool.inUse((int) a));
        }

        private Behavior<PoolActor.Command> behavior() {
            return Behaviors.receive(PoolActor.Command.class)
                    .onMessage(PoolActor.Allocate.class, this::onAllocate)
                    .onMessage(PoolActor.Release.class, m -> {
                        pool.release(m.address());
                        m.replyTo().tell(StatusReply.ack());
                        return Behaviors.same();
                    })
                    .onMessage(PoolActor.CountInUse.class, m -> {
                        m.replyTo().tell(pool.inUseCount());
                        return Behaviors.same();
                    })
                    .onMessage(BlockGranted.class, this::onGranted)
                    .onMessage(BlockStored.class, this::onStored)
                    .build();
        }

        private Behavior<PoolActor.Command> onAllocate(PoolActor.Allocate allocate) {
            if (allocate.requested() != null) {
                int requested = allocate.requested();
                if (!pool.subnet().contains(requested)) {
                    allocate.replyTo().tell(StatusReply.error(NetwharfException.badParameter(Ipv4.format(requested)
                            + " is outside subnet " + pool.subnet())));
                } else if (blocks.contains(cutting.blockOf(requested))) {
                    reply(allocate, requested);
                } else {
                    waitingStatic.add(allocate);
                    claim(cutting.blockOf(requested));
                }
                return Behaviors.same();
            }
            Integer preferred = allocate.preferred();
            if (preferred != null && blocks.contains(cutting.blockOf(preferred)) && pool.isFree(preferred)) {
                reply(allocate, preferred);
            } else if (waiting.isEmpty() && free() != null) {
                reply(allocate, free());
            } else {
                waiting.add(allocate);
                leaseAnother();
            }
            return Behaviors.same();
        }

        /** Hands out {@code address} and asks for the next block if few are left. */
        private void reply(PoolActor.Allocate allocate, int address) {
            try {
                allocate.replyTo().tell(StatusReply.success(pool.allocate(address)));
            } catch (IllegalArgumentException e) { // AddressConflictException among them
                allocate.replyTo().tell(StatusReply.error(e));
            }
            if (freeCount() < LOW_WATER) {
                leaseAnother();
            }
        }

        /** The lowest free address of this node's blocks that may be handed out dynamically (inside the ip-range). */
        private Integer free() {
            return freeAddresses().mapToObj(a -> (int) a).findFirst().orElse(null);
        }

        private long freeCount() {
            return freeAddresses().count();
        }

        private LongStream freeAddresses() {
            return blocks.stream().flatMapToLong(NodeAddresses::addressesOf).filter(a -> dynamic((int) a) && pool.isFree((int) a));
        }

        private boolean dynamic(int address) {
            return pool.ipRange().map(range -> range.contains(address)).orElse(true);
        }

        private void leaseAnother() {
            if (!leasing) {
                leasing = true;
                ask(null);
            }
        }

        private void claim(Ipv4Subnet block) {
            ask(block.toString());
        }

        /** A lease: of {@code wanted} (a claim), or (null) of the lowest free block. */
        private void ask(String wanted) {
            context.<LeaseKeeper.Command, LeaseKeeper.Granted>askWithStatus(LeaseKeeper.Granted.class, keeper, LEASE_TIMEOUT,
                    replyTo -> new LeaseKeeper.Lease(network.id(), network.created(), pool.subnet().toString(),
                            pool.ipRange().map(Ipv4Subnet::toString).orElse(null), node, wanted, replyTo),
                    (granted, failure) -> new BlockGranted(granted != null ? granted.block() : wanted, wanted != null, failure));
        }

        private Behavior<PoolActor.Command> onGranted(BlockGranted granted) {
            if (!granted.claim()) {
                leasing = false;
            }
            if (granted.failure() != null) {
                if (granted.claim()) {
                    Ipv4Subnet block = Ipv4Subnet.parse(granted.block());
                    if (waitingStatic.stream().noneMatch(a -> cutting.blockOf(a.requested()).equals(block))) {
                        context.getLog().error("overlay network {}: block {}, which this node's restored endpoints use, cannot be "
                                + "claimed again: {}", network.name(), block, reason(granted.failure()));
                    }
                    failStatic(block, reason(granted.failure()));
                } else {
                    failAll(waiting, "no address for a container on overlay network " + network.name() + ": " + reason(granted.failure()));
                }
                return Behaviors.same();
            }
            Ipv4Subnet block = Ipv4Subnet.parse(granted.block());
            if (blocks.contains(block)) {
                return onStored(new BlockStored(block, null));
            }
            blocks.add(block);
            // Kept before it is used: a crash after an address of it is handed out must find the block at the restart.
            context.pipeToSelf(storeBlocks(), (done, failure) -> new BlockStored(block, failure));
            return Behaviors.same();
        }

        private Behavior<PoolActor.Command> onStored(BlockStored stored) {
            if (stored.failure() != null) {
                blocks.remove(stored.block());
                failAll(waiting, "no address for a container on overlay network " + network.name() + ": keep its address block in the store: "
                        + reason(stored.failure()));
                failStatic(stored.block(), "keep its address block in the store: " + reason(stored.failure()));
                return Behaviors.same();
            }
            for (PoolActor.Allocate allocate : List.copyOf(waitingStatic)) {
                if (cutting.blockOf(allocate.requested()).equals(stored.block())) {
                    waitingStatic.remove(allocate);
                    reply(allocate, allocate.requested());
                }
            }
            while (!waiting.isEmpty() && free() != null) {
                reply(waiting.poll(), free());
            }
            if (!waiting.isEmpty()) {
                leaseAnother();
            }
            return Behaviors.same();
        }

        private void failStatic(Ipv4Subnet block, String reason) {
            for (PoolActor.Allocate allocate : List.copyOf(waitingStatic)) {
                if (cutting.blockOf(allocate.requested()).equals(block)) {
                    waitingStatic.remove(allocate);
                    allocate.replyTo().tell(StatusReply.error(NetwharfException.forbidden("Address " + Ipv4.format(allocate.requested())
                            + " cannot be given on this node: " + reason)));
                }
            }
        }

        private static void failAll(Deque<PoolActor.Allocate> allocations, String message) {
            while (!allocations.isEmpty()) {
                allocations.poll().replyTo().tell(StatusReply.error(NetwharfException.forbidden(message)));
            }
        }

        private static String reason(Throwable failure) {
            return failure.getMessage() == null ? failure.toString() : failure.getMessage();
        }

        private CompletionStage<Done> storeBlocks() {
            return store.apply(new Change.PutSetting(settingKey(network.id()),
                    blocks.stream().map(Ipv4Subnet::toString).collect(Collectors.joining(","))));
        }
    }
}
