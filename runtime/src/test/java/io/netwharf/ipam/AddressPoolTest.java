package io.netwharf.ipam;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** AddressPool on examples: what it hands out, in which order, and how it refuses. Random sequences: AddressPoolProperties. */
class AddressPoolTest {

    private static int ip(String text) {
        return Ipv4.parse(text);
    }

    private static Ipv4Subnet net(String text) {
        return Ipv4Subnet.parse(text);
    }

    private static List<String> drain(AddressPool pool) {
        List<String> handedOut = new ArrayList<>();
        while (true) {
            try {
                handedOut.add(Ipv4.format(pool.allocate()));
            } catch (PoolExhaustedException e) {
                return handedOut;
            }
        }
    }

    @Test
    void slash29HandsOutEveryUsableAddressButTheGatewayOnce() {
        AddressPool pool = new AddressPool(net("10.0.0.0/29"), ip("10.0.0.1"), null);
        assertEquals(5, pool.capacity());
        assertEquals(List.of("10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"), drain(pool));
        assertEquals(5, pool.inUseCount());
        PoolExhaustedException e = assertThrows(PoolExhaustedException.class, pool::allocate);
        assertEquals("no free address in subnet 10.0.0.0/29: all 5 allocatable addresses are in use", e.getMessage());
    }

    @Test
    void slash30HasOneAddressBesideTheGateway() {
        AddressPool pool = new AddressPool(net("10.0.0.4/30"), ip("10.0.0.6"), null);
        assertEquals(List.of("10.0.0.5"), drain(pool));
        assertEquals(1, pool.capacity());
    }

    @Test
    void ipRangeLimitsDynamicAllocation() {
        AddressPool pool = new AddressPool(net("172.19.0.0/24"), ip("172.19.0.1"), net("172.19.0.16/28"));
        List<String> handedOut = drain(pool);
        assertEquals(16, handedOut.size());
        assertEquals("172.19.0.16", handedOut.get(0));
        assertEquals("172.19.0.31", handedOut.get(15));
        assertEquals(253, pool.capacity());
        PoolExhaustedException e = assertThrows(PoolExhaustedException.class, pool::allocate);
        assertEquals("no free address in ip-range 172.19.0.16/28 of subnet 172.19.0.0/24: all 16 allocatable addresses are in use"
                + " (16 in use in the subnet)", e.getMessage());
    }

    @Test
    void ipRangeAtTheStartOfTheSubnetStillSkipsNetworkAddressAndGateway() {
        AddressPool pool = new AddressPool(net("172.19.0.0/24"), ip("172.19.0.1"), net("172.19.0.0/28"));
        List<String> handedOut = drain(pool);
        assertEquals(14, handedOut.size());
        assertEquals("172.19.0.2", handedOut.get(0));
    }

    @Test
    void staticAddressesMayLieOutsideTheIpRangeButInsideTheSubnet() {
        AddressPool pool = new AddressPool(net("172.19.0.0/24"), ip("172.19.0.1"), net("172.19.0.16/28"));
        assertEquals(ip("172.19.0.200"), pool.allocate(ip("172.19.0.200")));
        pool.allocate(ip("172.19.0.17"));
        assertTrue(pool.inUse(ip("172.19.0.200")));
        assertEquals("172.19.0.16", Ipv4.format(pool.allocate()));
        assertEquals("172.19.0.18", Ipv4.format(pool.allocate()), "skips the address taken statically");
        assertEquals(4, pool.inUseCount());
    }

    @Test
    void nextFitHandsOutARecentlyReleasedAddressOnlyAfterWrappingAround() {
        AddressPool pool = new AddressPool(net("10.0.0.0/29"), ip("10.0.0.1"), null);
        int a = pool.allocate();
        int b = pool.allocate();
        assertTrue(pool.release(a));
        assertFalse(pool.inUse(a));
        assertEquals(List.of("10.0.0.4", "10.0.0.5", "10.0.0.6", "10.0.0.2"), drain(pool));
        assertTrue(pool.release(b));
        assertEquals(b, pool.allocate(), "the only free address, found after wrapping");
    }

    @Test
    void staticRequestsThatCanNeverSucceedAreRefusedAndChangeNothing() {
        AddressPool pool = new AddressPool(net("172.19.0.0/16"), ip("172.19.0.1"), null);
        pool.allocate(ip("172.19.0.5"));
        assertRefused(pool, AddressConflictException.class, "172.19.0.5", "172.19.0.5 is already in use in 172.19.0.0/16");
        assertRefused(pool, IllegalArgumentException.class, "10.0.0.9", "10.0.0.9 is outside subnet 172.19.0.0/16");
        assertRefused(pool, IllegalArgumentException.class, "172.19.0.0", "172.19.0.0 is the network address of 172.19.0.0/16");
        assertRefused(pool, IllegalArgumentException.class, "172.19.255.255", "172.19.255.255 is the broadcast address of 172.19.0.0/16");
        assertRefused(pool, IllegalArgumentException.class, "172.19.0.1", "172.19.0.1 is the gateway of 172.19.0.0/16");
        assertEquals(1, pool.inUseCount());
        assertFalse(pool.inUse(ip("172.19.0.1")), "the gateway is reserved, not in use");
    }

