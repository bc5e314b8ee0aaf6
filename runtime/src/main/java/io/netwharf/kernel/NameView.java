package io.netwharf.kernel;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * What a container's process sees of names: the host and domain names of a UTS namespace of its own, and the files
 * bound over the host's {@code /etc/hostname}, {@code /etc/hosts} and {@code /etc/resolv.conf} in a mount namespace of
 * its own (as {@code ip netns exec} binds {@code /etc/netns/<name>/}).
 *
 * @param hostname       at most 64 bytes, Linux's limit
 * @param domainname     the NIS domain name of the UTS namespace; null or empty: left as the host's, as runc leaves it
 * @param hostnameFile   bound over {@code /etc/hostname}
 * @param hostsFile      bound over {@code /etc/hosts}
 * @param resolvConfFile bound over {@code /etc/resolv.conf}
 */
public record NameView(String hostname, String domainname, Path hostnameFile, Path hostsFile, Path resolvConfFile) {
    /** Linux's {@code __NEW_UTS_LEN}: a host or domain name is at most this many bytes. */
    public static final int MAX_NAME_BYTES = 64;

    public NameView {
        if (hostname == null || hostname.isEmpty() || hostname.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("a host name is 1 to " + MAX_NAME_BYTES + " bytes: " + hostname);
        }
        if (domainname != null && domainname.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("a domain name is at most " + MAX_NAME_BYTES + " bytes: " + domainname);
        }
        if (!hostnameFile.isAbsolute() || !hostsFile.isAbsolute() || !resolvConfFile.isAbsolute()) {
            throw new IllegalArgumentException("the files of a name view are absolute paths: " + hostnameFile + ", " + hostsFile + ", "
                    + resolvConfFile);
        }
    }

    public boolean hasDomainname() {
        return domainname != null && !domainname.isEmpty();
    }
}
