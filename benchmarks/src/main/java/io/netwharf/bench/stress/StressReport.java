package io.netwharf.bench.stress;

import io.netwharf.bench.stress.StressResult.ContainerRow;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A stress run's figures: the table on a terminal, and the chart (PNG), rows (CSV) and summary (JSON) in a folder. */
public final class StressReport {
    private static final double MIB = 1024 * 1024;
    private static final Color[] COLOURS = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728)};

    private StressReport() {}

    /** The run in one line: what, how many, where. */
    public static String headline(StressResult r) {
        StressSettings s = r.settings();
        String where = switch (s.networkMode()) {
            case "bridge" -> r.networks().size() == 1 && r.networks().get(0).name().equals("bridge") ? "bridge mode on the default bridge network"
                    : "bridge mode on " + r.networks().size() + " user network" + (r.networks().size() == 1 ? "" : "s");
            default -> s.networkMode() + " mode";
        };
        return String.format(Locale.ROOT, "%d containers by %d clients, %s%s; daemon %s%s", s.containers(), s.clients(), where,
                s.cmd().isEmpty() ? ", no command" : ", command " + String.join(" ", s.cmd()),
                s.childDaemon() ? "child, -Xmx" + s.daemonHeap() + ", " : "", r.host());
    }

    /** The run in a few words, for the chart: how many, how, and the two headline figures. */
    private static String chartLine(StressResult r) {
        StressSettings s = r.settings();
        String on = s.networkMode().equals("bridge") ? "bridge mode, " + r.networks().size() + " network" + (r.networks().size() == 1 ? "" : "s")
                : s.networkMode() + " mode";
        return String.format(Locale.ROOT, "%d containers by %d HTTP clients, %s: launched in %.2f s, removed in %.2f s", s.containers(),
                s.clients(), on, r.seconds(StressResult.LAUNCH), r.seconds(StressResult.REMOVE));
    }

    /** The table: time per phase, rate, latency percentiles per request kind, the daemon's memory. */
    public static void printTable(StressResult r, PrintStream out) {
        StressResult.Machine m = r.machine();
        out.println();
        out.println("netwharf stress, " + DateTimeFormatter.ISO_LOCAL_DATE.format(r.startedAt().atOffset(ZoneOffset.UTC)) + ": " + headline(r));
        out.printf(Locale.ROOT, "machine: %d cores (%s), %.1f GiB, Linux %s, %s; load average %s at the start%n", m.cores(), m.cpu(),
                m.memoryBytes() / MIB / 1024, m.kernel(), m.java(), m.loadAverage());
        out.printf(Locale.ROOT, "%-26s %9s %9s %9s %9s %9s %9s%n", "phase", "total s", "cont./s", "p50 ms", "p90 ms", "p99 ms", "max ms");
        for (Map.Entry<String, Double> phase : r.phaseSeconds().entrySet()) {
            String name = phase.getKey();
            if (name.equals(StressResult.LAUNCH)) {
                latencyRow(out, "  " + StressResult.CREATE, null, null, r.latencies().get(StressResult.CREATE));
                latencyRow(out, "  " + StressResult.START, null, null, r.latencies().get(StressResult.START));
                latencyRow(out, name, phase.getValue(), r.launchRate(), r.latencies().get(StressResult.CREATE_START));
            } else if (name.equals(StressResult.REMOVE)) {
                latencyRow(out, name, phase.getValue(), r.removeRate(), r.latencies().get(StressResult.REMOVE));
            } else {
                String label = name.equals(StressResult.CREATE_NETWORKS) || name.equals(StressResult.DELETE_NETWORKS)
                        ? name + " (" + r.networks().stream().filter(nw -> !nw.name().equals("bridge")).count() + ")" : name;
                out.printf(Locale.ROOT, "%-26s %9.2f%n", label, phase.getValue());
            }
        }
        r.cpu().forEach((phase, c) -> out.printf(Locale.ROOT,
                "CPU in %s: %.1f s wall x %d cores = %.1f core-s; daemon %.1f s (user %.1f, sys %.1f), driver %.1f s, "
                        + "whole machine busy %.1f s%n", phase, c.wallSeconds(), m.cores(), c.wallSeconds() * m.cores(),
                c.daemonUser() + c.daemonSystem(), c.daemonUser(), c.daemonSystem(), c.driverUser() + c.driverSystem(), c.machineBusy()));
        if (r.before() != null) {
            out.printf(Locale.ROOT, "%-40s %9s %9s %9s %9s %9s%n", "daemon", "RSS MiB", "heap MiB", "committed", "files", "threads");
            memoryRow(out, "before (networks made, no container)", r.before());
            memoryRow(out, "full (" + r.settings().containers() + " containers)", r.full());
            memoryRow(out, "after removal (networks still there)", r.after());
            out.printf(Locale.ROOT, "%-40s %9s %9s%n", "per container, (full - before) / N", kib(r.rssPerContainer()), kib(r.heapPerContainer()));
            out.println("(heap: in use after a full GC and committed, jcmd GC.run then GC.heap_info; RSS follows the committed heap)");
        }
        if (r.daemonExit() != null) {
            out.println("daemon exited with " + r.daemonExit() + " after SIGTERM");
        }
        if (r.ok()) {
            out.println("OK: all " + r.settings().containers() + " worked, nothing left behind");
        }
        r.failures().forEach(f -> out.println("FAILED: " + f));
        r.leaks().forEach(l -> out.println("LEAK: " + l));
    }

    private static void latencyRow(PrintStream out, String label, Double seconds, Double rate, Histogram h) {
        String total = seconds == null ? "" : String.format(Locale.ROOT, "%.2f", seconds);
        String perSecond = rate == null || rate.isNaN() ? "" : String.format(Locale.ROOT, "%.0f", rate);
        if (h == null || h.getTotalCount() == 0) {
            out.printf(Locale.ROOT, "%-26s %9s %9s%n", label, total, perSecond);
            return;
        }
        out.printf(Locale.ROOT, "%-26s %9s %9s %9.1f %9.1f %9.1f %9.1f%n", label, total, perSecond, ms(h, 50), ms(h, 90), ms(h, 99),
                h.getMaxValue() / 1000.0);
    }

    private static void memoryRow(PrintStream out, String label, DaemonProcess.Memory m) {
        if (m == null) {
            out.printf(Locale.ROOT, "%-40s %9s %9s%n", label, "-", "-");
            return;
        }
        out.printf(Locale.ROOT, "%-40s %9.1f %9s %9s %9d %9d%n", label, m.rssBytes() / MIB, mib(m.heapUsedBytes()),
                mib(m.heapCommittedBytes()), m.openFiles(), m.threads());
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "-" : String.format(Locale.ROOT, "%.1f", bytes / MIB);
    }

    private static String kib(double bytes) {
        return Double.isNaN(bytes) ? "-" : String.format(Locale.ROOT, "%.1f KiB", bytes / 1024);
    }

    private static double ms(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1000.0;
    }

    /** Writes {@code stress.png}, {@code containers.csv} and {@code summary.json} into {@code dir}; answers the files. */
    public static List<Path> write(StressResult r, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path csv = dir.resolve("containers.csv");
        Path json = dir.resolve("summary.json");
        Path png = dir.resolve("stress.png");
        CsvMapper csvMapper = new CsvMapper();
        CsvSchema schema = csvMapper.schemaFor(ContainerRow.class).withHeader();
        csvMapper.writer(schema).writeValue(csv.toFile(), r.containers());
        new ObjectMapper().findAndRegisterModules().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), summary(r));
        chart(r, png);
        return List.of(png, csv, json);
    }

    /** The table's figures, the run's parameters and the machine, as one JSON object. */
    public static ObjectNode summary(StressResult r) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("date", r.startedAt().toString());
        root.put("ok", r.ok());
        root.set("failures", mapper.valueToTree(r.failures()));
        root.set("leaks", mapper.valueToTree(r.leaks()));
        StressSettings s = r.settings();
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("containers", s.containers());
        parameters.put("clients", s.clients());
        parameters.put("networkMode", s.networkMode());
        parameters.put("networks", r.networks().size());
        parameters.put("subnetPool", s.subnetPool());
        parameters.put("cmd", s.cmd());
        parameters.put("image", s.image());
        parameters.put("host", r.host());
        parameters.put("childDaemon", s.childDaemon());
        parameters.put("daemonHeap", s.childDaemon() ? s.daemonHeap() : null);
        parameters.put("daemonPid", r.daemonPid());
        parameters.put("sample", s.sample());
        parameters.put("pingTries", s.pingTries());
        root.set("parameters", mapper.valueToTree(parameters));
        root.set("machine", mapper.valueToTree(r.machine()));
        root.set("networks", mapper.valueToTree(r.networks()));
        root.set("phaseSeconds", mapper.valueToTree(r.phaseSeconds()));
        ObjectNode rates = root.putObject("containersPerSecond");
        rates.put("launch", r.launchRate());
        rates.put("remove", r.removeRate());
        ObjectNode latency = root.putObject("latencyMs");
        r.latencies().forEach((phase, h) -> {
            ObjectNode l = latency.putObject(phase);
            l.put("count", h.getTotalCount());
            if (h.getTotalCount() > 0) {
                l.put("mean", h.getMean() / 1000);
                l.put("p50", ms(h, 50));
                l.put("p90", ms(h, 90));
                l.put("p99", ms(h, 99));
                l.put("p999", ms(h, 99.9));
                l.put("max", h.getMaxValue() / 1000.0);
            }
        });
        ObjectNode memory = root.putObject("daemonMemory");
        memory.set("before", mapper.valueToTree(r.before()));
        memory.set("full", mapper.valueToTree(r.full()));
        memory.set("after", mapper.valueToTree(r.after()));
        ObjectNode per = memory.putObject("perContainer");
        per.put("rssBytes", r.rssPerContainer());
        per.put("heapBytes", r.heapPerContainer());
        root.set("cpuSeconds", mapper.valueToTree(r.cpu()));
        root.put("daemonExit", r.daemonExit());
        return root;
    }

    /**
     * Latency by percentile, one line per request kind: x the percentile on a log scale of 1/(1-p) (so 90%, 99%,
     * 99.9% are evenly spaced), y milliseconds. Rendered headless.
     */
    public static void chart(StressResult r, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYSeriesCollection data = new XYSeriesCollection();
        double widest = 10;
        for (Map.Entry<String, Histogram> e : r.latencies().entrySet()) {
            Histogram h = e.getValue();
            if (h.getTotalCount() == 0) {
                continue;
            }
            XYSeries series = new XYSeries(e.getKey(), false, true);
            double last = Math.max(10, h.getTotalCount());
            for (HistogramIterationValue v : h.percentiles(5)) {
                double p = v.getPercentileLevelIteratedTo() / 100;
                double x = p >= 1 ? last : Math.min(last, 1 / (1 - p));
                series.add(x, h.highestEquivalentValue(v.getValueIteratedTo()) / 1000.0);
            }
            widest = Math.max(widest, last);
            data.addSeries(series);
        }
        LogAxis x = new LogAxis("percentile (spaced as log 1/(1-p))");
        x.setBase(10);
        x.setRange(1, widest);
        x.setTickUnit(new NumberTickUnit(1), false, true); // one tick per power of ten: 0%, 90%, 99%, 99.9%
        x.setMinorTickCount(9);
        x.setMinorTickMarksVisible(true);
        x.setNumberFormatOverride(new PercentileFormat());
        NumberAxis y = new NumberAxis("latency, ms");
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesPaint(i, COLOURS[i % COLOURS.length]);
            renderer.setSeriesStroke(i, new BasicStroke(2f));
        }
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart("netwharf stress: latency by percentile", new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, true);
        StressResult.Machine m = r.machine();
        String where = String.format(Locale.ROOT, "%s; %d cores, Linux %s, %s",
                DateTimeFormatter.ISO_LOCAL_DATE.format(r.startedAt().atOffset(ZoneOffset.UTC)), m.cores(), m.kernel(), m.java());
        chart.addSubtitle(new TextTitle(chartLine(r), new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
        chart.addSubtitle(new TextTitle(where, new Font(Font.SANS_SERIF, Font.PLAIN, 11)));
        chart.setBackgroundPaint(Color.WHITE);
        chart.setPadding(new RectangleInsets(4, 8, 4, 24)); // room for the last tick label, 99.9…%
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 960, 540);
    }

    /** Tick labels of the 1/(1-p) axis as percentiles: 1 → 0%, 10 → 90%, 100 → 99%, 1000 → 99.9%. */
    private static final class PercentileFormat extends NumberFormat {
        @Override
        public StringBuffer format(double value, StringBuffer to, FieldPosition pos) {
            double p = 100 * (1 - 1 / value);
            String text = p <= 0 ? "0%" : String.format(Locale.ROOT, "%s%%", new java.math.BigDecimal(p).round(new java.math.MathContext(
                    Math.max(2, (int) Math.ceil(Math.log10(value)) + 1))).stripTrailingZeros().toPlainString());
            return to.append(text);
        }

        @Override
        public StringBuffer format(long value, StringBuffer to, FieldPosition pos) {
            return format((double) value, to, pos);
        }

        @Override
        public Number parse(String source, ParsePosition pos) {
            throw new UnsupportedOperationException();
        }
    }
}
