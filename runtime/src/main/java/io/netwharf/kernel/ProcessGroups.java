package io.netwharf.kernel;

import static io.netwharf.kernel.Native.LIBC;

/**
 * Signals to processes netwharf did not spawn in this run (a restart finds the processes of the last): each is named by
 * its pid and start time, checked just before the signal, so a recycled pid is never signalled.
 */
public final class ProcessGroups {
    private ProcessGroups() {}

    /**
     * Sends {@code signal} to the process group {@code pid} leads (container processes lead a group of their own),
     * or to {@code pid} alone when it leads none. False when the process is gone.
     */
    public static boolean signal(int pid, long startTime, int signal) {
        if (!ProcessStartTime.matches(pid, startTime)) {
            return false;
        }
        if (LIBC.kill(-pid, signal) == 0) {
            return true;
        }
        return LIBC.kill(pid, signal) == 0;
    }
}
