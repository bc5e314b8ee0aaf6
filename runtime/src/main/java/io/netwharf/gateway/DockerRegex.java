package io.netwharf.gateway;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * A regular expression of Docker's filters ({@code name}, {@code id}): Go's {@code regexp}, RE2 syntax, run by RE2/J in
 * time linear in the text. {@code java.util.regex} backtracks: {@code (.*a){12}b} against thirty {@code a}s took
 * seconds of CPU per container.
 *
 * <p>RE2/J has two limits Go's regexp does not: it builds the whole program in memory (Go refuses one over about 3.3
 * million instructions as "expression too large"; RE2/J runs out of heap on {@code ((a{1000}){1000}){1000}}) and it
 * compiles and follows empty transitions by recursion ({@code ((a?){100}){30}} overflows a thread's stack while
 * matching, {@code a{0,1000}} while compiling on a small stack). So an expression is refused, in Go's words, when a
 * conservative estimate of its program is over {@link #MAX_SIZE} instructions or its groups nest deeper than Go
 * allows (far more than any name filter needs), and a stack overflow while compiling or matching one (which leaves
 * nothing behind: RE2/J's state is per match) is a refusal too, never a fault of the daemon.
 */
final class DockerRegex {
    /** Instructions, estimated from the text: bounds the heap a program takes and the time a match takes. */
    static final int MAX_SIZE = 5_000;
    /** Go's own limit (regexp/syntax maxHeight). */
    static final int MAX_NESTING = 1_000;

    private final String text;
    private final Pattern pattern;

    private DockerRegex(String text, Pattern pattern) {
        this.text = text;
        this.pattern = pattern;
    }

    /**
     * Compiles {@code regex}.
     *
     * @throws IllegalArgumentException with Go's message ({@code error parsing regexp: ...}) when it is not a valid
     *                                  RE2 expression or is too large
     */
    static DockerRegex compile(String regex) {
        Estimate estimate = Estimate.of(regex);
        if (estimate.depth > MAX_NESTING) {
            throw new IllegalArgumentException("error parsing regexp: expression nests too deeply: `" + regex + "`");
        }
        if (estimate.size > MAX_SIZE) {
            throw tooLarge(regex);
        }
        try {
            return new DockerRegex(regex, Pattern.compile(regex));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (StackOverflowError e) {
            throw tooLarge(regex);
        }
    }

    /**
     * Whether the expression matches somewhere in {@code input}, as Go's {@code regexp.MatchString}.
     *
     * @throws IllegalArgumentException if matching overflowed the stack after all (see the class comment)
     */
    boolean find(String input) {
        try {
            return pattern.matcher(input).find();
        } catch (StackOverflowError e) {
            throw tooLarge(text);
        }
    }

    private static IllegalArgumentException tooLarge(String regex) {
        return new IllegalArgumentException("error parsing regexp: expression too large: `" + regex + "`");
    }

    @Override
    public String toString() {
        return text;
    }

    /**
     * An upper bound of the program's size and the depth of its groups, read from the text without parsing it fully:
     * every literal, class or escape counts one, a counted repetition multiplies what it repeats by its largest count
     * (plus one), and a group adds its capture instructions. Malformed text only needs a bound: RE2/J refuses it
     * afterwards.
     */
    private record Estimate(long size, int depth) {
        private static final long CAP = Long.MAX_VALUE / 2;

        static Estimate of(String regex) {
            long[] totals = new long[regex.length() + 2];
            int depth = 0;
            int deepest = 0;
            long last = 0;
            int i = 0;
            while (i < regex.length()) {
                char c = regex.charAt(i);
                int next = i + 1;
                long atom = 1;
                switch (c) {
                    case '\\' -> {
                        next = escapeEnd(regex, i);
                        atom = Math.max(1, next - i);
                    }
                    case '[' -> next = classEnd(regex, i);
                    case '(' -> {
                        totals[++depth] = 0;
                        deepest = Math.max(deepest, depth);
                        last = 0;
                        i = next;
                        continue;
                    }
                    case ')' -> {
                        if (depth > 0) {
                            atom = saturated(totals[depth--] + 2);
                        }
                    }
                    case '|' -> {
                        last = 0;
                        i = next;
                        continue;
                    }
                    case '*', '+', '?' -> {
                        totals[depth] = saturated(totals[depth] + 1);
                        last = saturated(last + 1);
                        i = next;
                        continue;
                    }
                    case '{' -> {
                        int[] count = repeat(regex, i);
                        if (count != null) {
                            long times = count[1] + 1L;
                            totals[depth] = saturated(totals[depth] + saturated(last * times));
                            last = saturated(last * (times + 1));
                            i = count[0];
                            continue;
                        }
                    }
                    default -> {
                    }
                }
                totals[depth] = saturated(totals[depth] + atom);
                last = atom;
                i = next;
            }
            long size = totals[depth];
            while (depth > 0) {
                size = saturated(size + totals[--depth]);
            }
            return new Estimate(size, deepest);
        }

        private static long saturated(long value) {
            return value < 0 || value > CAP ? CAP : value;
        }

        /** Past an escape: {@code \x}, {@code \pN}, {@code \p{Greek}}, {@code \x{10FFFF}}, {@code \Q...\E}. */
        private static int escapeEnd(String s, int i) {
            if (i + 1 >= s.length()) {
                return s.length();
            }
            char e = s.charAt(i + 1);
            if (e == 'Q') {
                int end = s.indexOf("\\E", i + 2);
                return end < 0 ? s.length() : end + 2;
            }
            if ((e == 'p' || e == 'P' || e == 'x') && i + 2 < s.length() && s.charAt(i + 2) == '{') {
                int end = s.indexOf('}', i + 3);
                return end < 0 ? s.length() : end + 1;
            }
            return i + 2;
        }

        /** Past a character class, {@code ]} first being a literal, {@code [:alpha:]} and escapes inside. */
        private static int classEnd(String s, int i) {
            int j = i + 1;
            if (j < s.length() && s.charAt(j) == '^') {
                j++;
            }
            if (j < s.length() && s.charAt(j) == ']') {
                j++;
            }
            while (j < s.length()) {
                char c = s.charAt(j);
                if (c == ']') {
                    return j + 1;
                }
                if (c == '\\') {
                    j = escapeEnd(s, j);
                } else if (c == '[' && j + 1 < s.length() && s.charAt(j + 1) == ':') {
                    int end = s.indexOf(":]", j + 2);
                    j = end < 0 ? j + 1 : end + 2;
                } else {
                    j++;
                }
            }
            return s.length();
        }

        /** {@code {n}}, {@code {n,}} or {@code {n,m}} at {@code i}: its end and largest count; else null (a literal). */
        private static int[] repeat(String s, int i) {
            int j = i + 1;
            long min = 0;
            long max;
            int digits = 0;
            while (j < s.length() && Character.isDigit(s.charAt(j)) && s.charAt(j) < 128) {
                min = Math.min(min * 10 + (s.charAt(j++) - '0'), Integer.MAX_VALUE);
                digits++;
            }
            if (digits == 0 || j >= s.length()) {
                return null;
            }
            max = min;
            if (s.charAt(j) == ',') {
                j++;
                long m = 0;
                int d = 0;
                while (j < s.length() && Character.isDigit(s.charAt(j)) && s.charAt(j) < 128) {
                    m = Math.min(m * 10 + (s.charAt(j++) - '0'), Integer.MAX_VALUE);
                    d++;
                }
                max = d == 0 ? min : Math.max(min, m);
            }
            if (j >= s.length() || s.charAt(j) != '}') {
                return null;
            }
            return new int[] {j + 1, (int) max};
        }
    }
}
