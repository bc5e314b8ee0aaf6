package io.netwharf.runtime;

import io.netwharf.firewall.Firewall;
import io.netwharf.firewall.NftablesFirewall;
import io.netwharf.kernel.NamespaceThreads;
import io.netwharf.kernel.NetlinkSocket;
import io.netwharf.kernel.Netns;
import io.netwharf.kernel.NetnsDirectory;
import io.netwharf.kernel.Nftables;
import io.netwharf.kernel.Sysctl;

import java.nio.file.Path;

/**
 * The kernel handles the actors share: the namespace that plays the host, the directory where container namespaces
 * are kept, the threads that step into namespaces, sysctl and the firewall. Each actor opens its own netlink socket
 * from here and keeps it; nothing here holds mutable kernel state.
 */
public final class HostKernel implements AutoCloseable {
    private static final Path OWN_NAMESPACE = Path.of("/proc/self/ns/net");

    private final NamespaceThreads threads;
    private final Netns host;
    private final NetnsDirectory sandboxes;
    private final Sysctl sysctl;
    private final Firewall firewall;

    private HostKernel(NamespaceThreads threads, Netns host, NetnsDirectory sandboxes, Firewall firewall) {
        this.threads = threads;
        this.host = host;
        this.sandboxes = sandboxes;
        this.sysctl = new Sysctl(threads);
        this.firewall = firewall;
    }

    /** Opens the host namespace named by the config (the process's own by default) and the sandbox directory. */
    public static HostKernel open(RuntimeConfig config) {
        NamespaceThreads threads = new NamespaceThreads("netwharf-netns", config.namespaceThreads());
        try {
            Netns host = Netns.open(config.hostNetns() == null ? OWN_NAMESPACE : config.hostNetns());
            NetnsDirectory sandboxes = new NetnsDirectory(config.runDirectory().resolve("netns"), threads);
            return new HostKernel(threads, host, sandboxes, new NftablesFirewall(new Nftables(threads), host));
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

    public Firewall firewall() {
        return firewall;
    }

    @Override
    public void close() {
        host.close();
        threads.close();
    }
}
