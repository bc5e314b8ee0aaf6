package io.netwharf.kernel;

import io.netwharf.protocol.netlink.Errno;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

/**
 * Named, persistent network namespaces under a run directory of netwharf's own, as {@code ip netns} keeps them
 * under /run/netns: each is an empty file with the namespace's nsfs file bind-mounted on it, so it outlives the
 * threads and descriptors that made it and a restarted runtime finds it again. The directory is root's alone (0700).
 */
public final class NetnsDirectory {
    private static final String THREAD_NAMESPACE = "/proc/thread-self/ns/net";

    private final Path directory;
    private final NamespaceThreads threads;

    public NetnsDirectory(Path directory, NamespaceThreads threads) {
        this.directory = directory;
        this.threads = threads;
        try {
            Directories.ensure(directory, Directories.PRIVATE);
        } catch (IOException e) {
            throw new KernelException("create netns directory " + directory, Errno.EIO.number, e.toString());
        }
    }

    public Path directory() {
        return directory;
    }

    public NamespaceThreads threads() {
        return threads;
    }

    public Path pathOf(String name) {
        checkName(name);
        return directory.resolve(name);
    }

    /** Creates namespace {@code name} and returns it open. Nothing is left behind when it fails. */
    public Netns create(String name) {
        return create(name, false).netns();
    }

    /**
     * Creates namespace {@code name} and, in the same visit to it, opens a netlink socket inside: the socket a
     * sandbox keeps for all its later work, without another switch into the namespace.
     */
    public ConnectedNetns createConnected(String name) {
        return create(name, true);
    }

    /** An open namespace and a netlink socket inside it; closing closes both (the namespace stays until deleted). */
    public record ConnectedNetns(Netns netns, NetlinkSocket socket) implements AutoCloseable {
        @Override
        public void close() {
            if (socket != null) {
                socket.close();
            }
            netns.close();
        }
    }

    private ConnectedNetns create(String name, boolean withSocket) {
        Path path = pathOf(name);
        String operation = "create netns " + name;
        try {
            Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            throw new KernelException(operation, Errno.EEXIST.number, path + " already exists");
        } catch (IOException e) {
            throw new KernelException(operation, Errno.EIO.number, e.toString());
        }
        NetlinkSocket socket = null;
        try {
            socket = threads.callInNewNamespace(() -> {
                Native.check(Native.LIBC.mount(THREAD_NAMESPACE, path.toString(), "none", LibC.MS_BIND, null), operation + " (bind mount)");
                return withSocket ? NetlinkSocket.open() : null;
            });
            return new ConnectedNetns(Netns.open(name, path), socket);
        } catch (RuntimeException e) {
            if (socket != null) {
                socket.close();
            }
            Native.LIBC.umount2(path.toString(), LibC.MNT_DETACH);
            deleteQuietly(path);
            throw e;
        }
    }

    /** Opens the existing namespace {@code name}. */
    public Netns open(String name) {
        return Netns.open(name, pathOf(name));
    }

    public boolean exists(String name) {
        return Files.exists(pathOf(name));
    }

    /** The names of the namespaces in the directory. */
    public List<String> list() {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new KernelException("list netns directory " + directory, Errno.EIO.number, e.toString());
        }
    }

    /**
     * Deletes namespace {@code name}: unmounts and removes its file. The kernel frees the namespace, and the links
     * inside it, once no descriptor, socket or thread holds it any more.
     */
    public void delete(String name) {
        Path path = pathOf(name);
        String operation = "delete netns " + name;
        if (!Files.exists(path)) {
            throw new KernelException(operation, Errno.ENOENT.number, "no such namespace in " + directory);
        }
        if (Native.LIBC.umount2(path.toString(), LibC.MNT_DETACH) < 0) {
            int errno = Native.errno();
            if (errno != Errno.EINVAL.number) { // EINVAL: not a mount point, a file left by a crash; remove it all the same
                throw new KernelException(operation + " (unmount)", errno, null);
            }
        }
        try {
            Files.delete(path);
        } catch (IOException e) {
            throw new KernelException(operation, Errno.EIO.number, e.toString());
        }
    }

    /** Opens a netlink socket inside {@code netns}; the socket stays there whichever thread uses it later. */
    public NetlinkSocket openSocket(Netns netns) {
        return threads.call(netns, NetlinkSocket::open);
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // best effort on a failure path; the original error is what the caller sees
        }
    }

    static void checkName(String name) {
        if (name == null || name.isEmpty() || name.length() > 255 || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0
                || name.indexOf('\0') >= 0) {
            throw new KernelException("netns name '" + name + "'", Errno.EINVAL.number,
                    "a namespace name is 1 to 255 characters, without '/' and not '.' or '..'");
        }
    }
}
