package io.netwharf.protocol.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Docker's network modes, parsed once: a table of spellings, what each allows, and the refusals. No root needed. */
class NetworkModeTest {
    @ParameterizedTest(name = "[{1}] \"{0}\"")
    @CsvSource(delimiter = '|', nullValues = "null", value = {
            // text           | parsed as       | written back   | joins networks | first network | connect refusal
            "''               | Bridge          | default        | true           | bridge        | null",
            "bridge           | Bridge          | bridge         | true           | bridge        | null",
            "default          | Bridge          | default        | true           | bridge        | null",
            "host             | Host            | host           | false          | null          | shared",
            "none             | None            | none           | false          | null          | none",
            "container:web    | Container       | container:web  | false          | null          | shared",
            "container:a:b    | Container       | container:a:b  | false          | null          | shared",
            "usernet          | Network         | usernet        | true           | usernet       | null",
            "Bridge           | Network         | Bridge         | true           | Bridge        | null",
            "containerx       | Network         | containerx     | true           | containerx    | null",
    })
    void parses(String text, String type, String written, boolean joins, String network, String refusal) {
        NetworkMode mode = NetworkMode.parse(text);
        assertEquals(type, mode.getClass().getSimpleName());
        assertEquals(written, mode.text());
        assertEquals(joins, mode.joinsNetworks());
        assertEquals(network, mode.network());
        NetwharfException refused = mode.connectRefusal();
        if (refusal == null) {
            assertNull(refused);
        } else {
            assertEquals(NetwharfException.Kind.BAD_PARAMETER, refused.kind());
            assertEquals(refusal.equals("shared") ? NetworkMode.SHARED_NAMESPACE_REFUSAL : NetworkMode.NONE_REFUSAL, refused.getMessage());
        }
    }

    @Test
    void nullIsTheDefaultNetworkAndAContainerModeMustNameAContainer() {
        // Written back as Docker shows a container created without a network: "default".
        assertEquals(NetworkMode.DEFAULT_MODE, NetworkMode.parse(null));
        NetwharfException e = assertThrows(NetwharfException.class, () -> NetworkMode.parse("container:"));
        assertEquals(NetwharfException.Kind.BAD_PARAMETER, e.kind());
        assertEquals("Invalid network mode: invalid container format container:<name|id>", e.getMessage());
        assertEquals(new NetworkMode.Container("web"), NetworkMode.parse("container:web"));
    }

    @Test
    void theDefaultNetworkRefusesStaticAddressesAndAliasesAsDockerDoes() {
        NetworkInfo bridge = network(true);
        NetworkInfo user = network(false);
        EndpointSpec address = EndpointSpec.staticAddress("10.0.0.9"); // inside both networks' subnet (10.0.0.0/24)
        EndpointSpec alias = new EndpointSpec(null, List.of("db"));
        assertEquals("user specified IP address is supported on user defined networks only",
                assertThrows(NetwharfException.class, () -> address.checkFor(bridge)).getMessage());
        assertEquals("network-scoped alias is supported only for containers in user defined networks",
                assertThrows(NetwharfException.class, () -> alias.checkFor(bridge)).getMessage());
        address.checkFor(user);
        alias.checkFor(user);
        EndpointSpec.DYNAMIC.checkFor(bridge);
    }

    private static NetworkInfo network(boolean isDefault) {
        return new NetworkInfo(Ids.newId(), isDefault ? "bridge" : "usernet", "bridge", "br0", "10.0.0.0/24", "10.0.0.1", null,
                1500, true, true, false, isDefault, java.util.Map.of(), java.util.Map.of(), java.time.Instant.now(), java.util.Map.of());
    }
}
