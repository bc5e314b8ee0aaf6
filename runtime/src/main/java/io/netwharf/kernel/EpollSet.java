package io.netwharf.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static io.netwharf.kernel.Native.LIBC;

/**
 * An epoll set with an eventfd in it that wakes its one waiting thread: what the {@link Reaper} (pidfds) and the
 * {@link OutputPump} (pipes) each wait on. Each descriptor is added with a tag, handed back with its events;
 * {@link #WAKE} is the eventfd's.
 */
final class EpollSet {
    static final long WAKE = 0;
    // struct epoll_event is packed on x86_64 (4 + 8 bytes) and naturally aligned elsewhere (4 + pad + 8).
    private static final boolean PACKED = "amd64".equals(System.getProperty("os.arch"))
            || "x86_64".equals(System.getProperty("os.arch"));
    private static final int EVENT_SIZE = PACKED ? 12 : 16;
    private static final int DATA_OFFSET = PACKED ? 4 : 8;

    private final int epoll;
    private final int wake;
    private final ByteBuffer counter = ByteBuffer.allocateDirect(Long.BYTES);

    EpollSet() {
        epoll = Native.check(LIBC.epoll_create1(LibC.EPOLL_CLOEXEC), "epoll_create1");
        int fd = LIBC.eventfd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        if (fd < 0) {
            int errno = Native.errno();
            Native.closeQuietly(epoll);
            throw new KernelException("eventfd", errno, null);
        }
        wake = fd;
        int errno = add(wake, WAKE);
        if (errno != 0) {
            Native.closeQuietly(wake);
            Native.closeQuietly(epoll);
            throw new KernelException("epoll_ctl add eventfd", errno, null);
        }
    }

    /** Adds {@code fd} for reading, with {@code tag}; 0, or the errno of the refusal. */
    int add(int fd, long tag) {
        return LIBC.epoll_ctl(epoll, LibC.EPOLL_CTL_ADD, fd, event(tag)) < 0 ? Native.errno() : 0;
    }

    void remove(int fd) {
        LIBC.epoll_ctl(epoll, LibC.EPOLL_CTL_DEL, fd, event(0));
    }

    /** Wakes the waiting thread: {@link #WAKE} comes in its events. */
    void wake() {
        LIBC.eventfd_write(wake, 1);
    }

    /** Reads the wake-ups so far, so that {@link #WAKE} is not reported again until the next {@link #wake}. */
    void clearWake() {
        LIBC.read(wake, counter, Long.BYTES);
    }

    ByteBuffer events(int max) {
        return ByteBuffer.allocateDirect(max * EVENT_SIZE).order(ByteOrder.nativeOrder());
    }

    /** Waits for events, at most as many as {@code events} holds; their count, or -1 with errno set. */
    int await(ByteBuffer events) {
        return LIBC.epoll_wait(epoll, events, events.capacity() / EVENT_SIZE, -1);
    }

    /** The tag of the {@code i}th event {@link #await} returned. */
    static long tag(ByteBuffer events, int i) {
        return events.getLong(i * EVENT_SIZE + DATA_OFFSET);
    }

    /** Closes the set and the eventfd (the descriptors in the set are their owners' to close). */
    void close() {
        Native.closeQuietly(wake);
        Native.closeQuietly(epoll);
    }

    private static ByteBuffer event(long tag) {
        ByteBuffer event = ByteBuffer.allocateDirect(EVENT_SIZE).order(ByteOrder.nativeOrder());
        event.putInt(0, LibC.EPOLLIN);
        event.putLong(DATA_OFFSET, tag);
        return event;
    }
}
