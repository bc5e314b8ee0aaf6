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
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
        } catch (IOException e) {
            return OptionalLong.empty();
        }
        // The command name (field 2) is in parentheses and may hold spaces and parentheses: count from the last ')'.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // fields[0] is field 3 (state); field 22 is fields[19].
        return fields.length > 19 ? OptionalLong.of(Long.parseLong(fields[19])) : OptionalLong.empty();
    }

    /** Whether {@code pid} is still the process that started at {@code startTime}. */
    public static boolean matches(int pid, long startTime) {
        OptionalLong now = of(pid);
        return now.isPresent() && now.getAsLong() == startTime;
    }
}
