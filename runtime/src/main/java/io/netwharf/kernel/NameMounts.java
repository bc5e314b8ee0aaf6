package io.netwharf.kernel;

import jnr.ffi.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static io.netwharf.kernel.Native.LIBC;

/**
 * Makes a {@link NameView} true for the calling thread once it is in new mount and UTS namespaces of its own (see
 * {@link NamespaceThreads#callInNewNamespaces}), for the process it then spawns: every mount of the new namespace
 * made private, so that nothing done here propagates back to the host's; each file bound over its /etc name; the
 * host name (and the domain name, when given) set. As {@link SpawnRequest}, every string is put in native memory by
 * the constructor, on the caller's thread, so that {@link #apply()} is system calls alone.
 *
 * <p>A bind lands where the /etc name leads: on the target of a symbolic link ({@code /etc/resolv.conf} often is one).
 * A name the host does not have at all (no such file, or a link to nothing) is not bound: the process, like the host,
 * has none; that is logged once per name. netwharf never creates a file on the host's filesystem for it.
 */
final class NameMounts {
    private static final Logger LOG = LoggerFactory.getLogger(NameMounts.class);
    static final Path ETC_HOSTNAME = Path.of("/etc/hostname");
    static final Path ETC_HOSTS = Path.of("/etc/hosts");
    static final Path ETC_RESOLV_CONF = Path.of("/etc/resolv.conf");
    private static final Set<Path> REPORTED_MISSING = ConcurrentHashMap.newKeySet();

    private record Bind(String source, String target, Pointer sourcePath, Pointer targetPath) {}

    private final Pointer root = cString("/");
    private final List<Bind> binds = new ArrayList<>();
    private final Pointer hostname;
    private final int hostnameLength;
    private final Pointer domainname;
    private final int domainnameLength;

    NameMounts(NameView view) {
        bind(view.hostnameFile(), ETC_HOSTNAME);
        bind(view.hostsFile(), ETC_HOSTS);
        bind(view.resolvConfFile(), ETC_RESOLV_CONF);
        byte[] name = view.hostname().getBytes(StandardCharsets.UTF_8);
        hostname = bytes(name);
        hostnameLength = name.length;
        byte[] domain = view.hasDomainname() ? view.domainname().getBytes(StandardCharsets.UTF_8) : null;
        domainname = domain == null ? null : bytes(domain);
        domainnameLength = domain == null ? 0 : domain.length;
    }

    private void bind(Path source, Path target) {
        if (!Files.exists(target)) {
            if (REPORTED_MISSING.add(target)) {
                LOG.warn("the host has no {}: container processes see none either (netwharf binds its own only over an existing file)", target);
            }
            return;
        }
        binds.add(new Bind(source.toString(), target.toString(), cString(source.toString()), cString(target.toString())));
    }

    /** Inside the new namespaces: makes the mounts private, binds the files, sets the names. System calls only. */
    void apply() {
        // MS_REC | MS_PRIVATE on /: the copied mounts stop sharing events with the host's (systemd makes / shared).
        Native.check(LIBC.mount(null, root, null, LibC.MS_REC | LibC.MS_PRIVATE, null), "make the process's mounts private");
        for (Bind b : binds) {
            Native.check(LIBC.mount(b.sourcePath(), b.targetPath(), null, LibC.MS_BIND, null), "bind " + b.source() + " over " + b.target());
        }
        Native.check(LIBC.sethostname(hostname, hostnameLength), "set the host name");
        if (domainname != null) {
            Native.check(LIBC.setdomainname(domainname, domainnameLength), "set the domain name");
        }
    }

    private static Pointer cString(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        Pointer p = Native.allocate(bytes.length + 1);
        p.put(0, bytes, 0, bytes.length);
        return p;
    }

    private static Pointer bytes(byte[] bytes) {
        Pointer p = Native.allocate(Math.max(1, bytes.length));
        p.put(0, bytes, 0, bytes.length);
        return p;
    }
}
