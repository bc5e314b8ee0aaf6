package io.netwharf.kernel;

import jnr.ffi.byref.IntByReference;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static io.netwharf.kernel.Native.LIBC;

/**
 * A process started by {@link ProcessLauncher}, leader of a process group of its own, or one it adopted (started by a
 * previous run, see {@link ProcessLauncher#adopt}). Its exit code completes on the launcher's reaper thread, which
 * reaps it; until then the pid of a started process cannot be reused, which is what makes {@link #signal} safe:
 * reaping and signalling take the same lock, so a signal never reaches a recycled pid. An adopted process is no child
 * of this JVM, so its pid can be recycled at any time after it exits: it is signalled through its pidfd instead.
 */
public final class ContainerProcess {
    /**
     * The exit code of an adopted process: it is not this JVM's child, so waitpid answers ECHILD and its status is
     * unknowable. 255, as Docker shows a container whose end its daemon did not see ("Exited (255)").
     */
    public static final int UNKNOWN_EXIT = 255;

    private final int pid;
    private final int pidfd;
    private final boolean adopted;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final CompletionStage<Integer> exitView = exit.minimalCompletionStage();
    private boolean reaped; // guarded by this: the exit was seen, nothing is signalled any more
    private boolean pidfdClosed; // guarded by this: its number may name another file now

    ContainerProcess(int pid, int pidfd, boolean adopted) {
        this.pid = pid;
        this.pidfd = pidfd;
        this.adopted = adopted;
    }

    public int pid() {
        return pid;
    }

    /**
     * The exit code as Docker reports it: the exit status, or 128 + the signal that killed the process (SIGKILL
     * 137, SIGTERM 143); {@link #UNKNOWN_EXIT} for an {@link #adopted} process that is not this JVM's child.
     * Completes on the reaper thread: dependent actions run there and must not block.
     */
    public CompletionStage<Integer> exitCode() {
        return exitView;
    }

    /**
     * Whether this process was adopted rather than started by this launcher: then it is (after a restart, always)
     * no child of this JVM, its exit status cannot be known and {@link #exitCode} completes with
     * {@link #UNKNOWN_EXIT} when it ends.
     */
    public boolean adopted() {
        return adopted;
    }

    /**
     * Sends {@code signal} to the whole process group; does nothing once the process's exit has been seen. A started
     * process is signalled with kill(-pid): unreaped, its pid cannot be recycled. An adopted one through its pidfd,
     * which names that process for good: its group (PIDFD_SIGNAL_PROCESS_GROUP, Linux 6.9: the group it leads, as
     * netwharf's processes do), or the process alone when it leads no group.
     */
    public void signal(int signal) {
        synchronized (this) {
            if (reaped) {
                return;
            }
            if (adopted) {
                if (pidfdClosed) {
                    throw new IllegalStateException("cannot signal adopted " + this + ": its launcher is closed");
                }
                signalThroughPidfd(signal);
                return;
            }
            if (LIBC.kill(-pid, signal) < 0) {
                int errno = Native.errno();
                // The group is gone only when the leader is reaped: ESRCH cannot happen here, but is harmless.
                if (errno != LibC.ESRCH) {
                    throw new KernelException("signal " + signal + " to process group " + pid, errno, null);
                }
            }
        }
    }

    /** ESRCH from both: the process is gone, and its exit is about to be seen. */
    private void signalThroughPidfd(int signal) {
        if (LIBC.pidfd_send_signal(pidfd, signal, null, LibC.PIDFD_SIGNAL_PROCESS_GROUP) == 0) {
            return;
        }
        int errno = Native.errno();
        if (errno == LibC.EINVAL && LIBC.pidfd_send_signal(pidfd, 0, null, 0) == 0 && LIBC.kill(-pid, signal) == 0) {
            // A kernel before 6.9 knows no group flag. The leader is alive (signal 0 reached it through the pidfd), so
            // its pid, the group's id, is not recycled: kill(-pid) reaches its group.
            return;
        }
        if (errno != LibC.ESRCH && errno != LibC.EINVAL) {
            throw new KernelException("signal " + signal + " to the process group of adopted " + this, errno, null);
        }
        if (LIBC.pidfd_send_signal(pidfd, signal, null, 0) < 0) {
            errno = Native.errno();
            if (errno != LibC.ESRCH) {
                throw new KernelException("signal " + signal + " to adopted " + this, errno, null);
            }
        }
    }

    public boolean running() {
        return !exit.isDone();
    }

    @Override
    public String toString() {
        return "process " + pid;
    }

    int pidfd() {
        return pidfd;
    }

    /** Closes the pidfd, under the lock that {@link #signal} takes to use it. */
    void closePidfd() {
        synchronized (this) {
            if (!pidfdClosed) {
                pidfdClosed = true;
                Native.closeQuietly(pidfd);
            }
        }
    }

    /**
     * waitpid for this pid only (the JVM has children of its own); the exit code, or null when still running. Called
     * when the pidfd is readable: the process has exited, and for an adopted non-child waitpid says ECHILD.
     */
    Integer reap() {
        synchronized (this) {
            if (reaped) {
                return null;
            }
            IntByReference status = new IntByReference();
            int result;
            do {
                result = LIBC.waitpid(pid, status, LibC.WNOHANG);
            } while (result < 0 && Native.errno() == LibC.EINTR);
            if (result < 0) {
                int errno = Native.errno();
                if (errno == LibC.ECHILD && adopted) {
                    reaped = true; // its pidfd became readable: it exited, and its parent reaps it
                    return UNKNOWN_EXIT;
                }
                throw new KernelException("waitpid " + pid, errno, null);
            }
            if (result == 0) {
                return null;
            }
            reaped = true;
            return exitCodeOf(status.intValue());
        }
    }

    /** Called by the reaper outside the lock, so dependent actions may signal other processes freely. */
    void exited(int code) {
        exit.complete(code);
    }

    void failed(Throwable cause) {
        exit.completeExceptionally(cause);
    }

    /** Docker's exit code from a wait status: WEXITSTATUS, or 128 + WTERMSIG. */
    static int exitCodeOf(int status) {
        int signal = status & 0x7f;
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal;
    }
}
