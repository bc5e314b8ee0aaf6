package io.netwharf.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The side-by-side comparison as files: a bar chart (JFreeChart, headless) of each side's median seconds to set up
 * and to tear down N containers, on a log axis since the sides differ by two orders of magnitude, and the same
 * figures with the run's parameters as JSON.
 */
final class ComparisonChart {
    private ComparisonChart() {}

    /** One side's medians; NaN where the side has no such figure. */
    record Side(String label, double setUpSeconds, double tearDownSeconds, int rounds) {}

    static List<Path> write(Path dir, String title, String subtitle, Map<String, Object> parameters, List<Side> sides) throws IOException {
        Files.createDirectories(dir);
        Path png = dir.resolve("comparison.png");
        Path json = dir.resolve("comparison.json");
        chart(png, title, subtitle, sides);
        Map<String, Object> all = new LinkedHashMap<>(parameters);
        all.put("sides", sides);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), all);
        return List.of(png, json);
    }

    private static void chart(Path png, String title, String subtitle, List<Side> sides) throws IOException {
        System.setProperty("java.awt.headless", "true");
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Side side : sides) {
            // a missing figure stays out of its bar group rather than drawing as zero
            if (!Double.isNaN(side.setUpSeconds())) {
                data.addValue(side.setUpSeconds(), "set up", side.label());
            }
            if (!Double.isNaN(side.tearDownSeconds())) {
                data.addValue(side.tearDownSeconds(), "tear down", side.label());
            }
        }
        double least = sides.stream().flatMapToDouble(side -> java.util.stream.DoubleStream.of(side.setUpSeconds(), side.tearDownSeconds()))
                .filter(v -> !Double.isNaN(v) && v > 0).min().orElse(0.1);
        double most = sides.stream().flatMapToDouble(side -> java.util.stream.DoubleStream.of(side.setUpSeconds(), side.tearDownSeconds()))
                .filter(v -> !Double.isNaN(v)).max().orElse(1);
        LogAxis seconds = new LogAxis("seconds, median (log scale)");
        seconds.setBase(10);
        seconds.setSmallestValue(Math.pow(10, Math.floor(Math.log10(least))));
        seconds.setRange(Math.pow(10, Math.floor(Math.log10(least))), Math.pow(10, Math.ceil(Math.log10(most * 1.5))));
        seconds.setTickUnit(new NumberTickUnit(1), false, true); // one labelled tick per power of ten
        seconds.setMinorTickCount(9);
        seconds.setMinorTickMarksVisible(true);
        seconds.setNumberFormatOverride(new DecimalFormat("0.###"));
        BarRenderer renderer = new BarRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setSeriesPaint(0, new Color(0x1f77b4));
        renderer.setSeriesPaint(1, new Color(0xff7f0e));
        renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2} s", new DecimalFormat("0.00")));
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultPositiveItemLabelPosition(new ItemLabelPosition(ItemLabelAnchor.OUTSIDE3, TextAnchor.CENTER_LEFT));
        renderer.setItemMargin(0.05);
        CategoryPlot plot = new CategoryPlot(data, new CategoryAxis(), seconds, renderer);
        plot.setOrientation(PlotOrientation.HORIZONTAL);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, true);
        chart.addSubtitle(new TextTitle(subtitle, new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 1000, 120 + 60 * sides.size());
    }
}
