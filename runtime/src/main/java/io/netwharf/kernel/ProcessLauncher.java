package io.netwharf.kernel;

import io.netwharf.protocol.netlink.Errno;

import java.nio.file.Path;
import java.util.List;

/**
 * Starts a container's process inside its network namespace and reaps it.
 *
 * <p>A child inherits the network namespace of the thread that creates it, so the process is spawned with
 * posix_spawn(3) from a {@link NamespaceThreads} task that has entered the namespace. Not with ProcessBuilder: the JDK
 * would start its process reaper thread from that thread, inside the namespace, for good. Every thread this class
 * needs (one spawner, one {@link Reaper}) is created by the constructor, on the caller's thread.
 */
public final class ProcessLauncher implements AutoCloseable {
    private static final Path DEV_NULL = Path.of("/dev/null");
    private static final Path ROOT = Path.of("/");

    private final Reaper reaper;
    private final NamespaceThreads spawners;
    private volatile boolean closed;

    public ProcessLauncher() {
        // jnr's native memory may start a finalizer thread on first use: let that happen here, not inside a task.
        Native.allocate(1);
        reaper = new Reaper("netwharf-reaper");
        spawners = new NamespaceThreads("netwharf-spawn", 1);
    }

    /**
     * Starts {@code argv} inside {@code netns} (null: the namespace of the thread that made this launcher) with
     * exactly the environment {@code env} ("NAME=value" entries), in {@code workingDir} (null: /), stdin from
     * /dev/null, stdout and stderr appended to the two logs (null: /dev/null), created with mode 0640. Returns once
     * the program has been executed.
     *
     * @throws ExecutableNotFoundException when argv[0] names no executable file, before anything is started
     * @throws KernelException when the process cannot be started (an unreadable log, a missing working directory,
     *     an exec refused by the kernel)
     */
    public ContainerProcess launch(Netns netns, List<String> argv, List<String> env, Path workingDir, Path stdoutLog, Path stderrLog) {
        if (closed) {
            throw new IllegalStateException("process launcher is closed");
        }
        if (argv.isEmpty()) {
            throw new KernelException("spawn", Errno.EINVAL.number, "no command given");
        }
        Path dir = workingDir == null ? ROOT : workingDir.toAbsolutePath();
        String executable = ExecutableLookup.resolve(argv.get(0), env, dir);
        int pid;
        try (SpawnRequest request = new SpawnRequest(executable, argv, env, dir,
                absolute(stdoutLog), absolute(stderrLog))) {
            pid = spawners.call(netns, request::spawn);
        } catch (KernelException e) {
            String where = netns == null ? "" : " in " + netns;
            throw new KernelException(e.operation() + where, e.errno(), e.detail());
        }
        return reaper.watch(pid);
    }

    private static Path absolute(Path log) {
        return log == null ? DEV_NULL : log.toAbsolutePath();
    }

    /** Stops the spawner and the reaper. Running processes keep running; their exit codes fail with IllegalStateException. */
    @Override
    public void close() {
        closed = true;
        spawners.close();
        reaper.close();
    }
}
