package io.netwharf.bench;

import org.HdrHistogram.Histogram;

/**
 * One round of a comparison tool wiring N containers: how long the whole create phase took, how long each container
 * took on its own, and how long the teardown took until the bridge had no port left.
 */
record BaselineRun(double seconds, long[] perContainerMicros, double teardownSeconds) {

    /** The per-container time at {@code percentile} (100: the maximum), in microseconds. */
    double percentileMicros(double percentile) {
        Histogram h = new Histogram(3);
        for (long m : perContainerMicros) {
            h.recordValue(Math.max(0, m));
        }
        return percentile >= 100 ? h.getMaxValue() : h.getValueAtPercentile(percentile);
    }
}
