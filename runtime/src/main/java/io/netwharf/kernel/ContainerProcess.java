package io.netwharf.kernel;

import jnr.ffi.byref.IntByReference;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static io.netwharf.kernel.Native.LIBC;

/**
 * A process started by {@link ProcessLauncher}, leader of a process group of its own. Its exit code completes on
 * the launcher's reaper thread, which reaps it; until then its pid cannot be reused, which is what makes
 * {@link #signal} safe: reaping and signalling take the same lock, so a signal never reaches a recycled pid.
 */
public final class ContainerProcess {
    private final int pid;
    private final int pidfd;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final CompletionStage<Integer> exitView = exit.minimalCompletionStage();
    private boolean reaped;

    ContainerProcess(int pid, int pidfd) {
        this.pid = pid;
        this.pidfd = pidfd;
    }

    public int pid() {
        return pid;
    }

    /**
     * The exit code as Docker reports it: the exit status, or 128 + the signal that killed the process (SIGKILL
     * 137, SIGTERM 143). Completes on the reaper thread: dependent actions run there and must not block.
     */
    public CompletionStage<Integer> exitCode() {
        return exitView;
    }

    /** Sends {@code signal} to the whole process group; does nothing once the process has exited and been reaped. */
    public void signal(int signal) {
        synchronized (this) {
            if (reaped) {
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

    /** waitpid for this pid only (the JVM has children of its own); the exit code, or null when still running. */
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
                throw new KernelException("waitpid " + pid, Native.errno(), null);
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
