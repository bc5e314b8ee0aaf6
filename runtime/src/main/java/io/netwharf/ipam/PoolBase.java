package io.netwharf.ipam;

import java.util.Objects;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * One default address pool, as dockerd's {@code --default-address-pool base=192.168.0.0/16,size=20}: the base is
 * cut into subnets of prefix length {@code size}, which are the candidates for new networks, in address order
 * (192.168.0.0/20, 192.168.16.0/20, ... 192.168.240.0/20).
 */
public record PoolBase(Ipv4Subnet base, int size) {

    public PoolBase {
        Objects.requireNonNull(base, "base");
        String problem = problem(base, size);
        if (problem != null) {
            throw new IllegalArgumentException("invalid address pool: " + problem);
        }
    }

    /** Null if {@code size} can cut {@code base}, else why not; shared with {@link AddressPoolsSpec#parse}. */
    static String problem(Ipv4Subnet base, int size) {
        if (size > 32) {
            return "size " + size + " is larger than 32";
        }
        if (size < base.prefixLength()) {
            return "size " + size + " is smaller than the prefix length of base " + base;
        }
        return null;
    }

    /** 2^(size - base prefix length): a /8 cut into /24s gives 65,536. */
    public long candidateCount() {
        return 1L << (size - base.prefixLength());
    }

    /** The i-th candidate, 0 ≤ i < candidateCount(). */
    public Ipv4Subnet candidate(long i) {
        if (i < 0 || i >= candidateCount()) {
            throw new IndexOutOfBoundsException("candidate " + i + " of " + this + ", which has " + candidateCount());
        }
        return Ipv4Subnet.of(base.network() + (int) (i << (32 - size)), size);
    }

    /** The candidates in order, made one at a time as the stream is consumed. */
    public Stream<Ipv4Subnet> candidates() {
        return LongStream.range(0, candidateCount()).mapToObj(this::candidate);
    }

    @Override
    public String toString() {
        return "base=" + base + ",size=" + size;
    }
}
