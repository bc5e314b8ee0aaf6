package io.netwharf.gateway;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Timestamps as Docker's {@code until} filters take them (moby's {@code timetypes.GetTimestamp}): a Go duration back
 * from now, RFC 3339, or a Unix time in seconds with an optional fraction. Anything else, and numbers Go cannot hold
 * (an int64 of seconds, a duration over about 292 years), is refused with Docker's words:
 * {@code failed to parse value as time or duration: "x"}.
 */
final class DockerTime {
    private static final Pattern DURATION_PART = Pattern.compile("([0-9]*(?:\\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)");
    private static final Pattern UNIX = Pattern.compile("([+-]?[0-9]+)(?:\\.([0-9]+))?");
    private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Long.MAX_VALUE);

    private DockerTime() {}

    static Instant until(String text) {
        BigDecimal nanos = goDuration(text);
        if (nanos != null && !text.equals("0")) {
            return Instant.now().minusNanos(nanos.longValue());
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            // not RFC 3339
        }
        Matcher unix = UNIX.matcher(text);
        if (!text.contains("-") && unix.matches()) {
            Long seconds = int64(unix.group(1));
            Long fraction = unix.group(2) == null ? Long.valueOf(0) : int64(unix.group(2));
            if (seconds != null && fraction != null) {
                long nanosOfSecond = unix.group(2) == null ? 0
                        : (long) (fraction * Math.pow(10, 9 - unix.group(2).length()));
                return instant(seconds, nanosOfSecond);
            }
        }
        throw DockerApiException.badRequest("failed to parse value as time or duration: \"" + text + "\"");
    }

    /** Go's {@code time.ParseDuration} in nanoseconds, or null where Go refuses it (no unit, overflow, garbage). */
    private static BigDecimal goDuration(String text) {
        String s = text;
        int sign = 1;
        if (s.startsWith("-") || s.startsWith("+")) {
            sign = s.startsWith("-") ? -1 : 1;
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return BigDecimal.ZERO;
        }
        Matcher m = DURATION_PART.matcher(s);
        int end = 0;
        BigDecimal total = BigDecimal.ZERO;
        while (end < s.length() && m.find(end) && m.start() == end) {
            String number = m.group(1);
            if (number.isEmpty() || number.equals(".")) {
                return null;
            }
            BigDecimal n = new BigDecimal(number.endsWith(".") ? number + "0" : number.startsWith(".") ? "0" + number : number);
            total = total.add(n.multiply(BigDecimal.valueOf(switch (m.group(2)) {
                case "ns" -> 1L;
                case "us", "µs", "μs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            })));
            end = m.end();
        }
        if (end == 0 || end != s.length() || total.compareTo(MAX_NANOS) > 0) {
            return null;
        }
        return total.multiply(BigDecimal.valueOf(sign));
    }

    /** Go's {@code strconv.ParseInt(s, 10, 64)}: null when it does not fit. */
    private static Long int64(String digits) {
        BigInteger n = new BigInteger(digits.startsWith("+") ? digits.substring(1) : digits);
        return n.bitLength() < 64 ? n.longValue() : null;
    }

    /** Go's {@code time.Unix}, held within what an {@link Instant} can say (Go's range is wider, and as far off). */
    private static Instant instant(long seconds, long nanos) {
        if (seconds > Instant.MAX.getEpochSecond()) {
            return Instant.MAX;
        }
        if (seconds < Instant.MIN.getEpochSecond()) {
            return Instant.MIN;
        }
        return Instant.ofEpochSecond(seconds, nanos);
    }
}
