package io.netwharf.kernel;

/**
 * The process a container was to run cannot be started as asked, found before anything was started: its working
 * directory or its program is missing, or is not what it must be. A client error (the gateway answers 400), worded
 * as runc words it, with the exit code Docker records for it (126: cannot be invoked, 127: not found).
 */
public class ProcessRefusedException extends RuntimeException {
    /** Docker's exit code for a command that cannot be invoked (permission denied, a directory). */
    public static final int CANNOT_INVOKE = 126;
    /** Docker's exit code for a command or working directory that does not exist. */
    public static final int NOT_FOUND = 127;

    private final int exitCode;

    ProcessRefusedException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    /** The exit code Docker records for the container. */
    public int exitCode() {
        return exitCode;
    }
}
