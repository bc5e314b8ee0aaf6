package io.netwharf.ipam;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.Inet4Address;
import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ipv4 converts between int, dotted text and Inet4Address, and parses strictly. */
class Ipv4Test {

    @Test
    void parsesAndFormatsInNetworkByteOrder() {
        assertEquals(0xAC110001, Ipv4.parse("172.17.0.1"));
        assertEquals(0, Ipv4.parse("0.0.0.0"));
        assertEquals(-1, Ipv4.parse("255.255.255.255"));
        assertEquals("172.17.0.1", Ipv4.format(0xAC110001));
        assertEquals("255.255.255.255", Ipv4.format(-1));
    }

    @Property(tries = 2000)
    void textRoundTrips(@ForAll int address) {
        assertEquals(address, Ipv4.parse(Ipv4.format(address)));
    }

    @Property(tries = 2000)
    void inetRoundTripsAndAgreesWithTheJdk(@ForAll int address) throws Exception {
        Inet4Address inet = Ipv4.toInet(address);
        assertEquals(address, Ipv4.fromInet(inet));
        assertEquals(Ipv4.format(address), inet.getHostAddress());
        // A literal never makes the JDK look anything up.
        assertEquals(inet, InetAddress.getByName(Ipv4.format(address)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3", "1.2.3.4.5", "1.2.3.", ".1.2.3", "1..2.3", "256.0.0.1", "1.2.3.1000",
            "01.2.3.4", "1.2.3.00", " 1.2.3.4", "1.2.3.4 ", "1.2. 3.4", "1.2.3.4/8", "a.b.c.d", "localhost", "-1.2.3.4",
            "+1.2.3.4", "0x1.2.3.4", "1.2.3.99999999999", "١.2.3.4", "1.2.3.4\n"})
    void refusesMalformedTextNamingIt(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ipv4.parse(text));
        assertTrue(e.getMessage().startsWith("invalid IPv4 address \"" + text + "\": "), e.getMessage());
    }

    @Test
    void saysWhatIsWrong() {
        assertEquals("invalid IPv4 address \"1.2.3\": expected four octets separated by dots, found 3", message("1.2.3"));
        assertEquals("invalid IPv4 address \"1.2.3.256\": octet \"256\" is out of range 0..255", message("1.2.3.256"));
        assertEquals("invalid IPv4 address \"10.0.0.010\": octet \"010\" has a leading zero", message("10.0.0.010"));
        assertEquals("invalid IPv4 address \"1..2.3\": empty octet", message("1..2.3"));
        assertEquals("invalid IPv4 address \" 1.2.3.4\": leading or trailing whitespace", message(" 1.2.3.4"));
        assertEquals("invalid IPv4 address \"example.com\": unexpected character 'e' at index 0", message("example.com"));
        assertEquals("invalid IPv4 address \"1.2\t.3.4\": unexpected character U+0009 at index 3", message("1.2\t.3.4"));
    }

    private static String message(String text) {
        return assertThrows(IllegalArgumentException.class, () -> Ipv4.parse(text)).getMessage();
    }
}
