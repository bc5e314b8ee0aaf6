package io.netwharf.container;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One {@code docker exec}: a process to run beside a running container's, made by a create and run by a start
 * (once), inspected for its exit code. Its output goes to a log of its own ({@link ContainerLog}, in the container's
 * folder), which the start's attached client reads as it grows.
 *
 * @param cmd        the program and its arguments
 * @param env        added to the container's environment, overriding it
 * @param user       whom it runs as; null or empty: the container's user
 * @param workingDir null or empty: the container's
 * @param attachStdin whether the client writes its stdin (the exec then gets a stdin pipe)
 */
public final class ExecSession {
    /** What a create asks. */
    public record Request(List<String> cmd, List<String> env, String user, String workingDir, boolean attachStdin,
                          boolean attachStdout, boolean attachStderr) {
        public Request {
            cmd = List.copyOf(cmd);
            env = env == null ? List.of() : List.copyOf(env);
        }
    }

    private final String id;
    private final String containerId;
    private final Request request;
    private final ContainerLog log;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private volatile boolean started;
    private volatile int pid;
    private volatile java.time.Instant exitedAt;
    private volatile String failure;

    ExecSession(String id, String containerId, Request request, ContainerLog log) {
        this.id = id;
        this.containerId = containerId;
        this.request = request;
        this.log = log;
    }

    public String id() {
        return id;
    }

    public String containerId() {
        return containerId;
    }

    public Request request() {
        return request;
    }

    public ContainerLog log() {
        return log;
    }

    /** Started once: a second start is refused. */
    synchronized boolean markStarted() {
        if (started) {
            return false;
        }
        started = true;
        return true;
    }

    void running(int pid) {
        this.pid = pid;
    }

    void exited(int code) {
        pid = 0;
        exitedAt = java.time.Instant.now();
        exit.complete(code);
    }

    public boolean running() {
        return started && !exit.isDone();
    }

    public int pid() {
        return pid;
    }

    /** Its process could not be started: why, and the exit code a shell would give (127 not found, 126 not runnable). */
    void failed(String why, int code) {
        failure = why;
        exited(code);
    }

    /** Why its process could not be started; null when it was, or before its start. */
    public String failure() {
        return failure;
    }

    /** When it exited; null until then. */
    java.time.Instant exitedAt() {
        return exitedAt;
    }

    /** The exit code; null until it has exited. */
    public Integer exitCode() {
        return exit.getNow(null);
    }

    public CompletionStage<Integer> exit() {
        return exit;
    }
}
