package io.netwharf.bench.stress;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.text.DecimalFormat;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How far a phase has got: {@link #step()} once per container, from any thread. {@link #terminal()} draws a one-line
 * bar with count, rate and ETA, redrawn in place (me.tongfei:progressbar); {@link #lines} prints a plain line every
 * tenth of the way or every few seconds, for logs and pipes; {@link #none()} shows nothing (for callers that only want
 * the results).
 */
public interface Progress extends AutoCloseable {
    void step();

    @Override
    void close();

    /** Makes the progress of one phase of {@code total} steps. */
    interface Factory {
        Progress start(String phase, int total);
    }

    /** On a terminal, the bar; otherwise plain lines to {@code out}. */
    static Factory auto(PrintStream out) {
        return System.console() != null ? terminal() : lines(out, Duration.ofSeconds(5));
    }

    static Factory none() {
        return (phase, total) -> new Progress() {
            @Override
            public void step() {}

            @Override
            public void close() {}
        };
    }

    /** A bar on stderr, redrawn with \r five times a second: {@code launch  42% [=====>    ] 4200/10000 (0:00:05 / 0:00:07) 840/s}. */
    static Factory terminal() {
        return (phase, total) -> {
            ProgressBar bar = new ProgressBarBuilder().setTaskName(String.format("%-7s", phase)).setInitialMax(total)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).showSpeed(new DecimalFormat("0"))
                    .setSpeedUnit(ChronoUnit.SECONDS).setMaxRenderedLength(100).build();
            return new Progress() {
                @Override
                public void step() {
                    bar.step();
                }

                @Override
                public void close() {
                    bar.close();
                }
            };
        };
    }

    /**
     * Plain lines: {@code launch: 4200/10000 (42%), 840/s, ETA 7 s}, when another tenth is done or {@code every} has
     * passed since the last line, checked by the stepping threads themselves (no thread of its own), and a last
     * line with the phase's time and rate.
     */
    static Factory lines(PrintStream out, Duration every) {
        return (phase, total) -> new Progress() {
            private final long started = System.nanoTime();
            private final AtomicLong done = new AtomicLong();
            private final AtomicLong lastLine = new AtomicLong(started);
            private final AtomicLong lastTenth = new AtomicLong();

            @Override
            public void step() {
                long n = done.incrementAndGet();
                long now = System.nanoTime();
                long tenth = n * 10 / total;
                long previous = lastLine.get();
                boolean due = (tenth > lastTenth.get() && n < total) || now - previous > every.toNanos();
                if (due && lastLine.compareAndSet(previous, now)) {
                    lastTenth.set(tenth);
                    double rate = n / ((now - started) / 1e9);
                    out.printf(Locale.ROOT, "%s: %d/%d (%d%%), %.0f/s, ETA %.0f s%n", phase, n, total, n * 100 / total, rate,
                            (total - n) / rate);
                }
            }

            @Override
            public void close() {
                double seconds = (System.nanoTime() - started) / 1e9;
                out.printf(Locale.ROOT, "%s: %d/%d in %.2f s, %.0f/s%n", phase, done.get(), total, seconds, done.get() / seconds);
            }
        };
    }
}
