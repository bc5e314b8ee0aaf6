package io.netwharf.kernel;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

import static io.netwharf.kernel.Native.LIBC;

/**
 * The daemon's end of a container's stdin, a named pipe ({@link ProcessStdio#pipes}). Opened before the spawn, for
 * reading and writing: the child's open for reading would otherwise wait for a writer, and while this end is open
 * the process never reads an end of file. {@link #close} gives it that end (Docker's StdinOnce, when the attached
 * client's input ends).
 *
 * <p>Writes are non-blocking and retried: a process that does not read its stdin would otherwise hold the writing
 * thread for good, even after {@link #close} (closing a descriptor does not wake a write blocked on it).
 */
public final class StdinPipe implements AutoCloseable {
    private static final long RETRY_NANOS = 5_000_000;
    private final Path fifo;
    private final int fd;
    private volatile boolean closed;

    private StdinPipe(Path fifo, int fd) {
        this.fifo = fifo;
        this.fd = fd;
    }

    public static StdinPipe open(Path fifo) {
        OutputPump.makeFifo(fifo);
        int fd = LIBC.open(fifo.toString(), LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
        if (fd < 0) {
            throw new KernelException("open " + fifo, Native.errno(), null);
        }
        return new StdinPipe(fifo, fd);
    }

    /**
     * Writes all of {@code bytes}, waiting while the pipe is full; returns false when the pipe was closed first (what
     * was not written is dropped: the process's stdin has ended).
     */
    public boolean write(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        int written = 0;
        while (written < bytes.length) {
            synchronized (this) {
                if (closed) {
                    return false;
                }
                long n = LIBC.write(fd, buffer.slice(written, bytes.length - written), bytes.length - written);
                if (n > 0) {
                    written += (int) n;
                    continue;
                }
                int errno = Native.errno();
                if (errno != LibC.EAGAIN && errno != LibC.EINTR) {
                    throw new KernelException("write to " + fifo, errno, null);
                }
            }
            LockSupport.parkNanos(RETRY_NANOS);
        }
        return true;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Native.closeQuietly(fd);
        }
    }
}
