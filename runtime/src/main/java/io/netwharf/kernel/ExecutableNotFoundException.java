package io.netwharf.kernel;

/**
 * The program a container was to run does not exist, worded as Docker words it:
 * {@code exec: "nosuch": executable file not found in $PATH}. A client error (the gateway answers 400), found before
 * any process is started.
 */
public final class ExecutableNotFoundException extends ProcessRefusedException {
    private final String executable;

    ExecutableNotFoundException(String executable, String message) {
        super(message, NOT_FOUND);
        this.executable = executable;
    }

    /** argv[0] as the caller gave it. */
    public String executable() {
        return executable;
    }
}
