package io.netwharf.bench.stress;

import io.netwharf.bench.stress.StressResult.ContainerRow;
import io.netwharf.bench.stress.StressResult.Network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stress driver's pure parts, without root or a daemon: how it spreads containers over networks, and its outputs. */
class StressPlanAndReportTest {
    private static final Path WORK = Path.of("/nonexistent");

    @Test
    void tenThousandGoOnTenNetworksOfOneThousandEachCarvedFromThePool() {
        List<Network> plan = StressRun.plan(StressSettings.defaults(10_000, 16, WORK), "abc");
        assertEquals(10, plan.size());
        for (int k = 0; k < 10; k++) {
            assertEquals("stress-abc-net" + k, plan.get(k).name());
            assertEquals("10.128." + (4 * k) + ".0/22", plan.get(k).subnet(), "a /22 holds 1,000 containers and the gateway");
            assertEquals("10.128." + (4 * k) + ".1", plan.get(k).gateway());
            assertEquals(1000, plan.get(k).members());
        }
    }

    @Test
    void aThousandOrFewerGoOnOneNetwork() {
        assertEquals(List.of(1000), members(StressSettings.defaults(1000, 16, WORK)));
        List<Network> small = StressRun.plan(StressSettings.defaults(50, 4, WORK), "abc");
        assertEquals("10.128.0.0/26", small.get(0).subnet(), "50 containers, gateway, network and broadcast fit in 64 addresses");
    }

    @Test
    void givenNetworksShareTheContainersRoundRobin() {
        assertEquals(List.of(334, 333, 333), members(StressSettings.defaults(1000, 16, WORK).withNetworks(3)));
        assertEquals("10.128.2.0/23", StressRun.plan(StressSettings.defaults(1000, 16, WORK).withNetworks(3), "abc").get(1).subnet());
    }

    @Test
    void networksZeroIsTheDefaultBridgeUpToOneBridgesPorts() {
        List<Network> plan = StressRun.plan(StressSettings.defaults(1023, 16, WORK).withNetworks(0), "abc");
        assertEquals("bridge", plan.get(0).name());
        assertThrows(IllegalArgumentException.class, () -> StressRun.plan(StressSettings.defaults(1024, 16, WORK).withNetworks(0), "abc"));
    }

    @Test
    void moreThanABridgeHoldsOnOneNetworkIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StressRun.plan(StressSettings.defaults(5000, 16, WORK).withNetworks(4), "abc"));
        assertTrue(e.getMessage().contains("1250 on one"), e.getMessage());
    }

    @Test
    void aPoolTooSmallIsRefused() {
        StressSettings d = StressSettings.defaults(10_000, 16, WORK);
        StressSettings tiny = new StressSettings(d.containers(), d.clients(), d.networkMode(), d.networks(), d.perNetwork(),
                "10.128.0.0/21", d.cmd(), d.image(), d.host(), d.daemonPid(), d.daemonHeap(), d.workDir(), d.execRoot(),
                d.kernelChecks(), d.sample(), d.pingTries(), d.requestTimeout(), d.warmUp());
        assertThrows(IllegalArgumentException.class, () -> StressRun.plan(tiny, "abc"));
    }

    @Test
    void noNetworksOutsideBridgeMode() {
        StressSettings d = StressSettings.defaults(100, 4, WORK);
        StressSettings none = new StressSettings(100, 4, "none", -1, 1000, d.subnetPool(), List.of(), "stress", null, null, "256m", WORK,
                null, true, 20, 3, d.requestTimeout(), 0);
        assertEquals(List.of(), StressRun.plan(none, "abc"));
    }

    @Test
    void theTableChartRowsAndSummaryOfARun(@TempDir Path out) throws Exception {
        int n = 200;
        Map<String, Histogram> latencies = new LinkedHashMap<>();
        List<ContainerRow> rows = new ArrayList<>();
        for (String phase : List.of(StressResult.CREATE, StressResult.START, StressResult.CREATE_START, StressResult.REMOVE)) {
            latencies.put(phase, new Histogram(3_600_000_000L, 3));
        }
        for (int i = 0; i < n; i++) {
            long create = 1000 + 37L * i;
            long start = 5000 + 11L * i;
            long remove = 800 + 5L * i;
            latencies.get(StressResult.CREATE).recordValue(create);
            latencies.get(StressResult.START).recordValue(start);
            latencies.get(StressResult.CREATE_START).recordValue(create + start);
            latencies.get(StressResult.REMOVE).recordValue(remove);
            rows.add(new ContainerRow(i, "stress-abc-" + i, "stress-abc-net0", "10.128.0." + (i + 2), create, start, remove));
        }
        Map<String, Double> phases = new LinkedHashMap<>();
        phases.put(StressResult.CREATE_NETWORKS, 0.1);
        phases.put(StressResult.LAUNCH, 2.0);
        phases.put(StressResult.REMOVE, 0.5);
        phases.put(StressResult.OVERALL, 4.0);
        DaemonProcess.Memory before = new DaemonProcess.Memory(100L << 20, 10L << 20, 40L << 20, 20, 40);
        DaemonProcess.Memory full = new DaemonProcess.Memory(120L << 20, 12L << 20, 40L << 20, 220, 60);
        StressResult r = new StressResult(StressSettings.defaults(n, 16, WORK), "unix:///x.sock", 42L,
                List.of(new Network("stress-abc-net0", "id", "10.128.0.0/24", "10.128.0.1", "br-id", n)), Instant.now(), phases,
                latencies, rows, before, full, before, 0, Map.of(StressResult.LAUNCH, new StressResult.CpuUse(2, 1, 0.5, 0.2, 0.1, 3.5)),
                List.of(), List.of(), StressRun.machine("0.10 0.20 0.30"));

        ByteArrayOutputStream text = new ByteArrayOutputStream();
        StressReport.printTable(r, new PrintStream(text, true, StandardCharsets.UTF_8));
        String table = text.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("launch (create+start)           2.00       100"), table);
        assertTrue(table.contains("per container, (full - before) / N       102.4 KiB  10.2 KiB"), table);
        assertTrue(table.contains("OK: all 200 worked"), table);

        StressReport.write(r, out);
        BufferedImage png = ImageIO.read(out.resolve("stress.png").toFile());
        assertEquals(960, png.getWidth());
        List<String> csv = Files.readAllLines(out.resolve("containers.csv"));
        assertEquals("index,name,network,address,createMicros,startMicros,removeMicros", csv.get(0));
        assertEquals(n + 1, csv.size());
        assertEquals("1,stress-abc-1,stress-abc-net0,10.128.0.3,1037,5011,805", csv.get(2));
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertTrue(summary.path("ok").asBoolean());
        assertEquals(200, summary.at("/latencyMs/create+start/count").asInt());
        assertEquals(100.0, summary.at("/containersPerSecond/launch").asDouble(), 1e-9);
        assertTrue(summary.at("/machine/cores").asInt() > 0);
    }

    private static List<Integer> members(StressSettings settings) {
        return StressRun.plan(settings, "abc").stream().map(Network::members).toList();
    }
}
