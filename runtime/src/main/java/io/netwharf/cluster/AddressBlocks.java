package io.netwharf.cluster;

import io.netwharf.ipam.Ipv4Subnet;

import java.util.ArrayList;
import java.util.List;

/**
 * An overlay network's subnet cut into the blocks the cluster leases to nodes: /26s (64 addresses), or the whole
 * subnet when it is smaller. A node hands out addresses only from blocks leased to it, so no two nodes ever hand out
 * the same one, and a container costs no round trip to another node.
 */
public record AddressBlocks(Ipv4Subnet subnet, Ipv4Subnet ipRange) {
    /** The prefix of a block: 64 addresses, a few containers' worth of ahead-of-need on each node. */
    public static final int BLOCK_PREFIX = 26;

    /** The blocks, in address order: those that meet the ip-range when the network has one (dynamic addresses come only from it). */
    public List<Ipv4Subnet> blocks() {
        int prefix = blockPrefix();
        List<Ipv4Subnet> blocks = new ArrayList<>();
        long count = 1L << (prefix - subnet.prefixLength());
        for (long i = 0; i < count; i++) {
            Ipv4Subnet block = Ipv4Subnet.of((int) (subnet.network() + i * (1L << (32 - prefix))), prefix);
            if (ipRange == null || ipRange.overlaps(block)) {
                blocks.add(block);
            }
        }
        return blocks;
    }

    /** The block that holds {@code address}: a block of the subnet's cutting, also for an address outside the ip-range. */
    public Ipv4Subnet blockOf(int address) {
        return Ipv4Subnet.containing(address, blockPrefix());
    }

    private int blockPrefix() {
        return Math.max(BLOCK_PREFIX, subnet.prefixLength());
    }
}
