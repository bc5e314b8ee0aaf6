package io.netwharf.gateway;

import io.netwharf.Netwharf;
import io.netwharf.container.ContainerEngine;
import io.netwharf.container.ContainerView;
import io.netwharf.kernel.ProcessTable;
import io.netwharf.protocol.rtnetlink.LinkStatistics;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /containers/{id}/stats} in Docker's shape: the network counters of the interfaces in the container's
 * namespace (over rtnetlink, from the sandbox that owns it), and the CPU time and resident memory of its processes
 * (its process and that process's descendants) from /proc, with the host's CPU time and memory as the whole. No
 * cgroup is read: netwharf makes none, so there are no limits and no block I/O counters. {@code stream} (the default)
 * answers one object a second; {@code stream=false} one, after a second so that its CPU usage has a previous sample
 * to differ from (as Docker), or at once with {@code one-shot}.
 */
final class ContainerStats {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final String ZERO_TIME = "0001-01-01T00:00:00Z";
    private static final long NANOS = 1_000_000_000L;

    private final ContainerEngine engine;
    private final Netwharf netwharf;
    private final ProcessTable processes;

    ContainerStats(ContainerEngine engine, Netwharf netwharf, ProcessTable processes) {
        this.engine = engine;
        this.netwharf = netwharf;
        this.processes = processes;
    }

    /**
     * One reading. {@code read} null: the container was not running (Docker's zero time and counters).
     *
     * @param user   CPU time in user mode of its processes, ns
     * @param kernel CPU time in kernel mode, ns
     * @param host   the host's CPU time since the boot, ns
     */
    record Sample(Instant read, long user, long kernel, long host, int cpus, long memory, long memoryLimit, int pids,
                  List<LinkStatistics> links) {
        static final Sample NONE = new Sample(null, 0, 0, 0, 0, 0, 0, 0, List.of());
    }

    /** The answer for {@code container} (an id, a name or a prefix); 404 before any header when there is none. */
    CompletionStage<HttpResponse> response(String container, Map<String, String> query) {
        boolean stream = !"0".equals(query.get("stream")) && !"false".equalsIgnoreCase(query.get("stream"));
        boolean oneShot = ContainerRoutes.flag(query, "one-shot");
        return engine.inspect(container).thenCompose(view -> {
            String id = view.id();
            if (!stream) {
                CompletionStage<Pair<Sample, Sample>> pair = oneShot
                        ? sample(id).thenApply(s -> Pair.create(Sample.NONE, s))
                        : sample(id).thenCompose(first -> later(INTERVAL).thenCompose(v -> sample(id)).thenApply(s -> Pair.create(first, s)));
                return pair.thenCompose(p -> engine.inspect(id).thenApply(v -> DockerJson.response(StatusCodes.OK, json(v, p.first(), p.second()))));
            }
            Source<ByteString, ?> body = Source.tick(Duration.ZERO, INTERVAL, "tick")
                    .mapAsync(1, tick -> sample(id).thenCompose(s -> engine.inspect(id).thenApply(v -> Pair.create(v, s))))
                    .scan(Pair.<ContainerView, Pair<Sample, Sample>>create(null, Pair.create(Sample.NONE, Sample.NONE)),
                            (acc, now) -> Pair.create(now.first(), Pair.create(acc.second().second(), now.second())))
                    .drop(1)
                    .map(p -> ByteString.fromArray(DockerJson.bytes(json(p.first(), p.second().first(), p.second().second())))
                            .concat(ByteString.fromString("\n")));
            return CompletableFuture.completedFuture(HttpResponse.create().withStatus(StatusCodes.OK)
                    .withEntity(HttpEntities.createChunked(ContentTypes.APPLICATION_JSON, body)));
        });
    }

    private static CompletionStage<Void> later(Duration delay) {
        return CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** Reads the container's counters now; zeros when it is not running. */
    CompletionStage<Sample> sample(String id) {
        return engine.inspect(id).thenCompose(view -> {
            if (!view.running() || view.pid() == 0) {
                return CompletableFuture.completedFuture(Sample.NONE);
            }
            return netwharf.interfaceStatistics(id).thenApply(links -> {
                List<ProcessTable.Process> tree = processes.tree(view.pid());
                long user = tree.stream().mapToLong(ProcessTable.Process::utime).sum();
                long kernel = tree.stream().mapToLong(ProcessTable.Process::stime).sum();
                long rss = tree.stream().mapToLong(ProcessTable.Process::rssPages).sum();
                return new Sample(Instant.now(), ticksToNanos(user), ticksToNanos(kernel), ticksToNanos(processes.hostCpuTicks()),
                        processes.onlineCpus(), rss * ProcessTable.PAGE_SIZE, processes.memoryTotal(), tree.size(),
                        links.stream().filter(l -> !"lo".equals(l.name())).toList());
            });
        });
    }

    private static long ticksToNanos(long ticks) {
        return ticks * (NANOS / ProcessTable.TICKS);
    }

    static ObjectNode json(ContainerView c, Sample previous, Sample now) {
        ObjectNode json = NODES.objectNode();
        json.put("name", "/" + c.name());
        json.put("id", c.id());
        json.put("read", time(now.read()));
        json.put("preread", time(previous.read()));
        json.putObject("pids_stats").put("current", now.pids());
        ObjectNode blkio = json.putObject("blkio_stats");
        for (String key : List.of("io_service_bytes_recursive", "io_serviced_recursive", "io_queue_recursive",
                "io_service_time_recursive", "io_wait_time_recursive", "io_merged_recursive", "io_time_recursive", "sectors_recursive")) {
            blkio.putNull(key);
        }
        json.put("num_procs", 0);
        json.putObject("storage_stats");
        json.set("cpu_stats", cpu(now));
        json.set("precpu_stats", cpu(previous));
        ObjectNode memory = json.putObject("memory_stats");
        memory.put("usage", now.memory());
        memory.putObject("stats");
        memory.put("limit", now.memoryLimit());
        if (!now.links().isEmpty()) {
            ObjectNode networks = json.putObject("networks");
            for (LinkStatistics l : now.links()) {
                ObjectNode n = networks.putObject(l.name());
                n.put("rx_bytes", l.rxBytes());
                n.put("rx_packets", l.rxPackets());
                n.put("rx_errors", l.rxErrors());
                n.put("rx_dropped", l.rxDropped());
                n.put("tx_bytes", l.txBytes());
                n.put("tx_packets", l.txPackets());
                n.put("tx_errors", l.txErrors());
                n.put("tx_dropped", l.txDropped());
            }
        }
        return json;
    }

    private static ObjectNode cpu(Sample s) {
        ObjectNode cpu = NODES.objectNode();
        ObjectNode usage = cpu.putObject("cpu_usage");
        usage.put("total_usage", s.user() + s.kernel());
        usage.put("usage_in_kernelmode", s.kernel());
        usage.put("usage_in_usermode", s.user());
        cpu.put("system_cpu_usage", s.host());
        cpu.put("online_cpus", s.cpus());
        cpu.putObject("throttling_data").put("periods", 0).put("throttled_periods", 0).put("throttled_time", 0);
        return cpu;
    }

    private static String time(Instant instant) {
        return instant == null ? ZERO_TIME : DateTimeFormatter.ISO_INSTANT.format(instant);
    }
}
