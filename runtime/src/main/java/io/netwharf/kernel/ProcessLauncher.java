package io.netwharf.kernel;

import io.netwharf.protocol.netlink.Errno;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Starts a container's process inside its network namespace and reaps it; adopts one a previous run started.
 *
 * <p>A child inherits the network namespace of the thread that creates it, so the process is spawned with
 * posix_spawn(3) from a {@link NamespaceThreads} task that has entered the namespace. Not with ProcessBuilder: the JDK
 * would start its process reaper thread from that thread, inside the namespace, for good. Every thread this class
 * needs (one spawner, one {@link Reaper}) is created by the constructor, on the caller's thread.
 *
 * <p>A process that runs as another user than root is executed through util-linux's {@code setpriv}, which sets the
 * user and group ids and the supplementary groups in the child, then executes the program. posix_spawn cannot change
 * ids, and neither can a JVM between fork and exec; setpriv is the audited tool that does exactly this
 * (setresuid with the saved id too, setresgid, setgroups, in the right order) and nothing else, and the kernel drops
 * root's capabilities when the ids change. The program's argv[0] is then its resolved path.
 *
 * <p>A process given a {@link NameView} is spawned from new mount and UTS namespaces made for it alone
 * ({@link NamespaceThreads#callInNewNamespaces}, {@link NameMounts}): it sees its own /etc/hostname, /etc/hosts and
 * /etc/resolv.conf and its own host name, while the host's mounts and host name stay as they are. Those namespaces
 * live as long as the process and what it starts.
 */
public final class ProcessLauncher implements AutoCloseable {
    private static final Path ROOT = Path.of("/");
    private static final List<Path> SETPRIV = List.of(Path.of("/usr/bin/setpriv"), Path.of("/bin/setpriv"));

    private final Reaper reaper;
    private final NamespaceThreads spawners;
    private final OutputPump output;
    private volatile boolean closed;

    public ProcessLauncher() {
        // jnr's native memory may start a finalizer thread on first use: let that happen here, not inside a task.
        Native.allocate(1);
        reaper = new Reaper("netwharf-reaper");
        spawners = new NamespaceThreads("netwharf-spawn", 1);
        output = new OutputPump("netwharf-output");
    }

    /** Reads the output of the processes started with {@link ProcessStdio#pipes}. */
    public OutputPump output() {
        return output;
    }

    /** {@link #launch(Netns, List, List, Path, Credentials, Path, Path)} as root, the default. */
    public ContainerProcess launch(Netns netns, List<String> argv, List<String> env, Path workingDir, Path stdoutLog, Path stderrLog) {
        return launch(netns, argv, env, workingDir, Credentials.ROOT, stdoutLog, stderrLog);
    }

    /**
     * Starts {@code argv} inside {@code netns} (null: the namespace of the thread that made this launcher) as
     * {@code user}, with exactly the environment {@code env} ("NAME=value" entries), in {@code workingDir} (null: /),
     * stdin from /dev/null, stdout and stderr appended to the two logs (null: /dev/null), created with mode 0640.
     * Returns once the program has been executed.
     *
     * @throws ProcessRefusedException when the working directory or argv[0] is missing or not what it must be
     *     ({@link ExecutableNotFoundException} for a program that is not there), before anything is started
     * @throws KernelException when the process cannot be started (an unreadable log, an exec refused by the kernel)
     */
    public ContainerProcess launch(Netns netns, List<String> argv, List<String> env, Path workingDir, Credentials user,
                                   Path stdoutLog, Path stderrLog) {
        return launch(netns, null, argv, env, workingDir, user, stdoutLog, stderrLog);
    }

    /**
     * {@link #launch(Netns, List, List, Path, Credentials, Path, Path)}, the process seeing {@code names} (null: the
     * host's files and host name, no namespace but the network's made for it).
     *
     * @throws KernelException also when the namespaces cannot be made or a file cannot be bound (nothing started)
     */
    public ContainerProcess launch(Netns netns, NameView names, List<String> argv, List<String> env, Path workingDir,
                                   Credentials user, Path stdoutLog, Path stderrLog) {
        return launch(netns, names, argv, env, workingDir, user, ProcessStdio.files(stdoutLog, stderrLog));
    }

    /** {@link #launch(Netns, NameView, List, List, Path, Credentials, Path, Path)} with its descriptors as {@code stdio} says. */
    public ContainerProcess launch(Netns netns, NameView names, List<String> argv, List<String> env, Path workingDir,
                                   Credentials user, ProcessStdio stdio) {
        if (closed) {
            throw new IllegalStateException("process launcher is closed");
        }
        if (argv.isEmpty()) {
            throw new KernelException("spawn", Errno.EINVAL.number, "no command given");
        }
        Path dir = workingDir == null ? ROOT : workingDir.toAbsolutePath();
        ExecutableLookup.checkWorkingDirectory(dir, user);
        String executable = ExecutableLookup.resolve(argv.get(0), env, dir, user);
        List<String> args = argv;
        if (!user.equals(Credentials.ROOT)) {
            args = asUser(user, executable, argv);
            executable = args.get(0);
        }
        int pid;
        try (SpawnRequest request = new SpawnRequest(executable, args, env, dir, stdio)) {
            if (names == null) {
                pid = spawners.call(netns, request::spawn);
            } else {
                NameMounts mounts = new NameMounts(names);
                pid = spawners.callInNewNamespaces(netns, LibC.CLONE_NEWNS | LibC.CLONE_NEWUTS, () -> {
                    mounts.apply();
                    return request.spawn();
                });
            }
        } catch (KernelException e) {
            String where = netns == null ? "" : " in " + netns;
            throw new KernelException(e.operation() + where, e.errno(), e.detail());
        }
        return reaper.watch(pid);
    }

    /**
     * Starts {@code argv} beside a running container's process {@code beside}: inside {@code netns} and, when
     * {@code beside} is not 0, inside that process's mount and UTS namespaces (it sees what the container's process
     * sees of names); as {@link #launch(Netns, NameView, List, List, Path, Credentials, ProcessStdio)} otherwise
     * ({@code docker exec}). The process joins the process group of {@code group} (the container's process, which
     * leads its own), so that the container's stop signals it too; 0: a group of its own.
     */
    public ContainerProcess launchBeside(Netns netns, int beside, int group, List<String> argv, List<String> env, Path workingDir,
                                         Credentials user, ProcessStdio stdio) {
        if (closed) {
            throw new IllegalStateException("process launcher is closed");
        }
        check(argv, env, workingDir, user);
        Path dir = workingDir == null ? ROOT : workingDir.toAbsolutePath();
        String executable = ExecutableLookup.resolve(argv.get(0), env, dir, user);
        List<String> args = argv;
        if (!user.equals(Credentials.ROOT)) {
            args = asUser(user, executable, argv);
            executable = args.get(0);
        }
        int mount = -1;
        int uts = -1;
        int pid;
        try (SpawnRequest request = new SpawnRequest(executable, args, env, dir, stdio, group)) {
            if (beside == 0) {
                pid = spawners.call(netns, request::spawn);
            } else {
                mount = Native.check(Native.LIBC.open("/proc/" + beside + "/ns/mnt", LibC.O_RDONLY | LibC.O_CLOEXEC),
                        "open the mount namespace of " + beside);
                uts = Native.check(Native.LIBC.open("/proc/" + beside + "/ns/uts", LibC.O_RDONLY | LibC.O_CLOEXEC),
                        "open the UTS namespace of " + beside);
                pid = spawners.callInNamespaces(netns, mount, uts, request::spawn);
            }
        } finally {
            Native.closeQuietly(mount);
            Native.closeQuietly(uts);
        }
        return reaper.watch(pid);
    }

    /**
     * Takes over watching a process this launcher did not start: one a previous run launched, reparented since (to
     * init or a subreaper), so no child of this JVM. The pid is opened as a pidfd first, and only then checked to be
     * the process that started at {@code startTime} ({@link ProcessStartTime}, clock ticks since boot): a pid recycled
     * before the open is caught, and after it the pidfd names this one process. Its exit is seen through the pidfd,
     * its code is unknowable ({@link ContainerProcess#UNKNOWN_EXIT}); {@link ContainerProcess#signal} reaches its
     * group through the pidfd.
     *
     * @return the process, or empty when {@code pid} is gone or is another process now
     * @throws KernelException when the pid cannot be opened or watched for another reason
     */
    public Optional<ContainerProcess> adopt(int pid, long startTime) {
        if (closed) {
            throw new IllegalStateException("process launcher is closed");
        }
        return reaper.adopt(pid, startTime);
    }

    /**
     * Checks what {@link #launch} checks before it starts anything (the working directory and argv[0], for
     * {@code user}), so that a caller can refuse a process before it prepares anything else for it.
     *
     * @throws ProcessRefusedException as {@link #launch} would
     */
    public void check(List<String> argv, List<String> env, Path workingDir, Credentials user) {
        if (argv.isEmpty()) {
            throw new KernelException("spawn", Errno.EINVAL.number, "no command given");
        }
        Path dir = workingDir == null ? ROOT : workingDir.toAbsolutePath();
        ExecutableLookup.checkWorkingDirectory(dir, user);
        ExecutableLookup.resolve(argv.get(0), env, dir, user);
    }

    /** {@code setpriv --reuid=U --regid=G --groups=...|--clear-groups -- executable args...}. */
    private static List<String> asUser(Credentials user, String executable, List<String> argv) {
        String setpriv = SETPRIV.stream().filter(Files::isExecutable).findFirst().map(Path::toString)
                .orElseThrow(() -> new IllegalStateException("cannot run a process as another user: util-linux's setpriv is not "
                        + "installed (looked for " + SETPRIV.stream().map(Path::toString).collect(Collectors.joining(" and ")) + ")"));
        List<String> args = new ArrayList<>(List.of(setpriv, "--reuid=" + user.uid(), "--regid=" + user.gid(),
                user.groups().isEmpty() ? "--clear-groups"
                        : "--groups=" + user.groups().stream().map(String::valueOf).collect(Collectors.joining(",")),
                "--", executable));
        args.addAll(argv.subList(1, argv.size()));
        return args;
    }

    /** Stops the spawner and the reaper. Running processes keep running; their exit codes fail with IllegalStateException. */
    @Override
    public void close() {
        closed = true;
        spawners.close();
        reaper.close();
        output.close();
    }
}
