package io.netwharf.kernel;

import jnr.ffi.Pointer;
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
    int SC_CLK_TCK = 2;
    int SC_PAGESIZE = 30;
    int CLONE_NEWNET = 0x40000000;
    int CLONE_NEWNS = 0x00020000;
    int CLONE_NEWUTS = 0x04000000;
    int CLONE_FS = 0x00000200;
    long MS_BIND = 4096;
    long MS_REC = 16384;
    long MS_PRIVATE = 1 << 18;
    int MNT_DETACH = 2;
    int O_WRONLY = 1;
    int O_CREAT = 0100;
    int O_APPEND = 02000;
    int O_RDWR = 2;
    int O_NONBLOCK = 04000;
    int EAGAIN = 11;
    int ESRCH = 3;
    int EINVAL = 22;
    int EINTR = 4;
    int ECHILD = 10;
    int WNOHANG = 1;
    short POSIX_SPAWN_SETPGROUP = 0x02;
    short POSIX_SPAWN_SETSIGDEF = 0x04;
    short POSIX_SPAWN_SETSIGMASK = 0x08;
    int EPOLL_CLOEXEC = O_CLOEXEC;
    int EPOLL_CTL_ADD = 1;
    int EPOLL_CTL_DEL = 2;
    int EPOLLIN = 0x001;
    int EPOLLHUP = 0x010;
    int EFD_CLOEXEC = O_CLOEXEC;
    int EFD_NONBLOCK = 04000;
    int SIGKILL = 9;
    int SIGTERM = 15;
    /** pidfd_send_signal: to the process group the pidfd's process leads (Linux 6.9). */
    int PIDFD_SIGNAL_PROCESS_GROUP = 4;

    int socket(int domain, int type, int protocol);

    int bind(int fd, @In ByteBuffer address, int length);

    int setsockopt(int fd, int level, int option, @In IntByReference value, int length);

    @ssize_t long send(int fd, @In ByteBuffer buffer, @size_t long length, int flags);

    @ssize_t long recv(int fd, @Out ByteBuffer buffer, @size_t long length, int flags);

    int setns(int fd, int nstype);

    /** sysconf(3): the clock ticks per second and the page size, which /proc's counters are in. */
    long sysconf(int name);

    int unshare(int flags);

    int mount(String source, String target, String filesystemType, long flags, String data);

    /** mount(2) with its strings in native memory the caller prepared (a null Pointer: NULL). */
    int mount(Pointer source, Pointer target, Pointer filesystemType, long flags, Pointer data);

    int umount2(String target, int flags);

    int sethostname(Pointer name, @size_t long length);

    int setdomainname(Pointer name, @size_t long length);

    int open(String path, int flags);

    int close(int fd);

    @ssize_t long read(int fd, @Out ByteBuffer buffer, @size_t long length);

    @ssize_t long write(int fd, @In ByteBuffer buffer, @size_t long length);

    int mkfifo(String path, int mode);

    int gettid();

    // Process spawning. The opaque structs and the argv/envp arrays are native memory the caller owns, so a
    // call makes no allocation of jnr's own (whose first one starts a finalizer thread in the calling namespace).
    int posix_spawn(Pointer pid, Pointer path, Pointer fileActions, Pointer attributes, Pointer argv, Pointer envp);

    int posix_spawn_file_actions_init(Pointer fileActions);

    int posix_spawn_file_actions_destroy(Pointer fileActions);

    int posix_spawn_file_actions_addopen(Pointer fileActions, int fd, String path, int flags, int mode);

    int posix_spawn_file_actions_addchdir_np(Pointer fileActions, String path);

    int posix_spawn_file_actions_addclosefrom_np(Pointer fileActions, int from);

    int posix_spawnattr_init(Pointer attributes);

    int posix_spawnattr_destroy(Pointer attributes);

    int posix_spawnattr_setflags(Pointer attributes, short flags);

    int posix_spawnattr_setpgroup(Pointer attributes, int pgroup);

    int posix_spawnattr_setsigmask(Pointer attributes, Pointer sigset);

    int posix_spawnattr_setsigdefault(Pointer attributes, Pointer sigset);

    int sigemptyset(Pointer sigset);

    int sigaddset(Pointer sigset, int signal);

    // Process reaping and signalling.
    int pidfd_open(int pid, int flags);

    int waitpid(int pid, @Out IntByReference status, int options);

    int kill(int pid, int signal);

    int pidfd_send_signal(int pidfd, int signal, Pointer info, int flags);

    int getpid();

    int epoll_create1(int flags);

    int epoll_ctl(int epfd, int op, int fd, @In ByteBuffer event);

    int epoll_wait(int epfd, @Out ByteBuffer events, int maxEvents, int timeoutMillis);

    int eventfd(int initialValue, int flags);

    int eventfd_write(int fd, long value);
}
