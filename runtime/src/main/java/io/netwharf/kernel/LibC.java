package io.netwharf.kernel;

import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

import java.nio.ByteBuffer;

/**
 * The libc functions netwharf calls, bound through jnr-ffi. Only this package calls native code. jnr-ffi saves
 * errno after every call; read it with {@link Native#errno()} on the same thread, before the next native call.
 * Buffers passed here are direct and start at position 0.
 */
public interface LibC {
    int AF_NETLINK = 16;
    int SOCK_RAW = 3;
    int SOCK_CLOEXEC = 0x80000;
    int SOL_SOCKET = 1;
    int SO_RCVBUF = 8;
    int SO_SNDBUF = 7;
    int SO_RCVBUFFORCE = 33;
    int MSG_TRUNC = 0x20;
    int O_RDONLY = 0;
    int O_CLOEXEC = 0x80000;
    int CLONE_NEWNET = 0x40000000;
    long MS_BIND = 4096;
    int MNT_DETACH = 2;

    int socket(int domain, int type, int protocol);

    int bind(int fd, @In ByteBuffer address, int length);

    int setsockopt(int fd, int level, int option, @In IntByReference value, int length);

    @ssize_t long send(int fd, @In ByteBuffer buffer, @size_t long length, int flags);

    @ssize_t long recv(int fd, @Out ByteBuffer buffer, @size_t long length, int flags);

    int setns(int fd, int nstype);

    int unshare(int flags);

    int mount(String source, String target, String filesystemType, long flags, String data);

    int umount2(String target, int flags);

    int open(String path, int flags);

    int close(int fd);

    int gettid();
}
