package io.netwharf.ipam;

import java.util.List;

/**
 * The IPv4 blocks whose addresses can never be a container's or a bridge's (IANA's special-purpose registry, RFC
 * 6890): a network on one of them would route or answer nothing as its users expect, and its masquerade rule would
 * catch traffic that is not its own. Private, shared (100.64.0.0/10) and documentation blocks are ordinary unicast
 * addresses and stay allowed.
 */
public final class SpecialPurposeBlocks {
    private record Block(Ipv4Subnet subnet, String purpose) {}

    private static final List<Block> BLOCKS = List.of(
            new Block(Ipv4Subnet.parse("0.0.0.0/8"), "reserved for \"this network\" (RFC 791)"),
            new Block(Ipv4Subnet.parse("127.0.0.0/8"), "reserved for loopback (RFC 1122)"),
            new Block(Ipv4Subnet.parse("169.254.0.0/16"), "reserved for link-local addresses (RFC 3927)"),
            new Block(Ipv4Subnet.parse("224.0.0.0/4"), "reserved for multicast (RFC 5771)"),
            new Block(Ipv4Subnet.parse("240.0.0.0/4"), "reserved for future use, with the limited broadcast address (RFC 1112)"));

    private SpecialPurposeBlocks() {}

    /** Null when {@code subnet} overlaps none of the blocks, else why it cannot be a network's: "224.0.0.0/4, reserved for multicast". */
    public static String overlapped(Ipv4Subnet subnet) {
        for (Block block : BLOCKS) {
            if (block.subnet().overlaps(subnet)) {
                return block.subnet() + ", " + block.purpose();
            }
        }
        return null;
    }
}
