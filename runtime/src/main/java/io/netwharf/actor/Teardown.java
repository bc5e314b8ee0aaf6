package io.netwharf.actor;

import io.netwharf.protocol.model.NetwharfException;

import java.util.ArrayList;
import java.util.List;

/**
 * Takes something apart step by step and goes on after a step fails, as netavark's teardown does: every step is
 * tried, and {@link #finish} throws one error that names each failure (or returns when there was none). What a step
 * removed must be recorded by the caller only when the step succeeded, so a second teardown finishes the job.
 */
public final class Teardown {
    private final String what;
    private final List<String> failures = new ArrayList<>();
    private final List<Throwable> causes = new ArrayList<>();

    public Teardown(String what) {
        this.what = what;
    }

    /** Runs {@code step}; true when it succeeded. */
    public boolean step(String name, Runnable step) {
        try {
            step.run();
            return true;
        } catch (RuntimeException e) {
            Throwable cause = KernelErrors.unwrap(e);
            failures.add(name + ": " + cause.getMessage());
            causes.add(cause);
            return false;
        }
    }

    /** Throws one error naming every failed step; returns when none failed. */
    public void finish() {
        if (!failures.isEmpty()) {
            throw combined(what, failures, causes);
        }
    }

    /**
     * The failures of a teardown as one error: {@code what: the one failure}, or {@code what: N steps failed: a; b},
     * the first cause kept as the cause and the others as suppressed ones.
     */
    public static NetwharfException combined(String what, List<String> failures, List<Throwable> causes) {
        NetwharfException error = NetwharfException.internal(what + ": " + (failures.size() == 1 ? failures.get(0)
                : failures.size() + " steps failed: " + String.join("; ", failures)), causes.isEmpty() ? null : causes.get(0));
        causes.stream().skip(1).forEach(error::addSuppressed);
        return error;
    }
}
