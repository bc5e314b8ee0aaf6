package io.netwharf.gateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** dockerd's -H values: what is taken, what is refused, and that refusals name the value. */
class ListenAddressTest {

    @Test
    void parsesUnixSockets() {
        assertEquals(new ListenAddress.Unix(Path.of("/run/netwharf/netwharf.sock")), ListenAddress.parse("unix:///run/netwharf/netwharf.sock"));
        assertEquals(new ListenAddress.Unix(Path.of("/tmp/x.sock")), ListenAddress.parse("unix:///tmp/./x.sock"));
        assertEquals(ListenAddress.defaultAddress(), ListenAddress.parse("unix://"));
        assertEquals("unix:///run/netwharf/netwharf.sock", ListenAddress.defaultAddress().toString());
    }

    @Test
    void parsesTcpAddresses() {
        assertEquals(new ListenAddress.Tcp("127.0.0.1", 2376), ListenAddress.parse("tcp://127.0.0.1:2376"));
        assertEquals(new ListenAddress.Tcp("0.0.0.0", 2375), ListenAddress.parse("tcp://0.0.0.0"));
        assertEquals(new ListenAddress.Tcp("localhost", 2375), ListenAddress.parse("tcp://localhost"));
        assertEquals(new ListenAddress.Tcp("127.0.0.1", 0), ListenAddress.parse("tcp://127.0.0.1:0"));
        assertEquals(new ListenAddress.Tcp("::1", 2375), ListenAddress.parse("tcp://[::1]:2375"));
        assertEquals("tcp://[::1]:2375", ListenAddress.parse("tcp://[::1]").toString());
        assertEquals("tcp://127.0.0.1:2376", ListenAddress.parse("tcp://127.0.0.1:2376").toString());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
            "fd://                      | fd:// is not supported",
            "ssh://me@host              | ssh:// is not supported",
            "npipe:////./pipe/docker    | npipe:// is not supported",
            "/run/netwharf/netwharf.sock| expected unix:///path/to.sock or tcp://host:port",
            "unix://relative.sock       | must be absolute",
            "tcp://127.0.0.1:http       | expected tcp://host:port",
            "tcp://127.0.0.1:65536      | port 65536 out of range",
            "tcp://127.0.0.1:-1         | expected tcp://host:port",
            "tcp://127.0.0.1:           | empty port",
            "tcp://:2375                | expected tcp://host:port",
            "tcp://127.0.0.1:2375/path  | nothing after the port",
            "udp://127.0.0.1:2375       | unknown scheme udp://",
    })
    void refusesOthersNamingTheValue(String value, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse(value));
        assertTrue(e.getMessage().contains("\"" + value + "\""), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void refusesEmpty() {
        assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse(""));
        assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse(null));
    }
}
