package io.netwharf.protocol.model;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Docker's lookup rules, as a table: full id, then exact name, then unique id prefix. No root needed. */
class ResolverTest {
    private record Thing(String id, String name) {}

    private static final String A = "abc1230000000000000000000000000000000000000000000000000000000001";
    private static final String B = "abc4560000000000000000000000000000000000000000000000000000000002";
    private static final String C = "def7890000000000000000000000000000000000000000000000000000000003";
    /** "abc4" is a name here, and also a prefix of B's id: the name wins, as in Docker. "def789" is also C's prefix. */
    private static final List<Thing> THINGS = List.of(new Thing(A, "web"), new Thing(B, "db"), new Thing(C, "abc4"),
            new Thing("9990000000000000000000000000000000000000000000000000000000000004", "twin"),
            new Thing("8880000000000000000000000000000000000000000000000000000000000005", "twin"),
            new Thing("7770000000000000000000000000000000000000000000000000000000000006", A));

    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            // kind      | reference | found (an id) or the refusal's kind and message
            "NETWORK     | " + A + " | " + A,                  // a full id beats a name equal to it
            "NETWORK     | web       | " + A,
            "NETWORK     | abc1      | " + A,
            "NETWORK     | abc4      | " + C,                  // a name that is also an id prefix of another
            "NETWORK     | def       | " + C,
            "NETWORK     | abc       | BAD_PARAMETER:network abc is ambiguous (2 matches found based on ID prefix)",
            "NETWORK     | twin      | BAD_PARAMETER:network twin is ambiguous (2 matches found on name)",
            "NETWORK     | nosuch    | NOT_FOUND:network nosuch not found",
            "NETWORK     | /web      | NOT_FOUND:network /web not found",
            "NETWORK     | ''        | BAD_PARAMETER:No network name or ID supplied",
            "CONTAINER   | " + A + " | " + A,
            "CONTAINER   | web       | " + A,
            "CONTAINER   | /web      | " + A,                  // Docker's leading slash
            "CONTAINER   | abc4      | " + C,
            "CONTAINER   | abc       | BAD_PARAMETER:multiple IDs found with provided prefix: abc",
            "CONTAINER   | nosuch    | NOT_FOUND:No such container: nosuch",
            "CONTAINER   | /nosuch   | NOT_FOUND:No such container: /nosuch",
            "CONTAINER   | ''        | BAD_PARAMETER:No container name or ID supplied",
    })
    void resolves(Resolver.Kind kind, String reference, String expected) {
        Resolver<Thing> resolver = kind == Resolver.Kind.NETWORK ? Resolver.networks() : Resolver.containers();
        if (!expected.contains(":")) {
            assertEquals(expected, resolver.resolve(reference, THINGS, Thing::id, Thing::name).id());
            return;
        }
        NetwharfException e = assertThrows(NetwharfException.class, () -> resolver.resolve(reference, THINGS, Thing::id, Thing::name));
        assertEquals(expected, e.kind() + ":" + e.getMessage());
    }
}
