package io.netwharf.ipam;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ipv4Subnet parses CIDR text strictly and answers containment and overlap questions. */
class Ipv4SubnetTest {

    @Test
    void parsesCidrText() {
        Ipv4Subnet s = Ipv4Subnet.parse("172.17.0.0/16");
        assertEquals(Ipv4.parse("172.17.0.0"), s.network());
        assertEquals(16, s.prefixLength());
        assertEquals(65_536, s.size());
        assertEquals(0xFFFF0000, s.mask());
        assertEquals("172.17.255.255", Ipv4.format(s.broadcast()));
        assertEquals("172.17.0.1", Ipv4.format(s.firstUsable()));
        assertEquals("172.17.255.254", Ipv4.format(s.lastUsable()));
        assertEquals(65_534, s.usableCount());
        assertEquals("172.17.0.0/16", s.toString());
        assertEquals(s, Ipv4Subnet.of(0xAC110000, 16));
    }

    @Test
    void extremesOfThePrefixLength() {
        Ipv4Subnet all = Ipv4Subnet.parse("0.0.0.0/0");
        assertEquals(1L << 32, all.size());
        assertEquals(0, all.mask());
        assertTrue(all.contains(Ipv4.parse("255.255.255.255")));
        assertEquals(-1, all.broadcast());

        Ipv4Subnet one = Ipv4Subnet.parse("10.1.2.3/32");
        assertEquals(1, one.size());
        assertEquals(one.network(), one.firstUsable());
        assertEquals(one.network(), one.lastUsable());
        assertEquals(1, one.usableCount());
    }

    @Test
    void pointToPointSlash31HasTwoUsableAddresses() {
        Ipv4Subnet p2p = Ipv4Subnet.parse("10.0.0.4/31");
        assertEquals("10.0.0.4", Ipv4.format(p2p.firstUsable()));
        assertEquals("10.0.0.5", Ipv4.format(p2p.lastUsable()));
        assertEquals(2, p2p.usableCount());
        Ipv4Subnet slash30 = Ipv4Subnet.parse("10.0.0.4/30");
        assertEquals("10.0.0.5", Ipv4.format(slash30.firstUsable()));
        assertEquals("10.0.0.6", Ipv4.format(slash30.lastUsable()));
        assertEquals(2, slash30.usableCount());
    }

