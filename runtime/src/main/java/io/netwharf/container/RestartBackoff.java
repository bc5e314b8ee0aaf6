package io.netwharf.container;

import java.time.Duration;

/**
 * The delay before a container is restarted, as moby's restart manager grows it: 100 ms for the first restart, twice
 * the last one for each next restart, at most one minute; back to 100 ms after a process that ran for 10 s or more.
 * One per container, kept while it restarts by policy; a user's start begins a new one.
 */
final class RestartBackoff {
    static final Duration FIRST = Duration.ofMillis(100);
    static final Duration MAX = Duration.ofMinutes(1);
    /** A process that ran this long was up, not crash-looping: the delay starts over. */
    static final Duration STEADY = Duration.ofSeconds(10);

    private Duration last = Duration.ZERO;

    /** The delay before the next restart of a process that ran for {@code ran}. */
    Duration next(Duration ran) {
        if (ran.compareTo(STEADY) >= 0) {
            last = Duration.ZERO;
        }
        Duration next = last.isZero() ? FIRST : last.multipliedBy(2);
        last = next.compareTo(MAX) > 0 ? MAX : next;
        return last;
    }
}
