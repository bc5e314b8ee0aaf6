package io.netwharf.ipam;

import io.netwharf.protocol.model.NetwharfException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The addresses asked of a network, checked before anything is made. Pure code; no root. */
class PoolRequestTest {
    private record Refused(String subnet, String gateway, String ipRange, Map<String, String> auxiliary, String message) {}

    @Test
    void refusesWhatAPoolCouldNotTakeNamingIt() {
        String config = "invalid network config:\n";
        List<Refused> table = List.of(
                new Refused("0.0.0.0/1", null, null, Map.of(), "subnet 0.0.0.0/1 is too large for an address pool: the prefix length must be at least 8"),
                new Refused("10.0.0.0/31", null, null, Map.of(), "subnet 10.0.0.0/31 is too small: it needs room for a gateway and a container (at most /30)"),
                new Refused("224.0.0.0/24", null, null, Map.of(), "subnet 224.0.0.0/24 overlaps 224.0.0.0/4, reserved for multicast (RFC 5771): a network needs unicast addresses"),
                new Refused("127.0.0.0/8", null, null, Map.of(), "subnet 127.0.0.0/8 overlaps 127.0.0.0/8, reserved for loopback (RFC 1122): a network needs unicast addresses"),
                new Refused("10.0.0.1/24", null, null, Map.of(), "invalid subnet \"10.0.0.1/24\": host bits set; did you mean 10.0.0.0/24?"),
                new Refused(null, "10.0.0.1", null, Map.of(), "a gateway, ip-range or auxiliary address needs a subnet"),
                new Refused("10.0.0.0/24", "10.0.0.0", "10.0.0.0/16", Map.of("a", "10.1.0.1", "b", "10.0.0.255"), config
                        + "invalid ip-range 10.0.0.0/16: CIDR block is bigger than its parent subnet 10.0.0.0/24\n"
                        + "invalid gateway 10.0.0.0: it is the network address of subnet 10.0.0.0/24\n"
                        + "invalid auxiliary address a: parent subnet 10.0.0.0/24 doesn't contain this address\n"
                        + "invalid auxiliary address b: it is the broadcast address of subnet 10.0.0.0/24"),
                new Refused("10.0.0.0/24", null, null, Map.of("gw", "10.0.0.1"), config
                        + "invalid auxiliary address gw: 10.0.0.1 is the gateway of subnet 10.0.0.0/24"));
        for (Refused r : table) {
            NetwharfException e = assertThrows(NetwharfException.class, () -> PoolRequest.parse(r.subnet(), r.gateway(), r.ipRange(), r.auxiliary()),
                    r.toString());
            assertEquals(NetwharfException.Kind.BAD_PARAMETER, e.kind());
            assertEquals(r.message(), e.getMessage());
        }
    }

    @Test
    void whatItAcceptsAPoolTakes() {
        PoolRequest request = PoolRequest.parse("100.64.0.0/24", "100.64.0.254", "100.64.0.128/25", Map.of("router", "100.64.0.2"));
        AddressPool pool = new AddressPool(request.subnet(), request.gateway(), request.ipRange(), Set.copyOf(request.auxiliaryAddresses().values()));
        assertEquals(Ipv4.parse("100.64.0.128"), pool.allocate());
        assertEquals(new PoolRequest(null, null, null, Map.of()), PoolRequest.parse(null, null, null, Map.of()));
    }
}
