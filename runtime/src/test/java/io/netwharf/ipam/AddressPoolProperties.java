package io.netwharf.ipam;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random sequences of allocate / static allocate / release on small pools, checked after every step against a
 * model that is just a set of the addresses in use.
 */
class AddressPoolProperties {

    record Setup(Ipv4Subnet subnet, int gateway, Ipv4Subnet ipRange) {
        /** What allocate() may hand out: the range's (or subnet's) usable addresses, less the gateway. */
        boolean allocatable(int address) {
            return (ipRange == null || ipRange.contains(address)) && usable(address);
        }

        boolean usable(int address) {
            long a = Integer.toUnsignedLong(address);
            return subnet.contains(address) && address != gateway
                    && a >= Integer.toUnsignedLong(subnet.firstUsable()) && a <= Integer.toUnsignedLong(subnet.lastUsable());
        }

        List<Integer> allocatableAddresses() {
            List<Integer> all = new ArrayList<>();
            for (long i = 0; i < subnet.size(); i++) {
                int address = subnet.network() + (int) i;
                if (allocatable(address)) {
                    all.add(address);
                }
            }
            return all;
        }
    }

    enum Kind { ALLOCATE, STATIC, RELEASE_IN_USE, RELEASE_ANY }

    record Op(Kind kind, int pick) {}

    @Property(tries = 1000)
    void agreesWithASetOfAddressesInUse(@ForAll("setups") Setup setup, @ForAll("ops") List<Op> ops) {
        AddressPool pool = new AddressPool(setup.subnet(), setup.gateway(), setup.ipRange());
        Set<Integer> inUse = new HashSet<>();
        List<Integer> allocatable = setup.allocatableAddresses();
        for (Op op : ops) {
            switch (op.kind()) {
                case ALLOCATE -> {
                    if (inUse.containsAll(allocatable)) {
                        assertThrows(PoolExhaustedException.class, pool::allocate, "exhausted exactly when all are in use");
                    } else {
                        int address = pool.allocate();
                        assertTrue(setup.allocatable(address), Ipv4.format(address) + " may not be handed out");
                        assertTrue(inUse.add(address), Ipv4.format(address) + " handed out twice");
                    }
                }
                case STATIC -> {
                    // Near the subnet: a few addresses outside it on either side, and network, broadcast, gateway.
                    int address = setup.subnet().network() + Math.floorMod(op.pick(), (int) setup.subnet().size() + 8) - 4;
                    if (setup.usable(address) && !inUse.contains(address)) {
                        assertEquals(address, pool.allocate(address));
                        inUse.add(address);
                    } else {
                        Class<? extends Throwable> expected = inUse.contains(address) ? AddressConflictException.class : IllegalArgumentException.class;
                        Throwable e = assertThrows(IllegalArgumentException.class, () -> pool.allocate(address));
                        assertEquals(expected, e.getClass(), e.getMessage());
                        assertTrue(e.getMessage().startsWith(Ipv4.format(address) + " is "), e.getMessage());
                    }
                }
                case RELEASE_IN_USE -> {
                    if (!inUse.isEmpty()) {
                        int address = new ArrayList<>(inUse).get(Math.floorMod(op.pick(), inUse.size()));
                        assertTrue(pool.release(address));
                        inUse.remove(address);
                    }
                }
                case RELEASE_ANY -> {
                    int address = setup.subnet().network() + Math.floorMod(op.pick(), (int) setup.subnet().size() + 8) - 4;
                    assertEquals(inUse.remove(address), pool.release(address));
                }
            }
            assertEquals(inUse.size(), pool.inUseCount());
        }
        for (Integer address : allocatable) {
            assertEquals(inUse.contains(address), pool.inUse(address));
        }
        assertFalse(pool.inUse(setup.gateway()));
    }

    /** After a release, that address comes back once everything else allocatable is in use again. */
    @Property(tries = 300)
    void releasedAddressesComeBack(@ForAll("setups") Setup setup, @ForAll int pick) {
        AddressPool pool = new AddressPool(setup.subnet(), setup.gateway(), setup.ipRange());
        List<Integer> allocatable = setup.allocatableAddresses();
        for (int i = 0; i < allocatable.size(); i++) {
            pool.allocate();
        }
        assertThrows(PoolExhaustedException.class, pool::allocate);
        if (allocatable.isEmpty()) {
            return;
        }
        int released = allocatable.get(Math.floorMod(pick, allocatable.size()));
        assertTrue(pool.release(released));
        assertEquals(released, pool.allocate());
        assertThrows(PoolExhaustedException.class, pool::allocate);
    }

    @Provide
    Arbitrary<Setup> setups() {
        Arbitrary<Integer> prefixLengths = Arbitraries.frequency(
                Tuple.of(1, 22), Tuple.of(2, 24), Tuple.of(4, 27),
                Tuple.of(4, 29), Tuple.of(3, 30), Tuple.of(2, 31),
                Tuple.of(2, 32));
        // Only the prefix lengths need edge cases; without them on the rest, combined edge cases don't crowd out random tries.
        Arbitrary<Integer> picks = Arbitraries.integers().withoutEdgeCases();
        return Combinators.combine(prefixLengths, picks, picks, picks, Arbitraries.integers().between(0, 32).withoutEdgeCases(),
                        Arbitraries.of(true, false))
                .as((prefix, network, gatewayPick, rangePick, rangePrefix, withRange) -> {
                    Ipv4Subnet subnet = Ipv4Subnet.containing(network, prefix);
                    long usable = subnet.usableCount();
                    int gateway = subnet.firstUsable() + (int) Math.floorMod(gatewayPick, usable);
                    Ipv4Subnet range = withRange ? Ipv4Subnet.containing(subnet.network() | rangePick & ~subnet.mask(),
                            Math.max(prefix, rangePrefix)) : null;
                    return new Setup(subnet, gateway, range);
                });
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Kind> kinds = Arbitraries.frequency(
                Tuple.of(6, Kind.ALLOCATE), Tuple.of(2, Kind.STATIC),
                Tuple.of(2, Kind.RELEASE_IN_USE), Tuple.of(1, Kind.RELEASE_ANY));
        // Uniform lengths: the default favours short lists, and exhausting a /24 takes 250 allocations.
        return Combinators.combine(kinds, Arbitraries.integers()).as(Op::new).list().ofMaxSize(600)
                .withSizeDistribution(RandomDistribution.uniform());
    }
}
