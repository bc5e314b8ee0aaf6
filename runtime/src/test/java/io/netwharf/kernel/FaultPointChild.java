package io.netwharf.kernel;

/** A JVM that passes the fault point {@code test.point}, saying so before and after and in a shutdown hook: run by {@link FaultPointTest}. */
public final class FaultPointChild {
    private FaultPointChild() {}

    public static void main(String[] args) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("shutdown hook ran")));
        System.out.println("before test.point");
        System.out.flush();
        FaultPoint.reach("test.point");
        System.out.println("after test.point");
    }
}
