package io.netwharf.kernel;

import io.netwharf.protocol.netlink.Errno;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static io.netwharf.kernel.Native.LIBC;

/**
 * One thread that reaps the launched processes: each has a pidfd in an epoll set, which becomes readable when the
 * process exits; the thread then waitpids that pid alone (never -1: the JVM reaps children of its own). Adopted
 * processes, no children of this JVM, are watched the same way; their waitpid says ECHILD, and their parent reaps them. An eventfd in
 * the same set wakes the thread to stop. Created, with its thread, from the launcher's constructor, so the thread
 * lives in the host's namespace.
 */
final class Reaper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Reaper.class);
    // struct epoll_event is packed on x86_64 (4 + 8 bytes) and naturally aligned elsewhere (4 + pad + 8).
    private static final boolean PACKED = "amd64".equals(System.getProperty("os.arch"))
            || "x86_64".equals(System.getProperty("os.arch"));
    private static final int EVENT_SIZE = PACKED ? 12 : 16;
    private static final int DATA_OFFSET = PACKED ? 4 : 8;
    private static final int MAX_EVENTS = 64;
    private static final long WAKE = 0; // the eventfd's tag; pids are positive

    private final int epoll;
    private final int wake;
    private final Map<Integer, ContainerProcess> watched = new ConcurrentHashMap<>();
    private final Thread thread;
    private final Object lifecycle = new Object();
    private boolean stopped; // guarded by lifecycle: the descriptors are closed
    private boolean closing; // guarded by lifecycle

    Reaper(String name) {
        epoll = Native.check(LIBC.epoll_create1(LibC.EPOLL_CLOEXEC), "epoll_create1");
        int fd = LIBC.eventfd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        if (fd < 0) {
            int errno = Native.errno();
            Native.closeQuietly(epoll);
            throw new KernelException("eventfd", errno, null);
        }
        wake = fd;
        if (LIBC.epoll_ctl(epoll, LibC.EPOLL_CTL_ADD, wake, event(WAKE)) < 0) {
            int errno = Native.errno();
            Native.closeQuietly(wake);
            Native.closeQuietly(epoll);
            throw new KernelException("epoll_ctl add eventfd", errno, null);
        }
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Watches the (already spawned) child {@code pid}; kills and reaps it when it cannot be watched. */
    ContainerProcess watch(int pid) {
        int pidfd = LIBC.pidfd_open(pid, 0);
        if (pidfd < 0) {
            int errno = Native.errno();
            killAndWait(pid);
            throw new KernelException("pidfd_open " + pid, errno, null);
        }
        ContainerProcess process = new ContainerProcess(pid, pidfd, false);
        try {
            register(process);
        } catch (RuntimeException e) {
            killAndWait(pid);
            throw e;
        }
        return process;
    }

    /**
     * Watches {@code pid}, no child of this JVM, when it is still the process that started at {@code startTime};
     * empty when it is gone or another process has its pid now. One already watched is answered as it is.
     */
    Optional<ContainerProcess> adopt(int pid, long startTime) {
        ContainerProcess known = watched.get(pid);
        if (known != null) {
            return ProcessStartTime.matches(pid, startTime) ? Optional.of(known) : Optional.empty();
        }
        int pidfd = LIBC.pidfd_open(pid, 0);
        if (pidfd < 0) {
            int errno = Native.errno();
            if (errno == LibC.ESRCH || errno == Errno.EINVAL.number) { // no such process, or a thread's id now
                return Optional.empty();
            }
            throw new KernelException("pidfd_open " + pid, errno, null);
        }
        // Checked once the pidfd is open: a pid recycled before the open shows here as another start time, and from
        // the open on the pidfd names this one process for good, whatever becomes of its number.
        if (!ProcessStartTime.matches(pid, startTime)) {
            Native.closeQuietly(pidfd);
            return Optional.empty();
        }
        ContainerProcess process = new ContainerProcess(pid, pidfd, true);
        register(process);
        return Optional.of(process);
    }

    /** Adds the process's pidfd to the epoll set; when it cannot be, forgets the process, closes its pidfd and throws. */
    private void register(ContainerProcess process) {
        int pid = process.pid();
        watched.put(pid, process);
        int errno;
        synchronized (lifecycle) {
            // Under the lock: the thread closes the epoll descriptor when it stops, and its number could be reused.
            errno = stopped ? 0 : LIBC.epoll_ctl(epoll, LibC.EPOLL_CTL_ADD, process.pidfd(), event(pid)) < 0 ? Native.errno() : -1;
        }
        if (errno >= 0) {
            watched.remove(pid);
            process.closePidfd();
            if (errno == 0) {
                throw new IllegalStateException("process launcher is closed");
            }
            throw new KernelException("epoll_ctl add pidfd of " + pid, errno, null);
        }
    }

    /** For a process nobody will watch: no orphan and no zombie left behind. */
    private static void killAndWait(int pid) {
        LIBC.kill(-pid, LibC.SIGKILL);
        jnr.ffi.byref.IntByReference status = new jnr.ffi.byref.IntByReference();
        while (LIBC.waitpid(pid, status, 0) < 0 && Native.errno() == LibC.EINTR) {
            // retry
        }
    }

    private static ByteBuffer event(long data) {
        ByteBuffer event = ByteBuffer.allocateDirect(EVENT_SIZE).order(ByteOrder.nativeOrder());
        event.putInt(0, LibC.EPOLLIN);
        event.putLong(DATA_OFFSET, data);
        return event;
    }

    private void run() {
        ByteBuffer events = ByteBuffer.allocateDirect(MAX_EVENTS * EVENT_SIZE).order(ByteOrder.nativeOrder());
        try {
            while (true) {
                int n = LIBC.epoll_wait(epoll, events, MAX_EVENTS, -1);
                if (n < 0) {
                    int errno = Native.errno();
                    if (errno == LibC.EINTR) {
                        continue;
                    }
                    LOG.error("reaper stops: epoll_wait failed: {}", Native.describe(errno));
                    return;
                }
                for (int i = 0; i < n; i++) {
                    long tag = events.getLong(i * EVENT_SIZE + DATA_OFFSET);
                    if (tag == WAKE) {
                        return;
                    }
                    ContainerProcess process = watched.get((int) tag);
                    if (process != null) {
                        reap(process);
                    }
                }
            }
        } finally {
            stop();
        }
    }

    private void reap(ContainerProcess process) {
        Integer code;
        try {
            code = process.reap();
        } catch (KernelException e) {
            forget(process);
            process.failed(e);
            return;
        }
        if (code != null) {
            forget(process);
            process.exited(code);
        }
    }

    private void forget(ContainerProcess process) {
        watched.remove(process.pid());
        LIBC.epoll_ctl(epoll, LibC.EPOLL_CTL_DEL, process.pidfd(), event(0));
        process.closePidfd();
    }

    /** Processes still running are left running; their exit codes will never be known to this launcher. */
    private void stop() {
        synchronized (lifecycle) {
            stopped = true;
            Native.closeQuietly(wake);
            Native.closeQuietly(epoll);
        }
        for (ContainerProcess process : watched.values()) {
            process.closePidfd();
            process.failed(new IllegalStateException("process launcher closed before " + process + " exited"));
        }
        watched.clear();
    }

    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closing || stopped) {
                return;
            }
            closing = true;
            LIBC.eventfd_write(wake, 1);
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
