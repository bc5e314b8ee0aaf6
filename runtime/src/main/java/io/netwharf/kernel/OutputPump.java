package io.netwharf.kernel;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import static io.netwharf.kernel.Native.LIBC;

/**
 * One thread that reads what every container's process writes to its stdout and stderr pipes
 * ({@link ProcessStdio#pipes}) and hands it to a {@link Sink}: an epoll set of the pipes' read ends, opened
 * non-blocking. Java's selectors take sockets only, and a thread per pipe would be two threads per container.
 *
 * <p>A pipe is opened here before the process is spawned: a process that writes and exits at once would otherwise
 * take its output with it (a pipe's buffer goes with its last descriptor). It is read until its end (every writer
 * gone: the process and whatever it started) or until {@link Pipe#drainAndEnd} (the process exited, and descendants it
 * left running keep the pipe open). Sinks are called on this thread, in the order the bytes were read; a sink must
 * not block.
 */
public final class OutputPump implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OutputPump.class);
    private static final int MAX_EVENTS = 64;
    private static final int CHUNK = 64 * 1024;
    private static final int FIFO_MODE = 0600;
    private static final int EIO = 5;
    private static final int EEXIST = 17;

    /** Receives a pipe's bytes, then its end, on the pump's thread. */
    public interface Sink {
        /** {@code bytes} is valid only during the call. */
        void data(ByteBuffer bytes);

        void end();
    }

    private final EpollSet epoll = new EpollSet();
    private final Map<Long, Pipe> pipes = new ConcurrentHashMap<>();
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicLong tags = new AtomicLong(EpollSet.WAKE);
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
    private final Thread thread;
    private volatile boolean closed;

    public OutputPump(String name) {
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** The read end of one named pipe. */
    public final class Pipe {
        private final long tag;
        private final int fd;
        private final Sink sink;
        private boolean ended; // on the pump's thread

        private Pipe(long tag, int fd, Sink sink) {
            this.tag = tag;
            this.fd = fd;
            this.sink = sink;
        }

        /** Reads what the pipe holds now, then ends it even if writers remain. */
        public void drainAndEnd() {
            submit(() -> {
                if (!ended) {
                    readAvailable(this);
                    end(this);
                }
            });
        }

        /** Ends it without reading further (a start that failed). */
        public void close() {
            submit(() -> end(this));
        }
    }

    /**
     * Makes {@code fifo} a named pipe (mode 0600) when it is not one yet, opens its read end and starts reading it into
     * {@code sink}.
     */
    public Pipe open(Path fifo, Sink sink) {
        if (closed) {
            throw new IllegalStateException("output pump is closed");
        }
        makeFifo(fifo);
        int fd = LIBC.open(fifo.toString(), LibC.O_RDONLY | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
        if (fd < 0) {
            throw new KernelException("open " + fifo, Native.errno(), null);
        }
        Pipe pipe = new Pipe(tags.incrementAndGet(), fd, sink);
        pipes.put(pipe.tag, pipe);
        int errno = epoll.add(fd, pipe.tag);
        if (errno != 0) {
            pipes.remove(pipe.tag);
            Native.closeQuietly(fd);
            throw new KernelException("epoll_ctl add " + fifo, errno, null);
        }
        return pipe;
    }

    /** Makes {@code fifo} a named pipe when it is not one yet (anything else there is replaced). */
    public static void makeFifo(Path fifo) {
        try {
            if (Files.exists(fifo, LinkOption.NOFOLLOW_LINKS)
                    && !Files.readAttributes(fifo, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther()) {
                Files.delete(fifo);
            }
        } catch (IOException e) {
            throw new KernelException("replace " + fifo, EIO, e.toString());
        }
        if (LIBC.mkfifo(fifo.toString(), FIFO_MODE) < 0) {
            int errno = Native.errno();
            if (errno != EEXIST) { // made by an earlier start
                throw new KernelException("mkfifo " + fifo, errno, null);
            }
        }
    }

    private void submit(Runnable task) {
        tasks.add(task);
        epoll.wake();
    }

    private void run() {
        ByteBuffer events = epoll.events(MAX_EVENTS);
        try {
            while (!closed) {
                int n = epoll.await(events);
                if (n < 0) {
                    int errno = Native.errno();
                    if (errno == LibC.EINTR) {
                        continue;
                    }
                    LOG.error("output pump stops: epoll_wait failed: {}", Native.describe(errno));
                    return;
                }
                for (int i = 0; i < n; i++) {
                    long tag = EpollSet.tag(events, i);
                    if (tag == EpollSet.WAKE) {
                        epoll.clearWake();
                        continue;
                    }
                    Pipe pipe = pipes.get(tag);
                    if (pipe != null && readAvailable(pipe)) {
                        end(pipe);
                    }
                }
                for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
                    task.run();
                }
            }
        } finally {
            pipes.values().forEach(this::end);
            epoll.close();
        }
    }

    /** Reads until the pipe is empty; true when it has ended (no writer left). */
    private boolean readAvailable(Pipe pipe) {
        while (true) {
            buffer.clear();
            long read = LIBC.read(pipe.fd, buffer, CHUNK);
            if (read > 0) {
                buffer.limit((int) read);
                deliver(pipe, buffer);
                if (read < CHUNK) {
                    return false;
                }
            } else if (read == 0) {
                return true;
            } else {
                int errno = Native.errno();
                if (errno == LibC.EINTR) {
                    continue;
                }
                if (errno != LibC.EAGAIN) {
                    LOG.warn("reading a process's output failed: {}", Native.describe(errno));
                    return true;
                }
                return false;
            }
        }
    }

    private static void deliver(Pipe pipe, ByteBuffer bytes) {
        try {
            pipe.sink.data(bytes);
        } catch (RuntimeException e) {
            LOG.error("a process output's sink failed", e);
        }
    }

    private void end(Pipe pipe) {
        if (pipe.ended) {
            return;
        }
        pipe.ended = true;
        pipes.remove(pipe.tag);
        epoll.remove(pipe.fd);
        Native.closeQuietly(pipe.fd);
        try {
            pipe.sink.end();
        } catch (RuntimeException e) {
            LOG.error("a process output's sink failed at its end", e);
        }
    }

    /** Stops the thread; pipes still open are ended (their processes keep running and writing to the pipes' buffers). */
    @Override
    public void close() {
        closed = true;
        epoll.wake();
    }
}
