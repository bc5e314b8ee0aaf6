package io.netwharf.container;

import java.util.ArrayList;
import java.util.List;

/**
 * A container's /etc/hosts as moby's {@code etchosts.Build} writes it: localhost and the IPv6 names, then the
 * {@code --add-host} entries, then each of the container's own addresses with its names ({@code makeHostsRecs}: the
 * host name, or {@code hostname.domainname} and the first label when there is a dot), one {@code address<TAB>names}
 * line each.
 */
final class HostsFile {
    private static final List<String> DEFAULT = List.of(
            "127.0.0.1\tlocalhost",
            "::1\tlocalhost ip6-localhost ip6-loopback",
            "fe00::\tip6-localnet",
            "ff00::\tip6-mcastprefix",
            "ff02::1\tip6-allnodes",
            "ff02::2\tip6-allrouters");

    private final List<String> lines = new ArrayList<>(DEFAULT);

    HostsFile add(String address, String names) {
        lines.add(address + "\t" + names);
        return this;
    }

    /** The names an own address gets: {@code hostname[.domainname]}, and the bare first label when that has a dot. */
    static String ownNames(String hostname, String domainname) {
        String names = domainname == null || domainname.isEmpty() ? hostname : hostname + "." + domainname;
        int dot = names.indexOf('.');
        return dot < 0 ? names : names + " " + names.substring(0, dot);
    }

    String text() {
        return String.join("\n", lines) + "\n";
    }
}
