package io.netwharf.kernel;

import io.netwharf.protocol.netlink.Errno;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The kernel handles the actors share: the namespace that plays the host, the directory where container namespaces
 * are kept, the threads that step into namespaces, and sysctl. Each actor opens its own netlink socket
 * from here and keeps it; nothing here holds mutable kernel state.
 */
public final class HostKernel implements AutoCloseable {
    private static final Path OWN_NAMESPACE = Path.of("/proc/self/ns/net");

    private final NamespaceThreads threads;
    private final Netns host;
    private final NetnsDirectory sandboxes;
    private final Sysctl sysctl;

    private HostKernel(NamespaceThreads threads, Netns host, NetnsDirectory sandboxes) {
        this.threads = threads;
        this.host = host;
        this.sandboxes = sandboxes;
        this.sysctl = new Sysctl(threads);
    }

    /**
     * Opens the host namespace ({@code hostNetns}, or the process's own when null) and the directory under
     * {@code runDirectory} where container namespaces are bind-mounted. The run directory gets mode 0711 whatever the
     * umask (it holds the API socket by default, which root's group may reach), its {@code netns} folder 0700.
     */
    public static HostKernel open(Path hostNetns, Path runDirectory, int namespaceThreads) {
        NamespaceThreads threads = new NamespaceThreads("netwharf-netns", namespaceThreads);
        try {
            Netns host = Netns.open(hostNetns == null ? OWN_NAMESPACE : hostNetns);
            try {
                Directories.ensure(runDirectory, Directories.TRAVERSE_ONLY);
            } catch (IOException e) {
                throw new KernelException("create the run directory " + runDirectory, Errno.EIO.number, e.toString());
            }
            NetnsDirectory sandboxes = new NetnsDirectory(runDirectory.resolve("netns"), threads);
            return new HostKernel(threads, host, sandboxes);
        } catch (RuntimeException e) {
            threads.close();
            throw e;
        }
    }

    public Netns host() {
        return host;
    }

    /** A new netlink socket inside the host namespace, for one actor to keep. */
    public NetlinkSocket openHostSocket() {
        return sandboxes.openSocket(host);
    }

    public NetnsDirectory sandboxes() {
        return sandboxes;
    }

    public Sysctl sysctl() {
        return sysctl;
    }

    /** The threads that step into namespaces, for kernel handles that need them (libnftables, sysctl). */
    public NamespaceThreads threads() {
        return threads;
    }

    @Override
    public void close() {
        host.close();
        threads.close();
    }
}
