package io.netwharf.protocol.netlink;

import io.netwharf.protocol.rtnetlink.RtnetlinkArbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;
import java.net.UnknownHostException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** IpText.format writes IPv6 in RFC 5952's canonical form and leaves IPv4 alone. */
class IpTextTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "fd00:0:0:0:0:0:0:1,         fd00::1",
            "0:0:0:0:0:0:0:0,            ::",
            "0:0:0:0:0:0:0:1,            ::1",
            "1:0:0:0:0:0:0:0,            1::",
            "2001:db8:0:0:1:0:0:1,       2001:db8::1:0:0:1",      // two equal runs: the first is compressed
            "2001:db8:0:1:0:0:0:1,       2001:db8:0:1::1",        // the longest run wins
            "1:0:0:2:0:0:0:3,            1:0:0:2::3",
            "2001:db8:0:1:1:1:1:1,       2001:db8:0:1:1:1:1:1",   // a single zero group is not compressed
            "2001:0DB8:0000:0000:0000:0000:0000:00A1, 2001:db8::a1", // lower case, no leading zeros
            "fe80:0:0:0:ff:fe00:1:0,     fe80::ff:fe00:1:0",
            "0:0:1:0:0:0:0:0,            0:0:1::",
            "192.0.2.1,                  192.0.2.1",
            "0.0.0.0,                    0.0.0.0",
            "255.255.255.255,            255.255.255.255",
    })
    void formatsCanonically(String input, String expected) throws UnknownHostException {
        assertEquals(expected, IpText.format(InetAddress.getByName(input)));
    }

    private static byte[] asIpv6(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 16) {
            return b;
        }
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(b, 0, mapped, 12, 4);
        return mapped;
    }

    @Test
    void ipv4MappedIpv6IsWrittenWithItsDottedTail() throws UnknownHostException {
        byte[] b = new byte[16];
        b[10] = (byte) 0xff;
        b[11] = (byte) 0xff;
        b[12] = (byte) 192;
        b[15] = 1;
        assertEquals("::ffff:192.0.0.1", IpText.format(java.net.Inet6Address.getByAddress(null, b, -1)));
    }

    @Property(tries = 1000)
    void textParsesBackToTheSameAddress(@ForAll("addresses") InetAddress address) throws UnknownHostException {
        String text = IpText.format(address);
        // The JDK parses ::ffff:a.b.c.d to an IPv4 address, so compare the bytes of both as IPv6.
        assertEquals(java.util.HexFormat.of().formatHex(asIpv6(address)), java.util.HexFormat.of().formatHex(asIpv6(InetAddress.getByName(text))), text);
        if (address instanceof java.net.Inet4Address) {
            assertEquals(address.getHostAddress(), text, "IPv4 is left as the JDK writes it");
            return;
        }
        assertEquals(text, text.toLowerCase(), "lower case");
        assertFalse(text.contains(":::"), text);
        assertTrue(text.indexOf("::") == text.lastIndexOf("::"), "at most one '::' in " + text);
        for (String group : text.split(":")) {
            if (group.contains(".")) {
                continue; // the dotted IPv4 tail of an IPv4-mapped address
            }
            assertFalse(group.length() > 1 && group.startsWith("0"), "leading zero in " + text);
        }
    }

    @Provide
    Arbitrary<InetAddress> addresses() {
        return net.jqwik.api.Arbitraries.oneOf(RtnetlinkArbitraries.ipv6(), RtnetlinkArbitraries.ipv4());
    }
}
