package io.netwharf.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * A process's start time, in clock ticks since boot: field 22 of {@code /proc/<pid>/stat}. With the pid it names one
 * process for good: a pid may be recycled, but not with the same start time.
 */
public final class ProcessStartTime {
    private ProcessStartTime() {}

    /** The start time of {@code pid}; empty when no such process exists (or it is a zombie already reaped). */
    public static OptionalLong of(int pid) {
        String stat = stat(pid);
        long start = stat == null ? -1 : startTime(stat);
        return start < 0 ? OptionalLong.empty() : OptionalLong.of(start);
    }

    private static String stat(int pid) {
        try {
            return Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
        } catch (IOException e) {
            return null;
        }
    }

    /** Fields 3 onwards: the command name (field 2) is in parentheses and may hold spaces and parentheses, so count from the last ')'. */
    private static String[] fields(String stat) {
        return stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    }

    /** Field 22; -1 when the line is cut short. fields[0] is field 3 (state), so field 22 is fields[19]. */
    private static long startTime(String stat) {
        String[] fields = fields(stat);
        return fields.length > 19 ? Long.parseLong(fields[19]) : -1;
    }

    /**
     * Whether the process {@code pid} that started at {@code startTime} has ended: gone, its pid another process's
     * now, or a zombie (exited, only its parent's wait is missing: it holds no namespace and runs nothing, and an
     * orphan's reaper, init, may take seconds to wait for it, or never do).
     */
    public static boolean exited(int pid, long startTime) {
        String stat = stat(pid);
        if (stat == null || startTime(stat) != startTime) {
            return true;
        }
        char state = fields(stat)[0].charAt(0);
        return state == 'Z' || state == 'X';
    }

    /** Whether {@code pid} is still the process that started at {@code startTime}. */
    public static boolean matches(int pid, long startTime) {
        OptionalLong now = of(pid);
        return now.isPresent() && now.getAsLong() == startTime;
    }
}
