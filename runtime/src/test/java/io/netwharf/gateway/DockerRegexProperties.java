package io.netwharf.gateway;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The filters' regular expressions: Go's syntax and answers, and no expression, however nested its repetitions, costs
 * more than a bounded program: each either is refused in Go's words or compiles and matches, without an error
 * escaping (stack or heap exhausted), on a thread with half the usual stack.
 */
class DockerRegexProperties {
    @Test
    void goSyntaxAndMessages() {
        assertTrue(DockerRegex.compile("^/web[0-9]+$").find("/web12"));
        assertFalse(DockerRegex.compile("(.*a){12}b").find("a".repeat(30)));
        assertTrue(DockerRegex.compile("[[:alpha:]]+").find("x"));
        assertEquals("error parsing regexp: missing closing ): `(`",
                assertThrows(IllegalArgumentException.class, () -> DockerRegex.compile("(")).getMessage());
        assertEquals("error parsing regexp: invalid or unsupported Perl syntax: `(?=`",
                assertThrows(IllegalArgumentException.class, () -> DockerRegex.compile("(?=a)")).getMessage());
        assertEquals("error parsing regexp: invalid repeat count: `{1001}`",
                assertThrows(IllegalArgumentException.class, () -> DockerRegex.compile("a{1001}")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DockerRegex.compile("((a?){100}){30}b")).getMessage()
                .startsWith("error parsing regexp: expression too large"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DockerRegex.compile("(".repeat(1001) + ")".repeat(1001)))
                .getMessage().startsWith("error parsing regexp: expression nests too deeply"));
        // Deep programs within the bounds still work on an ordinary thread's stack.
        assertTrue(DockerRegex.compile("a{0,1000}b").find("a".repeat(64) + "b"));
        assertFalse(DockerRegex.compile("(a?){1000}b").find("a".repeat(64)));
        // Braces that are no repetition are literals, as in Go.
        assertTrue(DockerRegex.compile("a{x}").find("a{x}"));
    }

    @Property(tries = 300)
    void everyExpressionIsRefusedOrMatchesWithinBounds(@ForAll("expressions") String regex) throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread matcher = new Thread(null, () -> {
            try {
                DockerRegex r = DockerRegex.compile(regex);
                r.find("a".repeat(64));
                r.find("/" + "ab".repeat(32));
            } catch (IllegalArgumentException refused) {
                assertTrue(refused.getMessage().startsWith("error parsing regexp: "), refused.getMessage());
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "regex", 512 * 1024);
        matcher.start();
        matcher.join(30_000);
        assertFalse(matcher.isAlive(), regex + " ran for 30 s");
        if (failure.get() != null) {
            throw new AssertionError(regex + " failed", failure.get());
        }
    }

    @Provide
    Arbitrary<String> expressions() {
        return expression(4);
    }

    private static Arbitrary<String> expression(int depth) {
        Arbitrary<String> atom = Arbitraries.of("a", "b", ".", "[a-z]", "\\d", "", "a?", ".*", "[^b]+", "\\pL", "(?i)a");
        if (depth == 0) {
            return atom;
        }
        Arbitrary<String> inner = expression(depth - 1);
        Arbitrary<String> group = inner.map(e -> "(" + e + ")");
        Arbitrary<String> counted = Arbitraries.oneOf(group, atom).flatMap(e -> Arbitraries.of(1, 2, 10, 30, 100, 300, 1000)
                .flatMap(n -> Arbitraries.of("{" + n + "}", "{" + n + ",}", "{0," + n + "}", "?", "*", "+").map(op -> e + op)));
        Arbitrary<String> sequence = Arbitraries.oneOf(counted, inner).list().ofMinSize(1).ofMaxSize(3).map(l -> String.join("", l));
        Arbitrary<String> alternation = sequence.list().ofMinSize(1).ofMaxSize(3).map(l -> String.join("|", l));
        return Arbitraries.oneOf(atom, counted, sequence, alternation);
    }
}
