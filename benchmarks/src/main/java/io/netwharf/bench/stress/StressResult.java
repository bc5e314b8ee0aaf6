package io.netwharf.bench.stress;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import org.HdrHistogram.Histogram;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a stress run measured and found.
 *
 * @param settings     what it was asked to do
 * @param host         the daemon's API address
 * @param daemonPid    the daemon's pid, if known
 * @param networks     the networks the containers went on (empty in none and host modes)
 * @param startedAt    when the run began
 * @param phaseSeconds wall time of each phase, in order ({@link #LAUNCH}, {@link #REMOVE}, ...)
 * @param latencies    per-request latency in microseconds of {@link #CREATE}, {@link #START},
 *                     {@link #CREATE_START} and {@link #REMOVE}
 * @param containers   one row per container
 * @param before       the daemon's memory with networks made and no container (null when unknown)
 * @param full         with all N containers
 * @param after        after they are removed (the networks still there)
 * @param daemonExit   a child daemon's exit code after SIGTERM; null for a daemon that is not ours, or one that did not
 *                     exit in time
 * @param cpu          CPU time during the launch and the removal
 * @param failures     what did not work (requests refused, unreachable containers, a bad exit)
 * @param leaks        what was left after the removal (links, namespaces, containers, networks, rules, processes)
 * @param machine      where it ran
 */
public record StressResult(StressSettings settings, String host, Long daemonPid, List<Network> networks, Instant startedAt,
                           Map<String, Double> phaseSeconds, Map<String, Histogram> latencies, List<ContainerRow> containers,
                           DaemonProcess.Memory before, DaemonProcess.Memory full, DaemonProcess.Memory after, Integer daemonExit,
                           Map<String, CpuUse> cpu, List<String> failures, List<String> leaks, Machine machine) {
    public static final String DAEMON_START = "daemon start";
    public static final String CREATE_NETWORKS = "create networks";
    public static final String LAUNCH = "launch (create+start)";
    public static final String VERIFY = "verify";
    public static final String REMOVE = "remove";
    public static final String KERNEL_CLEANUP = "kernel cleanup";
    public static final String DELETE_NETWORKS = "delete networks";
    public static final String LEAK_CHECK = "leak check";
    public static final String DAEMON_STOP = "daemon stop";
    public static final String OVERALL = "overall";

    public static final String CREATE = "create";
    public static final String START = "start";
    public static final String CREATE_START = "create+start";

    /** A network the containers went on; {@code bridge} is the Linux bridge's name. */
    public record Network(String name, String id, String subnet, String gateway, String bridge, int members) {}

    /** One container: where it went and how long its requests took, in microseconds (-1: not done). */
    @JsonPropertyOrder({"index", "name", "network", "address", "createMicros", "startMicros", "removeMicros"})
    public record ContainerRow(int index, String name, String network, String address, long createMicros, long startMicros,
                               long removeMicros) {}

    /**
     * CPU time spent during a phase, in seconds: the daemon's (user, system), this driver's (user, system), and the
     * whole machine's busy time over all cores (which adds the kernel's workers, e.g. namespace cleanup, and anything
     * else running).
     */
    public record CpuUse(double wallSeconds, double daemonUser, double daemonSystem, double driverUser, double driverSystem,
                         double machineBusy) {}

    /** The machine: cores, kernel release, Java version, CPU model, memory, load average (1, 5, 15 min) when the run began. */
    public record Machine(int cores, String kernel, String java, String cpu, long memoryBytes, String loadAverage) {}

    /** No failure and no leak. */
    public boolean ok() {
        return failures.isEmpty() && leaks.isEmpty();
    }

    /** Seconds of the phase, or NaN if it did not run. */
    public double seconds(String phase) {
        Double s = phaseSeconds.get(phase);
        return s == null ? Double.NaN : s;
    }

    /** Containers a second over the launch (create and start). */
    public double launchRate() {
        return settings.containers() / seconds(LAUNCH);
    }

    /** Containers a second over the removal. */
    public double removeRate() {
        return settings.containers() / seconds(REMOVE);
    }

    /** (full - before) / N in bytes of resident memory, or NaN when not measured. */
    public double rssPerContainer() {
        return before == null || full == null ? Double.NaN : (double) (full.rssBytes() - before.rssBytes()) / settings.containers();
    }

    /** (full - before) / N in bytes of heap in use after a full GC, or NaN when not measured. */
    public double heapPerContainer() {
        return before == null || full == null || before.heapUsedBytes() < 0 || full.heapUsedBytes() < 0 ? Double.NaN
                : (double) (full.heapUsedBytes() - before.heapUsedBytes()) / settings.containers();
    }
}
