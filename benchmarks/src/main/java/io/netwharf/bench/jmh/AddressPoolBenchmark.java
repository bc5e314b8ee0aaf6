package io.netwharf.bench.jmh;

import io.netwharf.ipam.AddressPool;
import io.netwharf.ipam.Ipv4;
import io.netwharf.ipam.Ipv4Subnet;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * {@link AddressPool}, the plain data structure, on a /16 (65,533 allocatable addresses once the gateway is
 * reserved) with {@code inUse} addresses in use. The runtime's {@code PoolActor} owns one pool and calls it once
 * per message; the actor's messaging is measured by the runtime benchmarks, not here.
 *
 * <p>Every operation is an allocate and a release, so the pool stays at {@code inUse} addresses throughout and each
 * invocation sees the same fill. The pool is filled in setup by {@link AddressPool#allocate()}, as a pool that only
 * grew, so the addresses in use are the first {@code inUse} and the cursor sits just after them.
 *
 * <ul>
 *   <li>60,000 in use (5,533 free): the working point, 92% full.
 *   <li>65,532 in use (one free): the worst case of {@code allocate()}'s next-fit search, which then sweeps the
 *       bitmap (1,024 words for a /16) from the cursor round to the one free address.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class AddressPoolBenchmark {
    private static final Ipv4Subnet SUBNET = Ipv4Subnet.parse("10.88.0.0/16");
    private static final int GATEWAY = Ipv4.parse("10.88.0.1");

    @Param({"60000", "65532"})
    public int inUse;

    private AddressPool pool;
    /** The addresses in use, so that a random one can be released. */
    private int[] addresses;
    private long random = 0x9E3779B97F4A7C15L;

    @Setup
    public void fill() {
        pool = new AddressPool(SUBNET, GATEWAY, null);
        if (inUse > pool.capacity()) {
            throw new IllegalArgumentException(inUse + " addresses do not fit " + SUBNET + " (capacity " + pool.capacity() + ")");
        }
        addresses = new int[inUse];
        for (int i = 0; i < inUse; i++) {
            addresses[i] = pool.allocate();
        }
    }

    @TearDown
    public void check() {
        if (pool.inUseCount() != inUse) {
            throw new IllegalStateException(pool.inUseCount() + " addresses in use at the end, expected " + inUse);
        }
    }

    /**
     * The next free address, handed straight back. With 60,000 in use the cursor walks the free tail and, every
     * 5,533 operations, wraps round and sweeps past the 60,000 in use; with one free, every call sweeps the whole
     * bitmap round to that same address.
     */
    @Benchmark
    public int allocateThenRelease() {
        int address = pool.allocate();
        pool.release(address);
        return address;
    }

    /**
     * Release an address chosen at random among those in use, then allocate: churn, as containers come and go.
     * After warm-up the free addresses lie scattered, so next-fit finds one within a few bits. With one free, two
     * are free when it searches (that one and the one just released) and it sweeps from the cursor to the nearer:
     * about a third of the bitmap on average.
     */
    @Benchmark
    public int releaseRandomThenAllocate() {
        int i = nextIndex();
        pool.release(addresses[i]);
        addresses[i] = pool.allocate();
        return addresses[i];
    }

    /** xorshift64, scaled to 0..inUse-1: the benchmark's own bookkeeping, kept to a few instructions. */
    private int nextIndex() {
        random ^= random << 13;
        random ^= random >>> 7;
        random ^= random << 17;
        return (int) (((random >>> 32) * inUse) >>> 32);
    }
}
