package io.netwharf.gateway;

import io.netwharf.container.ContainerLog;
import io.netwharf.container.ContainerView;
import io.netwharf.protocol.model.NetwharfException;

import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * {@code GET /containers/{id}/logs}: the container's json-file log ({@link ContainerLog}) as Docker's multiplexed
 * stream, one frame per entry behind an 8-byte header (stream: 1 stdout, 2 stderr; three zero bytes; the length,
 * big-endian), stdout and stderr in the order they were read. {@code follow} streams what the running process adds
 * until it exits; {@code timestamps} puts each entry's time (RFC 3339 with nanoseconds, as Docker) before it;
 * {@code since}/{@code until} keep the entries in that span (Docker's time forms, {@link DockerTime}); {@code tail}
 * counts entries of both streams from the end, before the other filters, as Docker's json-file reader does.
 */
final class ContainerLogs {
    static final ContentType MULTIPLEXED =
            ContentTypes.create(MediaTypes.customBinary("application", "vnd.docker.multiplexed-stream", false));
    /** Go's RFC3339Nano: nanoseconds without their trailing zeros. */
    private static final DateTimeFormatter RFC3339_NANO =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS").withZone(ZoneOffset.UTC);

    private ContainerLogs() {}

    static HttpResponse response(ContainerView container, Map<String, String> query) {
        boolean stdout = ContainerRoutes.flag(query, "stdout");
        boolean stderr = ContainerRoutes.flag(query, "stderr");
        if (!stdout && !stderr) {
            throw NetwharfException.badParameter("Bad parameters: you must choose at least one stream");
        }
        int tail = tail(query.get("tail"));
        Instant since = time(query.get("since"));
        Instant until = time(query.get("until"));
        boolean follow = ContainerRoutes.flag(query, "follow");
        boolean timestamps = ContainerRoutes.flag(query, "timestamps");
        Predicate<ContainerLog.Entry> kept = entry -> (entry.stream().equals("stdout") ? stdout : stderr)
                && (since == null || !entry.time().isBefore(since)) && (until == null || !entry.time().isAfter(until));
        ContainerLog log = container.log();
        Source<ByteString, NotUsed> frames = frames(follow ? log.follow(tail) : log.all(tail), kept, timestamps);
        if (follow && until != null) {
            // Docker stops following at until, whether or not anything was written since.
            Duration left = Duration.between(Instant.now(), until);
            frames = frames.takeWithin(left.isNegative() ? Duration.ZERO : left);
        }
        return HttpResponse.create().withStatus(StatusCodes.OK).withEntity(HttpEntities.createChunked(MULTIPLEXED, frames));
    }

    /** The reader's entries that {@code kept} keeps, each as a frame; the reader is closed when the stream ends. */
    static Source<ByteString, NotUsed> frames(ContainerLog.Reader reader, Predicate<ContainerLog.Entry> kept, boolean timestamps) {
        return Source.unfoldAsync(reader, r -> r.next().thenApply(entries -> entries.isEmpty() ? Optional.<Pair<ContainerLog.Reader,
                        List<ContainerLog.Entry>>>empty() : Optional.of(Pair.create(r, entries))))
                .mapConcat(entries -> entries)
                .filter(kept::test)
                .map(entry -> frame(entry, timestamps))
                .watchTermination((mat, done) -> {
                    done.whenComplete((ok, failure) -> reader.close());
                    return NotUsed.getInstance();
                });
    }

    /** One frame of {@code text} on {@code stream} ("stdout" or "stderr"). */
    static ByteString frame(String stream, String text) {
        return frame(new ContainerLog.Entry(stream, Instant.now(), text.getBytes(StandardCharsets.UTF_8)), false);
    }

    private static ByteString frame(ContainerLog.Entry entry, boolean timestamps) {
        byte[] prefix = timestamps ? (rfc3339Nano(entry.time()) + " ").getBytes(StandardCharsets.US_ASCII) : new byte[0];
        int length = prefix.length + entry.bytes().length;
        byte stream = (byte) (entry.stream().equals("stdout") ? 1 : 2);
        ByteBuffer frame = ByteBuffer.allocate(8 + length).put(stream).put(new byte[3]).putInt(length).put(prefix).put(entry.bytes());
        return ByteString.fromArrayUnsafe(frame.array());
    }

    static String rfc3339Nano(Instant time) {
        String text = RFC3339_NANO.format(time).replaceAll("0+$", "");
        return (text.endsWith(".") ? text.substring(0, text.length() - 1) : text) + "Z";
    }

    /** An absent or empty value, and Docker's "0", filter nothing. */
    private static Instant time(String value) {
        return value == null || value.isEmpty() || value.equals("0") ? null : DockerTime.until(value);
    }

    private static int tail(String tail) {
        if (tail == null || tail.isEmpty() || tail.equals("all")) {
            return -1;
        }
        try {
            return Math.max(0, Integer.parseInt(tail));
        } catch (NumberFormatException e) {
            throw NetwharfException.badParameter("invalid tail " + tail + ": a number of lines or \"all\"");
        }
    }
}
