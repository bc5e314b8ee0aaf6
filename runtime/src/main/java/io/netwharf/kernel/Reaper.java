package io.netwharf.kernel;

import io.netwharf.protocol.netlink.Errno;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
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
    private static final int MAX_EVENTS = 64;

    private final EpollSet epoll = new EpollSet(); // pids are the tags: positive, never the eventfd's
    private final Map<Integer, ContainerProcess> watched = new ConcurrentHashMap<>();
    private final Thread thread;
    private final Object lifecycle = new Object();
    private boolean stopped; // guarded by lifecycle: the descriptors are closed
    private boolean closing; // guarded by lifecycle

    Reaper(String name) {
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
            errno = stopped ? -1 : epoll.add(process.pidfd(), pid);
        }
        if (errno != 0) {
            watched.remove(pid);
            process.closePidfd();
            if (errno == -1) {
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

    private void run() {
        ByteBuffer events = epoll.events(MAX_EVENTS);
        try {
            while (true) {
                int n = epoll.await(events);
                if (n < 0) {
                    int errno = Native.errno();
                    if (errno == LibC.EINTR) {
                        continue;
                    }
                    LOG.error("reaper stops: epoll_wait failed: {}", Native.describe(errno));
                    return;
                }
                for (int i = 0; i < n; i++) {
                    long tag = EpollSet.tag(events, i);
                    if (tag == EpollSet.WAKE) {
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
        epoll.remove(process.pidfd());
        process.closePidfd();
    }

    /** Processes still running are left running; their exit codes will never be known to this launcher. */
    private void stop() {
        synchronized (lifecycle) {
            stopped = true;
            epoll.close();
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
            epoll.wake();
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
