package io.netwharf.container;

import io.netwharf.kernel.NameView;
import io.netwharf.protocol.model.ContainerInfo;
import io.netwharf.protocol.model.EndpointInfo;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.model.NetworkMode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The files that tell a container's process about names, kept in its folder of the data root and written at each
 * start once its network is wired (its addresses known), as moby's libnetwork writes them: {@code hostname},
 * {@code hosts} ({@link HostsFile}) and {@code resolv.conf} ({@link ResolvConf}, from the host's). The launcher binds
 * them over the host's /etc files for the process ({@link NameView}).
 *
 * <p>A container in host mode sees the host's own files and host name ({@link #hostView()}); one in
 * {@code container:} mode sees the files and host name of the container whose namespace it joins (the engine gives it
 * that container's view), as Docker shows the owner's paths and host name for it.
 *
 * <p>Files are rewritten in place (same inode), so that a process that has them bound sees the new content.
 */
final class ContainerFiles {
    static final Path ETC_HOSTNAME = Path.of("/etc/hostname");
    static final Path ETC_HOSTS = Path.of("/etc/hosts");
    static final Path ETC_RESOLV_CONF = Path.of("/etc/resolv.conf");
    /** systemd-resolved's list of the real upstream servers, behind its 127.0.0.53 stub (moby's {@code alternatePath}). */
    private static final Path SYSTEMD_RESOLV_CONF = Path.of("/run/systemd/resolve/resolv.conf");
    private static final Path KERNEL_HOSTNAME = Path.of("/proc/sys/kernel/hostname");

    /** The host's resolv.conf to start from; null: chosen as moby's {@code resolvconf.Path} chooses. */
    private final Path hostResolvConf;

    ContainerFiles(Path hostResolvConf) {
        this.hostResolvConf = hostResolvConf;
    }

    /**
     * Writes the files of a container with a namespace of its own (bridge, a network, none) into {@code folder}, for
     * the addresses {@code network} gave it; answers what its process is to see.
     *
     * @param hostGateway the default bridge's gateway, for {@code --add-host name:host-gateway}; null when unknown
     */
    NameView write(ContainerConfig config, ContainerInfo network, Path folder, String hostGateway) {
        NameSettings names = config.names();
        String hostname = hostname(config);
        try {
            Path hostnameFile = writeFile(folder.resolve("hostname"),
                    (names.domainname() == null || names.domainname().isEmpty() ? hostname : hostname + "." + names.domainname()) + "\n");
            Path hostsFile = writeFile(folder.resolve("hosts"), hosts(config, hostname, network, hostGateway).text());
            Path resolvConfFile = writeFile(folder.resolve("resolv.conf"), resolvConf(config).text());
            return new NameView(hostname, names.domainname(), hostnameFile, hostsFile, resolvConfFile);
        } catch (IOException e) {
            throw new UncheckedIOException("write the name files of container " + config.name() + " in " + folder + ": " + e.getMessage(), e);
        }
    }

    /**
     * Rewrites the {@code hosts} file written by {@link #write} for the container's endpoints now (after a connect or
     * a disconnect while it runs, as moby adds and removes its records); its process sees the change at once.
     */
    void rewriteHosts(ContainerConfig config, ContainerInfo network, Path folder, String hostGateway) {
        try {
            writeFile(folder.resolve("hosts"), hosts(config, hostname(config), network, hostGateway).text());
        } catch (IOException e) {
            throw new UncheckedIOException("rewrite the hosts file of container " + config.name() + " in " + folder + ": " + e.getMessage(), e);
        }
    }

    /** The view of files written at an earlier start (a running container restored after netwharf's restart). */
    static NameView written(ContainerConfig config, Path folder) {
        if (config.networkMode() instanceof NetworkMode.Host) {
            return hostView();
        }
        return new NameView(hostname(config), config.names().domainname(), folder.resolve("hostname"), folder.resolve("hosts"),
                folder.resolve("resolv.conf"));
    }

    /**
     * The view of a container that joins the namespace of the one whose folder is {@code ownerFolder}, when that one's
     * view is not at hand (both restored after netwharf's restart): its files, and its host name as its
     * {@code hostname} file has it (with the domain name, when it had one).
     */
    static NameView joined(Path ownerFolder) {
        Path hostnameFile = ownerFolder.resolve("hostname");
        String hostname;
        try {
            hostname = Files.readString(hostnameFile).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("read the host name of the container whose namespace is joined, from " + hostnameFile, e);
        }
        return new NameView(hostname, null, hostnameFile, ownerFolder.resolve("hosts"), ownerFolder.resolve("resolv.conf"));
    }

    /** A container in host mode: the host's own files and host name, no namespace of its own. */
    static NameView hostView() {
        return new NameView(hostHostname(), null, ETC_HOSTNAME, ETC_HOSTS, ETC_RESOLV_CONF);
    }

    /** Whether a process seeing {@code view} needs namespaces of its own: not when the view is the host's own files. */
    static boolean ownNamespaces(NameView view) {
        return !view.hostsFile().equals(ETC_HOSTS);
    }

    /** The host name a container gets: {@code --hostname}, else the host's in host mode, else its short id (Docker's). */
    static String hostname(ContainerConfig config) {
        String asked = config.names().hostname();
        if (asked != null && !asked.isEmpty()) {
            return asked;
        }
        return config.networkMode() instanceof NetworkMode.Host ? hostHostname() : config.id().substring(0, 12);
    }

    static String hostHostname() {
        try {
            return Files.readString(KERNEL_HOSTNAME).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("read the host's name from " + KERNEL_HOSTNAME, e);
        }
    }

    private static HostsFile hosts(ContainerConfig config, String hostname, ContainerInfo network, String hostGateway) {
        HostsFile hosts = new HostsFile();
        for (String entry : config.names().extraHosts()) {
            int colon = entry.indexOf(':');
            String address = entry.substring(colon + 1);
            if (address.equals(NameRules.HOST_GATEWAY)) {
                if (hostGateway == null) {
                    throw NetwharfException.conflict("unable to derive the IP value for host-gateway: the default bridge has no gateway");
                }
                address = hostGateway;
            }
            hosts.add(address, entry.substring(0, colon));
        }
        String own = HostsFile.ownNames(hostname, config.names().domainname());
        for (EndpointInfo endpoint : network.endpoints().values()) {
            if (endpoint.ipv4Address() != null && !endpoint.ipv4Address().isEmpty()) {
                hosts.add(endpoint.ipv4Address(), own);
            }
        }
        return hosts;
    }

    /**
     * The servers the embedded DNS forwards the container's other names to: its {@code --dns}, else the host's, loopback
     * ones included (the runtime reaches those from the host's namespace, as Docker does).
     */
    List<String> upstreams(ContainerConfig config) {
        if (!config.names().dns().isEmpty()) {
            return config.names().dns();
        }
        try {
            return ResolvConf.read(hostResolvConf()).nameservers();
        } catch (IOException e) {
            throw new UncheckedIOException("read the host's name servers", e);
        }
    }

    private ResolvConf resolvConf(ContainerConfig config) throws IOException {
        ResolvConf rc = ResolvConf.read(hostResolvConf()).override(config.names());
        return config.networkMode().usesEmbeddedDns() ? rc.forEmbeddedDns() : rc.forDefaultBridge();
    }

    /** moby's {@code resolvconf.Path}: systemd-resolved's own list when /etc/resolv.conf names only its stub. */
    private Path hostResolvConf() throws IOException {
        if (hostResolvConf != null) {
            return hostResolvConf;
        }
        List<String> servers = ResolvConf.read(ETC_RESOLV_CONF).nameservers();
        return servers.equals(List.of("127.0.0.53")) && Files.exists(SYSTEMD_RESOLV_CONF) ? SYSTEMD_RESOLV_CONF : ETC_RESOLV_CONF;
    }

    /** In place (the same inode: a bind of it shows the new content), readable by the user a process runs as. */
    private static Path writeFile(Path file, String content) throws IOException {
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        return file;
    }
}
