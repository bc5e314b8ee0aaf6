package io.netwharf.ipam;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Picks the subnet for a new network, as dockerd does: the first candidate of the address pools, in order, that
 * overlaps nothing taken on the host or by another network.
 */
public final class SubnetChooser {
    /** Candidates listed one per line in the error; beyond that the message only counts them. */
    static final int LISTED_CANDIDATES = 256;

    private SubnetChooser() {}

    /**
     * The first free candidate. Taken entries with prefix length 0 (the default route, which overlaps everything)
     * are ignored, as dockerd ignores the default route.
     *
     * <p>Cost: candidates tried × taken entries; a /8 base cut into /24s is 65,536 candidates.
     *
     * @throws NoFreeSubnetException if every candidate overlaps something
     */
    public static Ipv4Subnet choose(List<PoolBase> pools, List<Taken> taken) {
        List<Taken> obstacles = taken.stream().filter(t -> t.subnet().prefixLength() > 0).toList();
        StringBuilder collisions = new StringBuilder();
        long tried = 0;
        for (PoolBase pool : pools) {
            for (long i = 0; i < pool.candidateCount(); i++) {
                Ipv4Subnet candidate = pool.candidate(i);
                List<Taken> hits = obstacles.stream().filter(t -> t.subnet().overlaps(candidate)).toList();
                if (hits.isEmpty()) {
                    return candidate;
                }
                if (++tried <= LISTED_CANDIDATES) {
                    collisions.append("\n  ").append(candidate).append(": ")
                            .append(hits.stream().map(Taken::what).collect(Collectors.joining("; ")));
                }
            }
        }
        if (tried == 0) {
            throw new NoFreeSubnetException("no free subnet for a new network: no address pools are configured");
        }
        if (tried > LISTED_CANDIDATES) {
            collisions.append("\n  ... and ").append(tried - LISTED_CANDIDATES).append(" more, each overlapping something too");
        }
        throw new NoFreeSubnetException("no free subnet for a new network: each of the " + tried
                + " candidates of the address pools overlaps something on the host or another network:" + collisions);
    }
}
