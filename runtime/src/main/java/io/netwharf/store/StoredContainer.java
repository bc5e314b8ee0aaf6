package io.netwharf.store;

import java.time.Instant;

/**
 * A container as the engine keeps it: its state, its process (pid and start time, so a restart can tell the same
 * process from a recycled pid), and the rest of its config as JSON.
 *
 * @param status          {@code created}, {@code running} or {@code exited}
 * @param pid             while running; 0 when it has no process or none runs
 * @param pidStartTime    the process's start time in clock ticks since boot (field 22 of {@code /proc/<pid>/stat})
 * @param stopSignal      the signal that stops it, for a restart that must stop it without its engine
 * @param stopTimeout     seconds before SIGKILL
 * @param manuallyStopped stopped by a user (a restart policy then leaves it alone, as Docker's)
 * @param configJson      its {@code ContainerConfig} (JSON, written and read by the engine)
 */
public record StoredContainer(String id, String name, String image, String status, int pid, long pidStartTime, int exitCode,
                              String error, Instant created, Instant startedAt, Instant finishedAt, int restartCount,
                              boolean manuallyStopped, int stopSignal, int stopTimeout, String configJson) {}
