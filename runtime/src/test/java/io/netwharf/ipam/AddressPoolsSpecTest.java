package io.netwharf.ipam;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** dockerd's default address pools and its --default-address-pool syntax; how a pool base expands into candidates. */
class AddressPoolsSpecTest {

    @Test
    void parsesOneFlagValue() {
        assertEquals(new PoolBase(Ipv4Subnet.parse("172.17.0.0/16"), 16), AddressPoolsSpec.parse("base=172.17.0.0/16,size=16"));
        assertEquals(new PoolBase(Ipv4Subnet.parse("10.0.0.0/8"), 24), AddressPoolsSpec.parse("size=24,base=10.0.0.0/8"));
        assertEquals(new PoolBase(Ipv4Subnet.parse("10.0.0.0/8"), 24), AddressPoolsSpec.parse("Base=10.0.0.0/8,SIZE=24"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
            "base=172.17.0.0/16,size=8     | size 8 is smaller than the prefix length of base 172.17.0.0/16",
            "base=172.17.0.0/16,size=33    | size 33 is larger than 32",
            "base=172.17.0.0/16,size=100   | size 100 is larger than 32",
            "base=172.17.0.0/16,size=x     | size \"x\" is not a decimal number",
            "base=172.17.0.0/16,size=-1    | size \"-1\" is not a decimal number",
            "base=172.17.0.0/16,size=      | size \"\" is not a decimal number",
            "base=172.17.0.0/16,size=016   | size \"016\" has a leading zero",
            "base=172.17.0.0/16,sise=16    | unknown key \"sise\" (expected base or size)",
            "base=172.17.0.0/16            | missing size",
            "size=16                       | missing base",
            "base=172.17.0.0/16,size=16,size=20 | size given twice",
            "base=172.17.0.0/16,base=10.0.0.0/8,size=16 | base given twice",
            "base=172.17.0.0/16,size=16,   | field \"\" is not key=value",
            "172.17.0.0/16                 | field \"172.17.0.0/16\" is not key=value",
            "base=172.17.0.1/16,size=16    | base: invalid subnet \"172.17.0.1/16\": host bits set; did you mean 172.17.0.0/16?",
            "base=172.17.0.0,size=16       | base: invalid subnet \"172.17.0.0\": missing prefix length (as in /16)",
            "base=fd00::/8,size=16         | base: invalid subnet \"fd00::/8\": address: unexpected character 'f' at index 0",
    })
    void refusesBadValuesSayingWhy(String value, String problem) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AddressPoolsSpec.parse(value));
        assertEquals("invalid default address pool \"" + value + "\": " + problem, e.getMessage());
    }

    @Test
    void poolBaseRefusesASizeThatCannotCutTheBase() {
        assertEquals("invalid address pool: size 8 is smaller than the prefix length of base 172.17.0.0/16",
                assertThrows(IllegalArgumentException.class, () -> new PoolBase(Ipv4Subnet.parse("172.17.0.0/16"), 8)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PoolBase(Ipv4Subnet.parse("172.17.0.0/16"), 33));
    }

    @Test
    void dockerDefaultsAreTheFifteen172NetworksThenSixteenSlash20sOf192168() {
        List<PoolBase> pools = AddressPoolsSpec.dockerDefaults();
        List<String> candidates = pools.stream().flatMap(PoolBase::candidates).map(Ipv4Subnet::toString).toList();
        assertEquals(31, candidates.size());
        assertEquals("172.17.0.0/16", candidates.get(0));
        assertEquals("172.18.0.0/16", candidates.get(1));
        assertEquals("172.31.0.0/16", candidates.get(14));
        assertEquals("192.168.0.0/20", candidates.get(15));
        assertEquals("192.168.16.0/20", candidates.get(16));
        assertEquals("192.168.240.0/20", candidates.get(30));
        assertEquals("base=192.168.0.0/16,size=20", pools.get(15).toString());
    }

    @Test
    void largeBasesExpandLazily() {
        PoolBase whole = new PoolBase(Ipv4Subnet.parse("0.0.0.0/0"), 32);
        assertEquals(1L << 32, whole.candidateCount());
        assertEquals("255.255.255.255/32", whole.candidate(whole.candidateCount() - 1).toString());
        assertEquals(List.of("0.0.0.0/32", "0.0.0.1/32"), whole.candidates().limit(2).map(Ipv4Subnet::toString).toList());
        assertThrows(IndexOutOfBoundsException.class, () -> whole.candidate(1L << 32));
    }
}
