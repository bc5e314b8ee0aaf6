package io.netwharf.kernel;

import io.netwharf.protocol.netlink.Errno;

import java.nio.file.Path;

/**
 * An open network namespace: a file descriptor on its nsfs file (a bind mount under the run directory, or a
 * /proc path). The descriptor keeps the namespace alive and is what setns(2) and IFLA_NET_NS_FD take.
 */
public final class Netns implements AutoCloseable {
    private final String name;
    private final Path path;
    private final int fd;
    private volatile boolean closed;

    private Netns(String name, Path path, int fd) {
        this.name = name;
        this.path = path;
        this.fd = fd;
    }

    /** Opens the namespace file at {@code path}; named after the file. */
    public static Netns open(Path path) {
        return open(path.getFileName() == null ? path.toString() : path.getFileName().toString(), path);
    }

    static Netns open(String name, Path path) {
        int fd = Native.LIBC.open(path.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (fd < 0) {
            int errno = Native.errno();
            throw new KernelException("open netns " + name + " at " + path, errno,
                    errno == Errno.ENOENT.number ? "no such namespace" : null);
        }
        return new Netns(name, path, fd);
    }

    public String name() {
        return name;
    }

    public Path path() {
        return path;
    }

    public int fd() {
        if (closed) {
            throw new IllegalStateException("netns " + name + " handle is closed");
        }
        return fd;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Native.closeQuietly(fd);
        }
    }

    @Override
    public String toString() {
        return "netns " + name;
    }
}
