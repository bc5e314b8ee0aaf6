package io.netwharf.container;

import java.util.List;

/**
 * What a container's process sees of names: its host name and the files netwharf writes for it
 * ({@code /etc/hostname}, {@code /etc/hosts}, {@code /etc/resolv.conf}).
 *
 * @param hostname   {@code --hostname}; null or empty: the short id
 * @param domainname {@code --domainname}; null or empty: none
 * @param dns        {@code --dns}: upstream servers (the embedded DNS forwards to them; on the default bridge they go
 *                   into resolv.conf); empty: the host's
 * @param dnsSearch  {@code --dns-search}
 * @param dnsOptions {@code --dns-option}
 * @param extraHosts {@code --add-host} entries, {@code name:address}
 */
public record NameSettings(String hostname, String domainname, List<String> dns, List<String> dnsSearch, List<String> dnsOptions,
                           List<String> extraHosts) {
    public static final NameSettings DEFAULT = new NameSettings(null, null, List.of(), List.of(), List.of(), List.of());

    public NameSettings {
        dns = dns == null ? List.of() : List.copyOf(dns);
        dnsSearch = dnsSearch == null ? List.of() : List.copyOf(dnsSearch);
        dnsOptions = dnsOptions == null ? List.of() : List.copyOf(dnsOptions);
        extraHosts = extraHosts == null ? List.of() : List.copyOf(extraHosts);
    }
}
