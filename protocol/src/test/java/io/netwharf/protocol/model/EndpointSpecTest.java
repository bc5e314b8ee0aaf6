package io.netwharf.protocol.model;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What an endpoint's static address and MAC may be, checked before anything is made; pure. */
class EndpointSpecTest {
    private static String dotted(long address) {
        return (address >>> 24 & 0xff) + "." + (address >>> 16 & 0xff) + "." + (address >>> 8 & 0xff) + "." + (address & 0xff);
    }

    private static NetworkInfo network(String subnet, String gateway) {
        return new NetworkInfo(Ids.newId(), "n1", "bridge", "br0", subnet, gateway, null, 1500, true, true, false, false,
                Map.of(), Map.of(), Instant.now(), Map.of());
    }

    private static String refusal(EndpointSpec spec, NetworkInfo network) {
        return assertThrows(NetwharfException.class, () -> spec.checkFor(network)).getMessage();
    }

    @Test
    void malformedAddressesAndMacsAreRefusedInDockersWords() {
        for (String bad : List.of("x", "::1", "10.97.0.300", "010.97.0.5", "10.97.0", "10.97.0.5.1", " 10.97.0.5", "0.0.0.0", "1e1.0.0.1")) {
            assertEquals("invalid IPv4 address: " + bad, assertThrows(NetwharfException.class,
                    () -> EndpointSpec.staticAddress(bad).validate()).getMessage());
        }
        for (String bad : List.of("zz", "02:42:ac:11:00", "02-42-ac-11-00-02", "02:42:ac:11:00:02:03", "0242.ac11.0002")) {
            assertEquals("invalid MAC address " + bad, assertThrows(NetwharfException.class,
                    () -> new EndpointSpec(null, List.of(), bad, null, false).validate()).getMessage());
        }
        for (String unusable : List.of("01:00:5e:00:00:01", "ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00")) {
            assertThrows(NetwharfException.class, () -> new EndpointSpec(null, List.of(), unusable, null, false).validate());
        }
        new EndpointSpec("10.97.0.5", List.of(), "02:42:AC:11:00:02", null, false).validate();
    }

    @Test
    void theGatewayAndTheNetworkAndBroadcastAddressesAreNoEndpointsAddress() {
        NetworkInfo n1 = network("10.97.0.0/24", "10.97.0.1");
        assertEquals("10.97.0.1 is the gateway of 10.97.0.0/24", refusal(EndpointSpec.staticAddress("10.97.0.1"), n1));
        assertEquals("10.97.0.0 is the network address of 10.97.0.0/24", refusal(EndpointSpec.staticAddress("10.97.0.0"), n1));
        assertEquals("10.97.0.255 is the broadcast address of 10.97.0.0/24", refusal(EndpointSpec.staticAddress("10.97.0.255"), n1));
        assertEquals("no configured subnet or ip-range contain the IP address 10.97.1.5", refusal(EndpointSpec.staticAddress("10.97.1.5"), n1));
        EndpointSpec.staticAddress("10.97.0.254").checkFor(n1);
        // A /31 has neither a network nor a broadcast address (RFC 3021).
        EndpointSpec.staticAddress("10.98.0.0").checkFor(network("10.98.0.0/31", "10.98.0.1"));
    }

    @Property(tries = 2000)
    void anAddressIsTakenExactlyWhenItIsAUsableAddressOfTheSubnetOtherThanTheGateway(
            @ForAll @IntRange(min = 8, max = 30) int prefix, @ForAll int networkSeed, @ForAll int addressSeed, @ForAll boolean inside) {
        long mask = (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
        long base = (networkSeed & 0xFFFFFFFFL) & mask;
        long address = inside ? base | (addressSeed & 0xFFFFFFFFL & ~mask) : addressSeed & 0xFFFFFFFFL;
        long gateway = base + 1;
        boolean usable = (address & mask) == base && address != base && address != (base | ~mask & 0xFFFFFFFFL)
                && address != gateway && address != 0;
        EndpointSpec spec = EndpointSpec.staticAddress(dotted(address));
        NetworkInfo network = network(dotted(base) + "/" + prefix, dotted(gateway));
        if (usable) {
            spec.checkFor(network);
        } else {
            assertThrows(NetwharfException.class, () -> spec.checkFor(network));
        }
    }
}
