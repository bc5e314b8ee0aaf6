package io.netwharf.gateway;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Timestamps as Docker's {@code until} filters take them: a Unix time, RFC 3339, or a Go duration back from now. */
final class DockerTime {
    private static final Pattern DURATION = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ns|us|µs|ms|s|m|h)");
    private static final Pattern UNIX = Pattern.compile("[0-9]+(\\.[0-9]+)?");

    private DockerTime() {}

    static Instant until(String text) {
        if (UNIX.matcher(text).matches()) {
            BigDecimal seconds = new BigDecimal(text);
            return Instant.ofEpochSecond(seconds.longValue(), seconds.remainder(BigDecimal.ONE).movePointRight(9).longValue());
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            // not RFC 3339
        }
        Matcher m = DURATION.matcher(text);
        int end = 0;
        double nanos = 0;
        while (m.find() && m.start() == end) {
            double n = Double.parseDouble(m.group(1));
            nanos += n * switch (m.group(2)) {
                case "ns" -> 1;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            end = m.end();
        }
        if (end == 0 || end != text.length()) {
            throw DockerApiException.badRequest("invalid filter 'until=" + text + "': not a timestamp or a duration");
        }
        return Instant.now().minus(Duration.ofNanos((long) nanos));
    }
}
