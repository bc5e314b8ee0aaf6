package io.netwharf.kernel;

import static io.netwharf.kernel.Native.LIBC;

/**
 * Named points where a test can have netwharf die by SIGKILL, to show what a crash at that point leaves behind and
 * that a restart sets it right: a JVM started with {@code -Dnetwharf.fault-point=NAME} sends itself SIGKILL when it
 * reaches the point NAME. A real SIGKILL, not an exit: no shutdown hook, no finally block, no buffered write runs,
 * as when the machine's OOM killer or an operator's {@code kill -9} strikes. Off unless the property is set; then a
 * point costs a comparison with null.
 */
public final class FaultPoint {
    public static final String PROPERTY = "netwharf.fault-point";
    /** Read once: the point this JVM dies at, or null. */
    private static final String ARMED = System.getProperty(PROPERTY);

    private FaultPoint() {}

    /** Dies here by SIGKILL when this JVM was started with {@link #PROPERTY} set to {@code name}; else returns. */
    public static void reach(String name) {
        if (ARMED != null && ARMED.equals(name)) {
            die(name);
        }
    }

    private static void die(String name) {
        System.err.println("netwharf: fault point " + name + " reached: SIGKILL to this process (" + PROPERTY + ")");
        System.err.flush();
        // A signal a process sends itself is delivered before kill returns: nothing after this line runs.
        LIBC.kill(LIBC.getpid(), LibC.SIGKILL);
        throw new IllegalStateException("fault point " + name + ": kill(SIGKILL) to this process failed: "
                + Native.describe(Native.errno()));
    }
}
