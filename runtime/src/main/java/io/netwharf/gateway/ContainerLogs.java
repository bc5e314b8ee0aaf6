package io.netwharf.gateway;

import io.netwharf.container.ContainerView;
import io.netwharf.protocol.model.NetwharfException;

import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /containers/{id}/logs} without follow: the process's output as Docker's multiplexed stream, one frame
 * per line, each behind an 8-byte header (stream: 1 stdout, 2 stderr; three zero bytes; the length, big-endian).
 * The two streams are kept in two files, so their lines come stdout first, then stderr: the order between them is
 * not kept, and {@code tail} counts lines per stream.
 */
final class ContainerLogs {
    private static final ContentType MULTIPLEXED =
            ContentTypes.create(MediaTypes.customBinary("application", "vnd.docker.multiplexed-stream", false));

    private ContainerLogs() {}

    static HttpResponse response(ContainerView container, Map<String, String> query) {
        if (ContainerRoutes.flag(query, "follow")) {
            throw NetwharfException.badParameter("netwharf does not follow logs: ask again without -f (follow)");
        }
        boolean stdout = ContainerRoutes.flag(query, "stdout");
        boolean stderr = ContainerRoutes.flag(query, "stderr");
        if (!stdout && !stderr) {
            throw NetwharfException.badParameter("Bad parameters: you must choose at least one stream");
        }
        int tail = tail(query.get("tail"));
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        if (stdout) {
            frame(frames, 1, lines(container.stdoutLog(), tail));
        }
        if (stderr) {
            frame(frames, 2, lines(container.stderrLog(), tail));
        }
        return HttpResponse.create().withStatus(StatusCodes.OK).withEntity(HttpEntities.create(MULTIPLEXED, frames.toByteArray()));
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

    /** The file's lines with their line ends, the last {@code tail} of them (all when negative). */
    private static List<byte[]> lines(Path file, int tail) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return List.of(); // never started, or no process
        } catch (IOException e) {
            throw NetwharfException.internal("read the log " + file + ": " + e.getMessage(), e);
        }
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                lines.add(java.util.Arrays.copyOfRange(bytes, start, i + 1));
                start = i + 1;
            }
        }
        if (start < bytes.length) {
            lines.add(java.util.Arrays.copyOfRange(bytes, start, bytes.length));
        }
        return tail < 0 || tail >= lines.size() ? lines : lines.subList(lines.size() - tail, lines.size());
    }

    private static void frame(ByteArrayOutputStream out, int stream, List<byte[]> lines) {
        for (byte[] line : lines) {
            out.writeBytes(ByteBuffer.allocate(8).put((byte) stream).put(new byte[3]).putInt(line.length).array());
            out.writeBytes(line);
        }
    }
}