    private static void assertRefused(AddressPool pool, Class<? extends IllegalArgumentException> type, String address, String message) {
        int before = pool.inUseCount();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pool.allocate(ip(address)));
        assertEquals(type, e.getClass());
        assertEquals(message, e.getMessage());
        assertEquals(before, pool.inUseCount());
    }

    @Test
    void releaseOfAnythingNotInUseIsANoOp() {
        AddressPool pool = new AddressPool(net("10.0.0.0/29"), ip("10.0.0.1"), null);
        assertFalse(pool.release(ip("10.0.0.2")), "never handed out");
        assertFalse(pool.release(ip("10.0.0.1")), "the gateway stays reserved");
        assertFalse(pool.release(ip("10.0.0.0")));
        assertFalse(pool.release(ip("192.168.0.2")), "outside the subnet");
        assertEquals(List.of("10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"), drain(pool));
    }

    /** Docker's auxiliary addresses: in use by something outside the network, so never handed out, and not in use. */
    @Test
    void auxiliaryAddressesAreNeverHandedOut() {
        AddressPool pool = new AddressPool(net("10.0.0.0/29"), ip("10.0.0.1"), null, Set.of(ip("10.0.0.3"), ip("10.0.0.5")));
        assertEquals(3, pool.capacity());
        assertFalse(pool.inUse(ip("10.0.0.3")), "reserved, not handed out");
        assertFalse(pool.release(ip("10.0.0.3")), "and it cannot be released");
        assertEquals("10.0.0.5 is an auxiliary address of 10.0.0.0/29",
                assertThrows(IllegalArgumentException.class, () -> pool.allocate(ip("10.0.0.5"))).getMessage());
        assertEquals(List.of("10.0.0.2", "10.0.0.4", "10.0.0.6"), drain(pool));
        assertEquals("no free address in subnet 10.0.0.0/29: all 3 allocatable addresses are in use",
                assertThrows(PoolExhaustedException.class, pool::allocate).getMessage());
        assertEquals("auxiliary address 10.0.0.1 is the gateway of 10.0.0.0/29",
                assertThrows(IllegalArgumentException.class,
                        () -> new AddressPool(net("10.0.0.0/29"), ip("10.0.0.1"), null, Set.of(ip("10.0.0.1")))).getMessage());
        assertEquals("auxiliary address 10.0.1.1 is outside subnet 10.0.0.0/29",
                assertThrows(IllegalArgumentException.class,
                        () -> new AddressPool(net("10.0.0.0/29"), ip("10.0.0.1"), null, Set.of(ip("10.0.1.1")))).getMessage());
    }

    @Test
    void refusesABadSetup() {
        assertEquals("gateway 10.1.0.1 is outside subnet 10.0.0.0/24",
                assertThrows(IllegalArgumentException.class, () -> new AddressPool(net("10.0.0.0/24"), ip("10.1.0.1"), null)).getMessage());
        assertEquals("gateway 10.0.0.0 is the network address of 10.0.0.0/24",
                assertThrows(IllegalArgumentException.class, () -> new AddressPool(net("10.0.0.0/24"), ip("10.0.0.0"), null)).getMessage());
        assertEquals("gateway 10.0.0.255 is the broadcast address of 10.0.0.0/24",
                assertThrows(IllegalArgumentException.class, () -> new AddressPool(net("10.0.0.0/24"), ip("10.0.0.255"), null)).getMessage());
        assertEquals("ip-range 10.0.0.0/23 is not inside subnet 10.0.0.0/24",
                assertThrows(IllegalArgumentException.class, () -> new AddressPool(net("10.0.0.0/24"), ip("10.0.0.1"), net("10.0.0.0/23"))).getMessage());
        assertEquals("subnet 10.0.0.0/7 is too large for an address pool: the prefix length must be at least 8",
                assertThrows(IllegalArgumentException.class, () -> new AddressPool(net("10.0.0.0/7"), ip("10.0.0.1"), null)).getMessage());
    }

    /** RFC 3021: a /31 has no network or broadcast address; with one end the gateway, the other is the only address. */
    @Test
    void slash31HandsOutTheEndThatIsNotTheGateway() {
        AddressPool pool = new AddressPool(net("10.0.0.0/31"), ip("10.0.0.0"), null);
        assertEquals(1, pool.capacity());
        assertEquals(List.of("10.0.0.1"), drain(pool));
    }

    @Test
    void slash32WhoseOnlyAddressIsTheGatewayHasNothingToHandOut() {
        AddressPool pool = new AddressPool(net("10.0.0.7/32"), ip("10.0.0.7"), null);
        assertEquals(0, pool.capacity());
        assertEquals("no free address in subnet 10.0.0.7/32: all 0 allocatable addresses are in use",
                assertThrows(PoolExhaustedException.class, pool::allocate).getMessage());
    }

    @Test
    void slash16HandsOutAll65533UsableAddresses() {
        Ipv4Subnet subnet = net("172.20.0.0/16");
        AddressPool pool = new AddressPool(subnet, ip("172.20.0.1"), null);
        BitSet seen = new BitSet(65_536);
        for (int i = 0; i < 65_533; i++) {
            int offset = pool.allocate() - subnet.network();
            assertFalse(seen.get(offset), "handed out twice");
            seen.set(offset);
        }
        assertEquals(65_533, pool.inUseCount());
        assertEquals(pool.capacity(), pool.inUseCount());
        assertFalse(seen.get(0) || seen.get(1) || seen.get(65_535), "network, gateway and broadcast stay out");
        assertThrows(PoolExhaustedException.class, pool::allocate);

        assertTrue(pool.release(ip("172.20.128.7")));
        assertEquals(ip("172.20.128.7"), pool.allocate(), "the only free address, however far from the cursor");
    }

    @Test
    void slash8AllocatesWithoutScanningWhatIsAlreadyTaken() {
        AddressPool pool = new AddressPool(net("10.0.0.0/8"), ip("10.0.0.1"), null);
        assertEquals((1 << 24) - 3, pool.capacity());
        int previous = pool.allocate();
        for (int i = 0; i < 200_000; i++) {
            int next = pool.allocate();
            assertEquals(previous + 1, next);
            previous = next;
        }
    }
}
