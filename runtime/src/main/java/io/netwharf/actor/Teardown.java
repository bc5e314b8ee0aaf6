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
    private Throwable first;

    public Teardown(String what) {
        this.what = what;
    }

    /** Runs {@code step}; true when it succeeded. */
    public boolean step(String name, Runnable step) {
        try {
            step.run();
            return true;
        } catch (RuntimeException e) {
            failed(name, e);
            return false;
        }
    }

    /** Records a failure that happened elsewhere (an asked actor's answer). */
    public void failed(String name, Throwable failure) {
        Throwable cause = KernelErrors.unwrap(failure);
        failures.add(name + ": " + cause.getMessage());
        if (first == null) {
            first = cause;
        }
    }

    public boolean failed() {
        return !failures.isEmpty();
    }

    /** Throws one error naming every failed step; returns when none failed. */
    public void finish() {
        if (failures.isEmpty()) {
            return;
        }
        throw NetwharfException.internal(what + " failed in " + failures.size() + (failures.size() == 1 ? " step: " : " steps: ")
                + String.join("; ", failures), first);
    }
}
