package io.netwharf.protocol.netlink;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HardwareAddressTest {

    @Test
    void parsesAndFormatsColonSeparatedHex() {
        HardwareAddress mac = HardwareAddress.parse("02:42:AC:11:00:02");
        assertArrayEquals(new byte[] {0x02, 0x42, (byte) 0xac, 0x11, 0x00, 0x02}, mac.bytes());
        assertEquals("02:42:ac:11:00:02", mac.toString());
        assertEquals(6, mac.length());
        assertEquals(HardwareAddress.parse("02:42:ac:11:00:02"), mac);
        assertEquals(HardwareAddress.parse("02:42:ac:11:00:02").hashCode(), mac.hashCode());
    }

    @Test
    void isImmutable() {
        byte[] bytes = {1, 2, 3, 4, 5, 6};
        HardwareAddress mac = HardwareAddress.of(bytes);
        bytes[0] = 9;
        mac.bytes()[1] = 9;
        assertEquals("01:02:03:04:05:06", mac.toString());
    }

    @Property(tries = 500)
    void textRoundTrips(@ForAll @Size(min = 1, max = 32) byte[] bytes) {
        HardwareAddress mac = HardwareAddress.of(bytes);
        assertEquals(mac, HardwareAddress.parse(mac.toString()));
        assertArrayEquals(bytes, HardwareAddress.parse(mac.toString()).bytes());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "zz:00:00:00:00:00", "02-42-ac-11-00-02", "0242ac110002", "2:42:ac:11:0:2", "02:42:ac:11:00:", "02:42 :ac"})
    void badTextIsRejectedClearly(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HardwareAddress.parse(text));
        assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("not a MAC address"), e.getMessage());
    }
}
