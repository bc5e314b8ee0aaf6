package io.netwharf.ipam;

import java.util.BitSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The addresses of one subnet: which are in use, and which to hand out next. A plain data structure, not
 * thread-safe: the actor that owns the pool serializes access.
 *
 * <p>The network address, the broadcast address and the gateway are never handed out (a /31 or /32 has no network
 * or broadcast address, see {@link Ipv4Subnet}). Dynamic allocation draws only from the ip-range when there is one;
 * a requested (static) address may lie anywhere in the subnet, as Docker allows. Auxiliary addresses (Docker's
 * {@code AuxiliaryAddresses}: addresses of the subnet that something outside the network uses) are never handed out.
 *
 * <p>Cost: one bit per address, indexed by offset from the network address, grown as addresses are used (at most
 * 2 MiB for a /8). {@link #allocate()} is next-fit: it continues after the address it handed out last and wraps
 * around, so a just-released address is reused last (as Docker does), and it is amortised O(1) while the pool
 * is not nearly full. Its worst case is one {@link BitSet#nextClearBit} sweep of the range, 64 addresses per
 * word (1,024 words for a /16). Static allocation, release and lookups are O(1).
 */
public final class AddressPool {
    /**
     * Shortest prefix a pool accepts. A /8 (16M addresses, a bitmap of at most 2 MiB) is already far more than one
     * bridge network needs; each shorter prefix doubles the bitmap, and a /0 would not fit a BitSet's int index.
     */
    public static final int MIN_PREFIX_LENGTH = 8;

    private final Ipv4Subnet subnet;
    private final int gateway;
    private final Ipv4Subnet ipRange;
    private final Set<Integer> auxiliary;
    /** Bit i: address network + i is in use, or is the gateway or an auxiliary address (so that searches skip it). */
    private final BitSet taken = new BitSet();
    /** Offsets of the first and last address {@link #allocate()} may hand out; first > last if there is none. */
    private final int first;
    private final int last;
    private final int dynamicCapacity;
    /** Offset where the next dynamic search starts, within first..last. */
    private int cursor;
    private int inUseCount;

    public AddressPool(Ipv4Subnet subnet, int gateway, Ipv4Subnet ipRange) {
        this(subnet, gateway, ipRange, Set.of());
    }

    /**
     * @param gateway   reserved: never handed out; must lie in the subnet and not be its network or broadcast address
     * @param ipRange   null, or a sub-range of {@code subnet} that {@link #allocate()} draws from
     * @param auxiliary reserved too, under the same rules as the gateway, and distinct from it
     */
    public AddressPool(Ipv4Subnet subnet, int gateway, Ipv4Subnet ipRange, Set<Integer> auxiliary) {
        this.subnet = Objects.requireNonNull(subnet, "subnet");
        if (subnet.prefixLength() < MIN_PREFIX_LENGTH) {
            throw new IllegalArgumentException("subnet " + subnet + " is too large for an address pool: the prefix length must be at least "
                    + MIN_PREFIX_LENGTH);
        }
        checkReservable("gateway", gateway);
        if (ipRange != null && !subnet.contains(ipRange)) {
            throw new IllegalArgumentException("ip-range " + ipRange + " is not inside subnet " + subnet);
        }
        for (int address : auxiliary) {
            checkReservable("auxiliary address", address);
            if (address == gateway) {
                throw new IllegalArgumentException("auxiliary address " + Ipv4.format(address) + " is the gateway of " + subnet);
            }
        }
        this.gateway = gateway;
        this.ipRange = ipRange;
        this.auxiliary = Set.copyOf(auxiliary);
        Ipv4Subnet range = ipRange == null ? subnet : ipRange;
        this.first = Math.max(offset(range.network()), offset(subnet.firstUsable()));
        this.last = Math.min(offset(range.broadcast()), offset(subnet.lastUsable()));
        taken.set(offset(gateway));
        this.auxiliary.forEach(address -> taken.set(offset(address)));
        int reservedInRange = first > last ? 0 : taken.get(first, last + 1).cardinality();
        this.dynamicCapacity = Math.max(0, last - first + 1) - reservedInRange;
        this.cursor = first;
    }

    private void checkReservable(String what, int address) {
        if (!subnet.contains(address)) {
            throw new IllegalArgumentException(what + " " + Ipv4.format(address) + " is outside subnet " + subnet);
        }
        if (unusableRole(address) != null) {
            throw new IllegalArgumentException(what + " " + Ipv4.format(address) + " is " + unusableRole(address));
        }
    }

    /** Hands out a free address of the ip-range (or the subnet), continuing after the last one handed out. */
    public int allocate() {
        int offset = nextFree(cursor, last);
        if (offset < 0) {
            offset = nextFree(first, cursor - 1);
        }
        if (offset < 0) {
            throw new PoolExhaustedException("no free address in " + (ipRange == null ? "" : "ip-range " + ipRange + " of ")
                    + "subnet " + subnet + ": all " + dynamicCapacity + " allocatable addresses are in use"
                    + (ipRange == null ? "" : " (" + inUseCount + " in use in the subnet)"));
        }
        take(offset);
        cursor = offset == last ? first : offset + 1;
        return subnet.network() + offset;
    }

    /**
     * Takes a requested address: anywhere in the subnet, outside the ip-range too. Refused (and nothing changes)
     * with IllegalArgumentException if it can never be handed out, AddressConflictException if it is in use.
     */
    public int allocate(int requested) {
        if (!subnet.contains(requested)) {
            throw new IllegalArgumentException(Ipv4.format(requested) + " is outside subnet " + subnet);
        }
        if (requested == gateway) {
            throw new IllegalArgumentException(Ipv4.format(requested) + " is the gateway of " + subnet);
        }
        if (auxiliary.contains(requested)) {
            throw new IllegalArgumentException(Ipv4.format(requested) + " is an auxiliary address of " + subnet);
        }
        if (unusableRole(requested) != null) {
            throw new IllegalArgumentException(Ipv4.format(requested) + " is " + unusableRole(requested));
        }
        if (taken.get(offset(requested))) {
            throw new AddressConflictException(Ipv4.format(requested) + " is already in use in " + subnet);
        }
        take(offset(requested));
        return requested;
    }

    /** Whether {@link #allocate(int)} would give {@code address} now: an address of the subnet that may be handed out and is free. */
    public boolean isFree(int address) {
        return subnet.contains(address) && address != gateway && !auxiliary.contains(address) && unusableRole(address) == null
                && !taken.get(offset(address));
    }

    /** Frees an address handed out before; false (and nothing changes) if it was not in use. */
    public boolean release(int address) {
        if (!inUse(address)) {
            return false;
        }
        taken.clear(offset(address));
        inUseCount--;
        return true;
    }

    /** Whether the address was handed out and not released; the gateway and auxiliary addresses are reserved, not in use. */
    public boolean inUse(int address) {
        return subnet.contains(address) && address != gateway && !auxiliary.contains(address) && taken.get(offset(address));
    }

    public int inUseCount() {
        return inUseCount;
    }

    /** How many addresses can be in use at once: the subnet's usable addresses less the gateway and the auxiliary ones. */
    public int capacity() {
        return (int) subnet.usableCount() - 1 - auxiliary.size();
    }

    public Ipv4Subnet subnet() {
        return subnet;
    }

    public int gateway() {
        return gateway;
    }

    public Optional<Ipv4Subnet> ipRange() {
        return Optional.ofNullable(ipRange);
    }

    private void take(int offset) {
        taken.set(offset);
        inUseCount++;
    }

    /** The first offset in from..to that is not taken, or -1. */
    private int nextFree(int from, int to) {
        int offset = taken.nextClearBit(from);
        return offset <= to ? offset : -1;
    }

    private int offset(int address) {
        return address - subnet.network();
    }

    /** Null for a usable address of the subnet, else why it is not: "the network address of 172.19.0.0/16". */
    private String unusableRole(int address) {
        if (offset(address) < offset(subnet.firstUsable())) {
            return "the network address of " + subnet;
        }
        return offset(address) > offset(subnet.lastUsable()) ? "the broadcast address of " + subnet : null;
    }
}
