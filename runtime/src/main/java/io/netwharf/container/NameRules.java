package io.netwharf.container;

import io.netwharf.kernel.NameView;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.model.NetworkMode;

import org.xbill.DNS.Address;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Docker's rules for what a container is told about names ({@link NameSettings}), checked when it is created, with
 * Docker's messages (moby's {@code opts} and {@code runconfig}, the docker CLI's {@code ValidateExtraHost}): host and
 * domain names, DNS servers, search domains and options, {@code --add-host} entries, and the network modes that
 * conflict with them.
 */
public final class NameRules {
    /** {@code --add-host name:host-gateway}: the default bridge's gateway, as Docker's default host-gateway-ip. */
    public static final String HOST_GATEWAY = "host-gateway";
    /** RFC 1123: labels of letters, digits and inner hyphens, separated by dots. */
    private static final Pattern RFC_1123 = Pattern.compile(
            "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    /** moby's {@code domainRegexp} for {@code --dns-search} (a trailing dot allowed). */
    private static final Pattern DOMAIN = Pattern.compile(
            "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\\-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\\-]*[a-zA-Z0-9]))*\\.?");
    private static final Pattern LETTER = Pattern.compile("[a-zA-Z]");
    /** A resolv.conf option is one word; a host name in /etc/hosts has no blank or control character either. */
    private static final Pattern WORD = Pattern.compile("[\\x21-\\x7e]+");

    private NameRules() {}

    /**
     * Checks {@code names} for a container in {@code mode} and answers them in the form the engine keeps: an
     * {@code --add-host} entry as {@code name:address} (also given as {@code name=address}, the address possibly in
     * brackets), search domains trimmed.
     *
     * @throws NetwharfException a bad parameter naming the first setting that is wrong
     */
    public static NameSettings check(NameSettings names, NetworkMode mode) {
        checkMode(names, mode);
        if (present(names.hostname())) {
            checkHostname(names.hostname());
        }
        if (present(names.domainname())) {
            checkDomainname(names.domainname());
        }
        names.dns().forEach(NameRules::checkDnsServer);
        List<String> search = names.dnsSearch().stream().map(NameRules::checkDnsSearch).toList();
        names.dnsOptions().forEach(NameRules::checkDnsOption);
        List<String> extraHosts = new ArrayList<>();
        names.extraHosts().forEach(h -> extraHosts.add(extraHost(h)));
        return new NameSettings(names.hostname(), names.domainname(), names.dns(), search, names.dnsOptions(), extraHosts);
    }

    /**
     * moby's {@code validateNetContainerMode} for a container that joins another's namespace (it sees that one's
     * files); and for one in host mode, which sees the host's own files and host name in netwharf: nothing to set.
     */
    private static void checkMode(NameSettings names, NetworkMode mode) {
        if (mode instanceof NetworkMode.Container) {
            conflict(present(names.hostname()), "hostname");
            conflict(!names.dns().isEmpty(), "dns");
            conflict(!names.extraHosts().isEmpty(), "custom host-to-IP mapping");
            // Docker accepts these two and ignores them: the joiner sees the other container's resolv.conf.
            conflict(!names.dnsSearch().isEmpty(), "dns search");
            conflict(!names.dnsOptions().isEmpty(), "dns options");
            conflict(present(names.domainname()), "domainname");
        } else if (mode instanceof NetworkMode.Host) {
            conflict(present(names.hostname()), "hostname");
            hostMode(!names.dns().isEmpty(), "--dns (HostConfig.Dns)");
            hostMode(!names.dnsSearch().isEmpty(), "--dns-search (HostConfig.DnsSearch)");
            hostMode(!names.dnsOptions().isEmpty(), "--dns-option (HostConfig.DnsOptions)");
            hostMode(!names.extraHosts().isEmpty(), "--add-host (HostConfig.ExtraHosts)");
            hostMode(present(names.domainname()), "--domainname (Domainname)");
        }
    }

    private static void conflict(boolean given, String what) {
        if (given) {
            throw NetwharfException.badParameter("conflicting options: " + what + " and the network mode");
        }
    }

    private static void hostMode(boolean given, String option) {
        if (given) {
            throw NetwharfException.badParameter("netwharf gives a container in host network mode the host's own /etc/resolv.conf, "
                    + "/etc/hosts and host name: create it without " + option);
        }
    }

    /** moby's length limit (Linux's), then RFC 1123's form, in Docker's words. */
    static void checkHostname(String hostname) {
        if (hostname.getBytes(StandardCharsets.UTF_8).length > NameView.MAX_NAME_BYTES) {
            throw NetwharfException.badParameter("hostname \"" + hostname + "\" is too long (maximum " + NameView.MAX_NAME_BYTES + " bytes)");
        }
        if (!RFC_1123.matcher(hostname).matches()) {
            throw NetwharfException.badParameter("invalid hostname format: " + hostname);
        }
    }

    static void checkDomainname(String domainname) {
        if (domainname.getBytes(StandardCharsets.UTF_8).length > NameView.MAX_NAME_BYTES) {
            throw NetwharfException.badParameter("domainname \"" + domainname + "\" is too long (maximum " + NameView.MAX_NAME_BYTES + " bytes)");
        }
        if (!RFC_1123.matcher(domainname).matches()) {
            throw NetwharfException.badParameter("invalid domainname format: " + domainname);
        }
    }

    private static void checkDnsServer(String server) {
        if (ipAddress(server) == null) {
            throw NetwharfException.badParameter("IP address is not correctly formatted: " + server + " (HostConfig.Dns)");
        }
    }

    /** moby's {@code ValidateDNSSearch}: "." stands for no search domain. */
    private static String checkDnsSearch(String domain) {
        String trimmed = domain.strip();
        if (trimmed.equals(".")) {
            return trimmed;
        }
        if (!LETTER.matcher(trimmed).find() || !DOMAIN.matcher(trimmed).matches() || trimmed.length() >= 255) {
            throw NetwharfException.badParameter(domain + " is not a valid domain");
        }
        return trimmed;
    }

    private static void checkDnsOption(String option) {
        if (!WORD.matcher(option).matches()) {
            throw NetwharfException.badParameter("invalid DNS option: \"" + option + "\" (an option of resolv.conf is one word)");
        }
    }

    /** The docker CLI's {@code ValidateExtraHost}: {@code name=address} or {@code name:address}, kept as {@code name:address}. */
    static String extraHost(String entry) {
        int equals = entry.indexOf('=');
        int separator = equals >= 0 ? equals : entry.indexOf(':');
        String name = separator < 0 ? "" : entry.substring(0, separator);
        if (separator < 0 || name.isEmpty() || name.contains(":") || !WORD.matcher(name).matches()) {
            throw NetwharfException.badParameter("bad format for add-host: \"" + entry + "\"");
        }
        String address = entry.substring(separator + 1);
        if (!address.equals(HOST_GATEWAY)) {
            if (address.length() > 2 && address.startsWith("[") && address.endsWith("]")) {
                address = address.substring(1, address.length() - 1);
            }
            if (ipAddress(address) == null) {
                throw NetwharfException.badParameter("invalid IP address in add-host: \"" + address + "\"");
            }
        }
        return name + ":" + address;
    }

    /** An IPv4 or IPv6 literal, never looked up; null when {@code text} is not one. */
    static InetAddress ipAddress(String text) {
        if (text == null || text.isEmpty() || !text.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '.' || c == ':')) {
            return null;
        }
        try {
            return Address.getByAddress(text);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static boolean present(String value) {
        return value != null && !value.isEmpty();
    }
}