    @Test
    void containingMasksAnInterfaceAddress() {
        assertEquals(Ipv4Subnet.parse("172.18.0.0/16"), Ipv4Subnet.containing(Ipv4.parse("172.18.0.1"), 16));
        assertEquals(Ipv4Subnet.parse("172.18.0.1/32"), Ipv4Subnet.containing(Ipv4.parse("172.18.0.1"), 32));
        assertEquals(Ipv4Subnet.parse("0.0.0.0/0"), Ipv4Subnet.containing(Ipv4.parse("172.18.0.1"), 0));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
            "10.0.0.0/33        | prefix length must be 0..32",
            "10.0.0.0/99999999999 | prefix length must be 0..32",
            "10.0.0.0           | missing prefix length (as in /16)",
            "10.0.0.0/          | missing prefix length after '/'",
            "10.0.0.0/-1        | prefix length \"-1\" is not a decimal number",
            "10.0.0.0/+8        | prefix length \"+8\" is not a decimal number",
            "10.0.0.0/8/8       | prefix length \"8/8\" is not a decimal number",
            "10.0.0.0/ 8        | prefix length \" 8\" is not a decimal number",
            "10.0.0.0/08        | prefix length \"08\" has a leading zero",
            "172.17.0.1/16      | host bits set; did you mean 172.17.0.0/16?",
            "10.0.0.1/0         | host bits set; did you mean 0.0.0.0/0?",
            "10.0.0.0/8x        | prefix length \"8x\" is not a decimal number",
            "10.0.0/8           | address: expected four octets separated by dots, found 3",
            "10.0.0.256/8       | address: octet \"256\" is out of range 0..255",
            "010.0.0.0/8        | address: octet \"010\" has a leading zero",
            "/8                 | address: empty",
            "10.0.0.0 /8        | address: leading or trailing whitespace",
            "10.0.0.x/8         | address: unexpected character 'x' at index 7",
            "''                 | missing prefix length (as in /16)",
    })
    void refusesMalformedTextNamingItAndTheProblem(String text, String problem) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ipv4Subnet.parse(text));
        assertEquals("invalid subnet \"" + text + "\": " + problem, e.getMessage());
    }

    @Test
    void refusesSurroundingWhitespace() {
        for (String text : new String[] {" 10.0.0.0/8", "10.0.0.0/8 ", "10.0.0.0/8\n", "\t10.0.0.0"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ipv4Subnet.parse(text));
            assertEquals("invalid subnet \"" + text + "\": leading or trailing whitespace", e.getMessage());
        }
    }

    @Test
    void ofRefusesWhatParseRefuses() {
        assertEquals("invalid subnet \"172.17.0.1/16\": host bits set; did you mean 172.17.0.0/16?",
                assertThrows(IllegalArgumentException.class, () -> Ipv4Subnet.of(Ipv4.parse("172.17.0.1"), 16)).getMessage());
        assertEquals("invalid subnet \"10.0.0.0/33\": prefix length must be 0..32",
                assertThrows(IllegalArgumentException.class, () -> Ipv4Subnet.of(Ipv4.parse("10.0.0.0"), 33)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Ipv4Subnet.of(0, -1));
    }

    @Property(tries = 2000)
    void textRoundTrips(@ForAll("subnets") Ipv4Subnet subnet) {
        assertEquals(subnet, Ipv4Subnet.parse(subnet.toString()));
    }

    @Property(tries = 2000)
    void hostBitsAreNeverAccepted(@ForAll int address, @ForAll @IntRange(max = 32) int prefixLength) {
        Ipv4Subnet masked = Ipv4Subnet.containing(address, prefixLength);
        String text = Ipv4.format(address) + "/" + prefixLength;
        if (masked.network() == address) {
            assertEquals(masked, Ipv4Subnet.parse(text));
        } else {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ipv4Subnet.parse(text));
            assertTrue(e.getMessage().endsWith("did you mean " + masked + "?"), e.getMessage());
        }
    }

    @Property(tries = 2000)
    void containsAgreesWithArithmetic(@ForAll("subnets") Ipv4Subnet subnet, @ForAll int address) {
        long a = Integer.toUnsignedLong(address);
        long first = Integer.toUnsignedLong(subnet.network());
        assertEquals(a >= first && a < first + subnet.size(), subnet.contains(address));
        assertTrue(subnet.contains(subnet.network()));
        assertTrue(subnet.contains(subnet.broadcast()));
        assertEquals(first + subnet.size() - 1, Integer.toUnsignedLong(subnet.broadcast()));
    }

    /** Brute force: two address ranges share an address exactly when each starts before the other ends. */
    @Property(tries = 5000)
    void overlapsIsSymmetricAndMeansSharingAnAddress(@ForAll("nearbySubnets") Ipv4Subnet a, @ForAll("nearbySubnets") Ipv4Subnet b) {
        long aFirst = Integer.toUnsignedLong(a.network());
        long aLast = aFirst + a.size() - 1;
        long bFirst = Integer.toUnsignedLong(b.network());
        long bLast = bFirst + b.size() - 1;
        boolean shareAnAddress = aFirst <= bLast && bFirst <= aLast;
        assertEquals(shareAnAddress, a.overlaps(b), a + " vs " + b);
        assertEquals(a.overlaps(b), b.overlaps(a), "symmetric");
        assertEquals(aFirst <= bFirst && bLast <= aLast, a.contains(b), a + " contains " + b);
        if (a.contains(b) && b.contains(a)) {
            assertEquals(a, b);
        }
    }

    @Test
    void overlapExamples() {
        Ipv4Subnet docker = Ipv4Subnet.parse("172.17.0.0/16");
        assertTrue(docker.overlaps(Ipv4Subnet.parse("172.17.5.0/24")));
        assertTrue(docker.overlaps(Ipv4Subnet.parse("172.16.0.0/12")));
        assertTrue(docker.overlaps(Ipv4Subnet.parse("0.0.0.0/0")));
        assertFalse(docker.overlaps(Ipv4Subnet.parse("172.18.0.0/16")));
        assertFalse(docker.overlaps(Ipv4Subnet.parse("10.0.0.0/8")));
    }

    @Provide
    Arbitrary<Ipv4Subnet> subnets() {
        return Combinators.combine(Arbitraries.integers(), Arbitraries.integers().between(0, 32))
                .as(Ipv4Subnet::containing);
    }

    /** Subnets inside 10.0.0.0/8 with prefixes near each other, so that overlaps are common and not only nesting in /0. */
    @Provide
    Arbitrary<Ipv4Subnet> nearbySubnets() {
        return Combinators.combine(Arbitraries.integers().between(0, 0xFFFF), Arbitraries.integers().between(6, 32))
                .as((low, prefix) -> Ipv4Subnet.containing(0x0A000000 | low << 8 | low & 0xff, prefix));
    }
}
