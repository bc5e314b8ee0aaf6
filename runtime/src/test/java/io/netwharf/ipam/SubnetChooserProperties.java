package io.netwharf.ipam;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SubnetChooser against a brute-force reading of its rule, on pools and taken subnets crowded into 10.0.0.0/16 so
 * that collisions, and running out, are common.
 */
class SubnetChooserProperties {
    private static final int AREA = Ipv4.parse("10.0.0.0");

    @Property(tries = 2000)
    void choosesTheFirstCandidateThatOverlapsNothingTaken(@ForAll("pools") List<PoolBase> pools, @ForAll("taken") List<Taken> taken) {
        List<Ipv4Subnet> candidates = pools.stream().flatMap(PoolBase::candidates).toList();
        Ipv4Subnet chosen;
        try {
            chosen = SubnetChooser.choose(pools, taken);
        } catch (NoFreeSubnetException e) {
            for (Ipv4Subnet candidate : candidates) {
                assertTrue(collides(candidate, taken), candidate + " was free");
            }
            List<String> lines = e.getMessage().lines().toList();
            assertEquals(candidates.size() + 1, lines.size(), e.getMessage());
            for (int i = 0; i < candidates.size(); i++) {
                assertTrue(lines.get(i + 1).startsWith("  " + candidates.get(i) + ": "), lines.get(i + 1));
            }
            return;
        }
        int index = candidates.indexOf(chosen);
        assertTrue(index >= 0, chosen + " is not a candidate");
        assertFalse(collides(chosen, taken), chosen + " overlaps something taken");
        for (Ipv4Subnet earlier : candidates.subList(0, index)) {
            assertTrue(collides(earlier, taken), "earlier candidate " + earlier + " was free");
        }
    }

    /** Brute force over address numbers, with the default route left out by its prefix length. */
    private static boolean collides(Ipv4Subnet candidate, List<Taken> taken) {
        long first = Integer.toUnsignedLong(candidate.network());
        long last = first + candidate.size() - 1;
        for (Taken t : taken) {
            long tFirst = Integer.toUnsignedLong(t.subnet().network());
            long tLast = tFirst + t.subnet().size() - 1;
            if (t.subnet().prefixLength() > 0 && first <= tLast && tFirst <= last) {
                return true;
            }
        }
        return false;
    }

    @Provide
    Arbitrary<List<PoolBase>> pools() {
        Arbitrary<PoolBase> pool = Combinators.combine(Arbitraries.integers().between(0, 0xFFFF).withoutEdgeCases(),
                        Arbitraries.integers().between(16, 26), Arbitraries.integers().between(0, 4))
                .as((low, prefix, extra) -> new PoolBase(Ipv4Subnet.containing(AREA | low, prefix), prefix + extra));
        return pool.list().ofMinSize(1).ofMaxSize(4);
    }

    @Provide
    Arbitrary<List<Taken>> taken() {
        Arbitrary<Integer> prefixes = Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.just(0)), Tuple.of(1, Arbitraries.integers().between(8, 17)),
                Tuple.of(20, Arbitraries.integers().between(18, 32)));
        Arbitrary<Taken> one = Combinators.combine(Arbitraries.integers().between(0, 0xFFFF).withoutEdgeCases(), prefixes,
                        Arbitraries.of("route", "address", "network"))
                .as((low, prefix, kind) -> switch (kind) {
                    case "route" -> Taken.route(Ipv4Subnet.containing(AREA | low, prefix), "eth0");
                    case "address" -> Taken.address(AREA | low, prefix, "eth1");
                    default -> Taken.network(Ipv4Subnet.containing(AREA | low, prefix), "n");
                });
        return one.list().ofMaxSize(20);
    }
}
