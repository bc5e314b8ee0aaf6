package io.netwharf.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netwharf.kernel.OutputPump;
import io.netwharf.kernel.ProcessStdio;
import io.netwharf.kernel.StdinPipe;
import io.netwharf.protocol.model.NetwharfException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A container's output as Docker's json-file driver keeps it: one file, one JSON object per line
 * ({@code {"log":"hi\n","stream":"stdout","time":"2026-12-05T11:00:00.123456789Z"}}), stdout and stderr in the order
 * the daemon read them, each stamped when read. Written by the {@link OutputPump}'s thread from the process's pipes;
 * read by {@code docker logs} (with or without follow) and by attach, which is a follow from the end.
 *
 * <p>A write is one entry per line; a piece without its line end (a prompt, a flush mid-line) is written at once as
 * an entry of its own, so that a follower sees it without waiting for the rest: the entries' texts put together are
 * always the bytes written. Bytes that are not UTF-8 are replaced, as in Docker's json-file.
 *
 * <p>A run is one process's life: from just before its spawn to the end of both its pipes (or its exit, when children
 * it left hold them). Followers end with the run they follow.
 */
public final class ContainerLog {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerLog.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Docker's json-file splits lines longer than this into several entries. */
    private static final int MAX_ENTRY = 16 * 1024;

    /** One entry: its stream ("stdout" or "stderr"), when it was read and its bytes. */
    public record Entry(String stream, Instant time, byte[] bytes) {}

    private final Path file;
    private final Path directory;
    private final Object lock = new Object();
    private FileChannel writer; // guarded by lock
    private volatile long size;
    private CompletableFuture<Void> grown = new CompletableFuture<>(); // guarded by lock
    private Run current; // guarded by lock: the run under way, or the last one
    private CompletableFuture<Run> nextRun = new CompletableFuture<>(); // guarded by lock
    private boolean removed; // guarded by lock: the last bytes a killed process left are not written back

