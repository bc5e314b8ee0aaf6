package io.netwharf.cluster;

import io.netwharf.ipam.Ipv4;
import io.netwharf.ipam.Ipv4Subnet;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How an overlay subnet is cut into the blocks nodes lease. No root. */
class AddressBlocksTest {
    @Test
    void aSubnetIsCutInto26sOrIsOneBlockWhenSmaller() {
        assertEquals(List.of("10.0.8.0/26", "10.0.8.64/26", "10.0.8.128/26", "10.0.8.192/26"),
                new AddressBlocks(Ipv4Subnet.parse("10.0.8.0/24"), null).blocks().stream().map(Ipv4Subnet::toString).toList());
        assertEquals(16, new AddressBlocks(Ipv4Subnet.parse("10.0.8.0/22"), null).blocks().size());
        assertEquals(List.of("10.0.8.0/28"), new AddressBlocks(Ipv4Subnet.parse("10.0.8.0/28"), null).blocks().stream().map(Ipv4Subnet::toString).toList());
    }

    @Test
    void withAnIpRangeOnlyItsBlocksAreLeasedButAnyAddressHasItsBlock() {
        AddressBlocks blocks = new AddressBlocks(Ipv4Subnet.parse("10.0.8.0/24"), Ipv4Subnet.parse("10.0.8.128/25"));
        assertEquals(List.of("10.0.8.128/26", "10.0.8.192/26"), blocks.blocks().stream().map(Ipv4Subnet::toString).toList());
        assertEquals("10.0.8.0/26", blocks.blockOf(Ipv4.parse("10.0.8.10")).toString());
        AddressBlocks small = new AddressBlocks(Ipv4Subnet.parse("10.0.8.0/28"), Ipv4Subnet.parse("10.0.8.8/29"));
        assertEquals(List.of("10.0.8.0/28"), small.blocks().stream().map(Ipv4Subnet::toString).toList());
        assertEquals("10.0.8.0/28", small.blockOf(Ipv4.parse("10.0.8.3")).toString());
    }
}
