package io.netwharf.kernel;

import io.netwharf.protocol.netlink.Errno;
import jnr.ffi.LibraryLoader;

/** The loaded libc and errno. */
final class Native {
    private Native() {}

    static final LibC LIBC = LibraryLoader.create(LibC.class).failImmediately().load("c");
    private static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(LIBC);

    /** Zeroed native memory of {@code size} bytes, freed when no longer referenced. */
    static jnr.ffi.Pointer allocate(int size) {
        return jnr.ffi.Memory.allocateDirect(RUNTIME, size, true);
    }

    static int addressSize() {
        return RUNTIME.addressSize();
    }

    /** errno as the last native call on this thread left it. */
    static int errno() {
        return RUNTIME.getLastError();
    }

    /** Returns {@code result} when it is not negative, else throws a {@link KernelException} with errno for {@code operation}. */
    static int check(int result, String operation) {
        if (result < 0) {
            throw new KernelException(operation, errno(), null);
        }
        return result;
    }

    /** Closes a file descriptor; errors are ignored (Linux frees the descriptor even when close reports one). */
    static void closeQuietly(int fd) {
        if (fd >= 0) {
            LIBC.close(fd);
        }
    }

    static String describe(int errno) {
        return Errno.describe(errno);
    }
}