    ContainerLog(Path directory, String containerId) {
        this.directory = directory;
        this.file = directory.resolve(containerId + "-json.log");
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            size = 0;
        } catch (IOException e) {
            throw NetwharfException.internal("read the log " + file + ": " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    /**
     * One process's stdio: its pipes, read into this log, and its stdin when it has one. Made before the spawn
     * ({@link #startRun}); {@link #processExited} or {@link #abandon} end it.
     */
    public final class Run {
        private final CompletableFuture<Void> ended = new CompletableFuture<>();
        private final AtomicInteger open = new AtomicInteger(2);
        private final StdinPipe stdin;
        private OutputPump.Pipe stdout;
        private OutputPump.Pipe stderr;

        private Run(StdinPipe stdin) {
            this.stdin = stdin;
        }

        /** The descriptors to give the process. */
        ProcessStdio stdio() {
            return ProcessStdio.pipes(stdin == null ? null : stdinFifo(), stdoutFifo(), stderrFifo());
        }

        /** The process's stdin, when it was created with one open ({@code -i}); null otherwise. */
        public StdinPipe stdin() {
            return stdin;
        }

        public CompletionStage<Void> ended() {
            return ended;
        }

        /** The process exited: what its pipes hold now is the last of its output, even if its children keep them. */
        void processExited() {
            stdout.drainAndEnd();
            stderr.drainAndEnd();
            if (stdin != null) {
                stdin.close();
            }
        }

        /** The process did not start. */
        void abandon() {
            stdout.close();
            stderr.close();
            if (stdin != null) {
                stdin.close();
            }
        }

        private OutputPump.Sink sink(String stream) {
            return new OutputPump.Sink() {
                @Override
                public void data(ByteBuffer bytes) {
                    append(stream, bytes);
                }

                @Override
                public void end() {
                    if (open.decrementAndGet() == 0) {
                        ended.complete(null);
                    }
                }
            };
        }
    }

    /**
     * Opens the pipes of a new run, and its stdin pipe when {@code openStdin} (never for a process adopted after a
     * restart: its stdin went with the daemon that started it); {@link #launched} once the process runs.
     */
    Run startRun(OutputPump pump, boolean openStdin) {
        StdinPipe stdin = openStdin ? StdinPipe.open(stdinFifo()) : null;
        Run run = new Run(stdin);
        try {
            run.stdout = pump.open(stdoutFifo(), run.sink("stdout"));
            run.stderr = pump.open(stderrFifo(), run.sink("stderr"));
        } catch (RuntimeException e) {
            if (run.stdout != null) {
                run.stdout.close();
            }
            if (stdin != null) {
                stdin.close();
            }
            throw e;
        }
        return run;
    }

    /**
     * The run's process was spawned: attach sees it from now on. Not before: a client's input that ends at once would
     * otherwise close the stdin pipe before the child opened it, and the child's open would wait for a writer forever.
     */
    void launched(Run run) {
        CompletableFuture<Run> started;
        synchronized (lock) {
            current = run;
            started = nextRun;
            nextRun = new CompletableFuture<>();
        }
        started.complete(run);
    }

    private Path stdinFifo() {
        return directory.resolve("stdin.fifo");
    }

    private Path stdoutFifo() {
        return directory.resolve("stdout.fifo");
    }

    private Path stderrFifo() {
        return directory.resolve("stderr.fifo");
    }

    /** The run under way; null when none is. */
    public Run running() {
        synchronized (lock) {
            return current == null || current.ended.isDone() ? null : current;
        }
    }

    /** The run under way, or else the next one to start. */
    public CompletionStage<Run> runningOrNext() {
        synchronized (lock) {
            return current != null && !current.ended.isDone() ? CompletableFuture.completedFuture(current) : nextRun;
        }
    }

    // ---- writing, on the pump's thread ----------------------------------------------------------------------------

    private void append(String stream, ByteBuffer bytes) {
        String time = Instant.now().toString();
        StringBuilder lines = new StringBuilder();
        byte[] data = new byte[bytes.remaining()];
        bytes.get(data);
        int start = 0;
        for (int i = 0; i < data.length; i++) {
            if (data[i] == '\n' || i + 1 - start == MAX_ENTRY) {
                line(lines, stream, time, data, start, i + 1);
                start = i + 1;
            }
        }
        if (start < data.length) {
            line(lines, stream, time, data, start, data.length);
        }
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(lines.toString());
        CompletableFuture<Void> wake;
        synchronized (lock) {
            if (removed) {
                return;
            }
            try {
                if (writer == null) {
                    writer = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                }
                while (encoded.hasRemaining()) {
                    writer.write(encoded);
                }
            } catch (IOException e) {
                LOG.warn("container log {}: output lost: {}", file, e.toString());
                return;
            }
            size += encoded.limit();
            wake = grown;
            grown = new CompletableFuture<>();
        }
        wake.complete(null);
    }

    private static void line(StringBuilder lines, String stream, String time, byte[] data, int from, int to) {
        String text = new String(data, from, to - from, StandardCharsets.UTF_8); // malformed bytes become U+FFFD
        ObjectNode entry = JSON.createObjectNode().put("log", text).put("stream", stream).put("time", time);
        lines.append(entry).append('\n');
    }

    /** The container is gone: the file is closed, and an attach waiting for a start ends. */
    void removed() {
        synchronized (lock) {
            removed = true;
            nextRun.completeExceptionally(new IllegalStateException("container removed"));
            if (writer != null) {
                try {
                    writer.close();
                } catch (IOException e) {
                    LOG.debug("container log {}: {}", file, e.toString());
                }
                writer = null;
            }
        }
    }

    // ---- reading ----------------------------------------------------------------------------------------------

    /**
     * Reads entries from the file, from a position on; with an end to wait for ({@link #follow}), it waits for more
     * until that end, then reads what was written before it.
     */
    public final class Reader implements AutoCloseable {
        private final FileChannel channel;
        private final CompletionStage<?> end;
        private long position;

        private Reader(FileChannel channel, long position, CompletionStage<?> end) {
            this.channel = channel;
            this.position = position;
            this.end = end;
        }

        /** The next entries; an empty list when there are no more (the run followed has ended, or no follow). */
        public CompletionStage<List<Entry>> next() {
            List<Entry> entries = readUpTo(size);
            if (!entries.isEmpty()) {
                return CompletableFuture.completedFuture(entries);
            }
            if (end == null || end.toCompletableFuture().isDone()) {
                return CompletableFuture.completedFuture(readUpTo(size));
            }
            CompletableFuture<Void> more;
            synchronized (lock) {
                more = grown;
            }
            if (position < size) { // written between the read and the wait
                return next();
            }
            // Not on the thread that completes them (the output pump's): reading the file is the caller's work.
            return CompletableFuture.anyOf(more, end.toCompletableFuture()).thenComposeAsync(any -> next());
        }

        private List<Entry> readUpTo(long limit) {
            List<Entry> entries = new ArrayList<>();
            long available = Math.min(limit - position, 1 << 20);
            if (available <= 0 || channel == null) {
                return entries;
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) available);
            try {
                while (buffer.hasRemaining()) {
                    if (channel.read(buffer, position + buffer.position()) < 0) {
                        break;
                    }
                }
            } catch (IOException e) {
                throw NetwharfException.internal("read the log " + file + ": " + e.getMessage(), e);
            }
            byte[] bytes = buffer.array();
            int start = 0;
            for (int i = 0; i < buffer.position(); i++) {
                if (bytes[i] == '\n') {
                    entries.add(parse(bytes, start, i));
                    start = i + 1;
                }
            }
            position += start;
            return entries;
        }

        @Override
        public void close() {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    LOG.debug("container log {}: {}", file, e.toString());
                }
            }
        }
    }

    private Entry parse(byte[] bytes, int from, int to) {
        try {
            JsonNode entry = JSON.readTree(bytes, from, to - from);
            return new Entry(entry.path("stream").asText(), Instant.parse(entry.path("time").asText()),
                    entry.path("log").asText().getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            throw NetwharfException.internal("the log " + file + " has a damaged entry: " + e.getMessage(), e);
        }
    }

    /** What the process wrote to stdout, all runs together, as text (for embedded users and tests). */
    public String stdout() {
        return text("stdout");
    }

    /** What the process wrote to stderr, all runs together, as text. */
    public String stderr() {
        return text("stderr");
    }

    private String text(String stream) {
        StringBuilder text = new StringBuilder();
        try (Reader reader = all(-1)) {
            for (List<Entry> entries = reader.next().toCompletableFuture().join(); !entries.isEmpty();
                 entries = reader.next().toCompletableFuture().join()) {
                entries.stream().filter(e -> e.stream().equals(stream)).forEach(e -> text.append(new String(e.bytes(), StandardCharsets.UTF_8)));
            }
        }
        return text.toString();
    }

    /** What is in the log now, its last {@code tail} entries (all when negative). */
    public Reader all(int tail) {
        FileChannel channel = openForReading();
        return new Reader(channel, start(channel, tail), null);
    }

    /** {@link #all}, then what the run under way adds until it ends. */
    public Reader follow(int tail) {
        Run run = running();
        FileChannel channel = openForReading();
        return new Reader(channel, start(channel, tail), run == null ? null : run.ended);
    }

    /** Where the last {@code tail} entries written so far start (0 when negative). */
    private long start(FileChannel channel, int tail) {
        long end = size;
        if (tail < 0) {
            return 0;
        }
        long position = end;
        int found = -1; // the entry ending at the file's end is not preceded by its own line end
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        try {
            while (position > 0) {
                int length = (int) Math.min(buffer.capacity(), position);
                buffer.clear().limit(length);
                long from = position - length;
                while (buffer.hasRemaining() && channel.read(buffer, from + buffer.position()) >= 0) {
                    // read the block whole
                }
                for (int i = length - 1; i >= 0; i--) {
                    if (buffer.get(i) == '\n' && ++found == tail) {
                        return from + i + 1;
                    }
                }
                position = from;
            }
        } catch (IOException e) {
            throw NetwharfException.internal("read the log " + file + ": " + e.getMessage(), e);
        }
        return 0;
    }

    /**
     * What the run under way, or else the next one, writes from now on, until it ends (attach). The file is opened
     * now: a container removed while attached (--rm) still has its last entries read.
     */
    public Reader attach() {
        // A removal before the start ends the wait (exceptionally): the reader then just ends.
        CompletionStage<Void> end = runningOrNext().thenCompose(Run::ended).exceptionally(removed -> null);
        return new Reader(openForReading(), size, end);
    }

    /** Creates the file when nothing was written yet: a reader made before the first output reads it as it grows. */
    private FileChannel openForReading() {
        try {
            return FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw NetwharfException.internal("open the log " + file + ": " + e.getMessage(), e);
        }
    }
}
