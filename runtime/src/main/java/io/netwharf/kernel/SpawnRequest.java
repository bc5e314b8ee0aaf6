package io.netwharf.kernel;

import io.netwharf.protocol.netlink.Errno;
import jnr.ffi.Pointer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static io.netwharf.kernel.Native.LIBC;

/**
 * One posix_spawn(3) call prepared in native memory: file actions, attributes, path, argv and envp. Everything is
 * allocated and filled by the constructor, on the caller's thread, so that {@link #spawn()} is a single system call
 * fit to run inside a namespace task (jnr's own allocations may start a finalizer thread, which must not be born
 * inside a container's namespace).
 *
 * <p>The child gets stdin, stdout and stderr as {@link ProcessStdio} says, no other descriptor of
 * the JVM, the working directory, a process group of its own, an empty signal mask and default signal dispositions
 * (the JVM's threads block and handle signals a container's process must not inherit).
 */
final class SpawnRequest implements AutoCloseable {
    // glibc's posix_spawnattr_t is 336 bytes and posix_spawn_file_actions_t 80 on x86_64; both are opaque.
    private static final int OPAQUE_SIZE = 512;
    private static final int SIGSET_SIZE = 128;
    private static final int LOG_MODE = 0640;

    private final String executable;
    private final Pointer fileActions = Native.allocate(OPAQUE_SIZE);
    private final Pointer attributes = Native.allocate(OPAQUE_SIZE);
    private final Pointer signals = Native.allocate(SIGSET_SIZE);
    private final Pointer pid = Native.allocate(Integer.BYTES);
    private final Pointer path;
    private final Pointer argv;
    private final Pointer envp;
    private boolean actionsInitialized;
    private boolean attributesInitialized;

    SpawnRequest(String executable, List<String> argv, List<String> env, Path workingDir, ProcessStdio stdio) {
        this(executable, argv, env, workingDir, stdio, 0);
    }

    /** As above, the child joining the process group {@code processGroup} (0: leading one of its own). */
    SpawnRequest(String executable, List<String> argv, List<String> env, Path workingDir, ProcessStdio stdio, int processGroup) {
        this.executable = executable;
        this.path = cString(executable);
        this.argv = cStringArray(argv);
        this.envp = cStringArray(env);
        try {
            ok(LIBC.posix_spawn_file_actions_init(fileActions), "posix_spawn_file_actions_init");
            actionsInitialized = true;
            ok(LIBC.posix_spawn_file_actions_addopen(fileActions, 0, stdio.stdin().toString(), stdio.stdinFlags(), 0),
                    "stdin from " + stdio.stdin());
            ok(LIBC.posix_spawn_file_actions_addopen(fileActions, 1, stdio.stdout().toString(), stdio.stdoutFlags(), LOG_MODE),
                    "stdout to " + stdio.stdout());
            ok(LIBC.posix_spawn_file_actions_addopen(fileActions, 2, stdio.stderr().toString(), stdio.stderrFlags(), LOG_MODE),
                    "stderr to " + stdio.stderr());
            // Not every descriptor of the JVM is close-on-exec (java.io opens files without it).
            ok(LIBC.posix_spawn_file_actions_addclosefrom_np(fileActions, 3), "close the JVM's descriptors");
            ok(LIBC.posix_spawn_file_actions_addchdir_np(fileActions, workingDir.toString()), "working directory " + workingDir);

            ok(LIBC.posix_spawnattr_init(attributes), "posix_spawnattr_init");
            attributesInitialized = true;
            ok(LIBC.posix_spawnattr_setflags(attributes, (short) (LibC.POSIX_SPAWN_SETPGROUP
                    | LibC.POSIX_SPAWN_SETSIGMASK | LibC.POSIX_SPAWN_SETSIGDEF)), "posix_spawnattr_setflags");
            // Group 0: the child leads a group of its own, so a signal can reach everything it starts.
            ok(LIBC.posix_spawnattr_setpgroup(attributes, processGroup), "posix_spawnattr_setpgroup");
            Native.check(LIBC.sigemptyset(signals), "sigemptyset");
            ok(LIBC.posix_spawnattr_setsigmask(attributes, signals), "posix_spawnattr_setsigmask");
            for (int signal = 1; signal <= 31; signal++) {
                Native.check(LIBC.sigaddset(signals, signal), "sigaddset " + signal);
            }
            ok(LIBC.posix_spawnattr_setsigdefault(attributes, signals), "posix_spawnattr_setsigdefault");
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Starts the process and returns its pid. Makes no allocation and no call but posix_spawn. */
    int spawn() {
        // glibc (2.24 and later) waits for the exec and returns its error, so a failed exec is reported here.
        int error = LIBC.posix_spawn(pid, path, fileActions, attributes, argv, envp);
        if (error != 0) {
            throw new KernelException("spawn " + executable, error, null);
        }
        return pid.getInt(0);
    }

    @Override
    public void close() {
        if (actionsInitialized) {
            actionsInitialized = false;
            LIBC.posix_spawn_file_actions_destroy(fileActions);
        }
        if (attributesInitialized) {
            attributesInitialized = false;
            LIBC.posix_spawnattr_destroy(attributes);
        }
    }

    /** posix_spawn's functions return the error number instead of setting errno. */
    private static void ok(int error, String operation) {
        if (error != 0) {
            throw new KernelException(operation, error, null);
        }
    }

    private static byte[] encode(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            if (b == 0) {
                throw new KernelException("spawn", Errno.EINVAL.number, "a NUL byte in an argument or variable: " + s.replace("\0", "\\0"));
            }
        }
        return bytes;
    }

    private static Pointer cString(String s) {
        byte[] bytes = encode(s);
        Pointer p = Native.allocate(bytes.length + 1);
        p.put(0, bytes, 0, bytes.length);
        return p;
    }

    /** A NULL-terminated array of pointers followed by the NUL-terminated strings it points to, in one block. */
    private static Pointer cStringArray(List<String> strings) {
        byte[][] encoded = new byte[strings.size()][];
        int pointers = (strings.size() + 1) * Native.addressSize();
        int size = pointers;
        for (int i = 0; i < encoded.length; i++) {
            encoded[i] = encode(strings.get(i));
            size += encoded[i].length + 1;
        }
        Pointer block = Native.allocate(size);
        long offset = pointers;
        for (int i = 0; i < encoded.length; i++) {
            block.put(offset, encoded[i], 0, encoded[i].length);
            block.putAddress((long) i * Native.addressSize(), block.address() + offset);
            offset += encoded[i].length + 1;
        }
        return block;
    }
}
