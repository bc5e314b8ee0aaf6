package io.netwharf.kernel;

import java.nio.file.Path;

/**
 * What a launched process gets as descriptors 0, 1 and 2: each a path that posix_spawn opens in the child, with its
 * flags.
 *
 * <p>{@link #pipes}: stdout and stderr are named pipes the daemon reads ({@link OutputPump}), opened by the child for
 * reading and writing. Holding the read side too is what keeps the process alive when the daemon is not there: a
 * pipe with no reader makes its writer die of SIGPIPE, so with a plain write-only end a daemon crash would kill every
 * container that prints. With both ends, a write while the daemon is away fills the pipe's buffer (64 KiB) and then
 * waits for the daemon to come back and read it, as Docker's containers wait on their shim's FIFOs.
 */
public record ProcessStdio(Path stdin, int stdinFlags, Path stdout, int stdoutFlags, Path stderr, int stderrFlags) {
    private static final Path DEV_NULL = Path.of("/dev/null");
    private static final int APPEND = LibC.O_WRONLY | LibC.O_CREAT | LibC.O_APPEND;

    /** stdin from /dev/null, stdout and stderr appended to the two files (null: /dev/null). */
    public static ProcessStdio files(Path stdout, Path stderr) {
        return new ProcessStdio(DEV_NULL, LibC.O_RDONLY, orNull(stdout), APPEND, orNull(stderr), APPEND);
    }

    /**
     * stdout and stderr to the two named pipes (see above), stdin from the named pipe {@code stdin} (null: /dev/null),
     * which the daemon must hold open for writing before the spawn, or the child's open would wait for it.
     */
    public static ProcessStdio pipes(Path stdin, Path stdout, Path stderr) {
        return new ProcessStdio(stdin == null ? DEV_NULL : stdin.toAbsolutePath(), LibC.O_RDONLY,
                stdout.toAbsolutePath(), LibC.O_RDWR, stderr.toAbsolutePath(), LibC.O_RDWR);
    }

    private static Path orNull(Path file) {
        return file == null ? DEV_NULL : file.toAbsolutePath();
    }
}
