package io.netwharf.container;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A container's resolv.conf, made from the host's as moby's {@code libnetwork/internal/resolvconf} makes it: the
 * host's file read ({@code nameserver} lines that are not addresses dropped, the last {@code search} or
 * {@code domain} line kept, {@code options} gathered, other lines kept as they are), the container's own
 * {@code --dns}, {@code --dns-search} and {@code --dns-option} put in place of the host's, then either
 * <ul>
 *   <li>{@link #forEmbeddedDns()}: the embedded DNS server as the only name server, and {@code ndots:0} unless an
 *       {@code ndots} option is left; or</li>
 *   <li>{@link #forDefaultBridge()}: the name servers a container can reach: the host's loopback ones (and IPv6
 *       ones: netwharf's networks are IPv4) dropped, Docker's fallback when none is left; servers given with
 *       {@code --dns} are kept as given.</li>
 * </ul>
 * Written without moby's trailing comments.
 */
final class ResolvConf {
    /** Where Docker's embedded DNS server listens in every container on a user-defined network. */
    static final String EMBEDDED_DNS = "127.0.0.11";
    /** moby's {@code defaultIPv4NSs}: used when the host has no name server a container can reach. */
    static final List<String> FALLBACK = List.of("8.8.8.8", "8.8.4.4");

    private List<String> nameservers = new ArrayList<>();
    private List<String> search = new ArrayList<>();
    private List<String> options = new ArrayList<>();
    private final List<String> other = new ArrayList<>();
    private boolean nameserversGiven;

    /** The host's file; a missing one reads as empty, as moby reads it. */
    static ResolvConf read(Path hostFile) throws IOException {
        try {
            return parse(Files.readString(hostFile));
        } catch (NoSuchFileException e) {
            return new ResolvConf();
        }
    }

    static ResolvConf parse(String text) {
        ResolvConf rc = new ResolvConf();
        text.lines().forEach(rc::parseLine);
        return rc;
    }

    private void parseLine(String line) {
        if (line.isEmpty() || line.charAt(0) == '#' || line.charAt(0) == ';') {
            return;
        }
        String[] fields = line.strip().split("\\s+");
        if (fields[0].isEmpty()) {
            return;
        }
        List<String> values = List.of(fields).subList(1, fields.length);
        switch (fields[0]) {
            case "nameserver" -> {
                if (!values.isEmpty() && NameRules.ipAddress(values.get(0)) != null) {
                    nameservers.add(values.get(0));
                }
            }
            case "domain", "search" -> {
                if (!values.isEmpty()) {
                    search = new ArrayList<>(values);
                }
            }
            case "options" -> options.addAll(values);
            default -> other.add(line);
        }
    }

    /** The container's own settings in place of the host's, each only when given. */
    ResolvConf override(NameSettings names) {
        if (!names.dns().isEmpty()) {
            nameservers = new ArrayList<>(names.dns());
            nameserversGiven = true;
        }
        if (!names.dnsSearch().isEmpty()) {
            search = new ArrayList<>(names.dnsSearch().stream().filter(s -> !s.equals(".")).toList());
        }
        if (!names.dnsOptions().isEmpty()) {
            options = new ArrayList<>(names.dnsOptions());
        }
        return this;
    }

    /** moby's {@code TransformForIntNS} with the resolver's required option {@code ndots:0}. */
    ResolvConf forEmbeddedDns() {
        nameservers = new ArrayList<>(List.of(EMBEDDED_DNS));
        options.removeIf(ResolvConf::invalidNdots);
        if (options.stream().noneMatch(o -> o.equals("ndots") || o.startsWith("ndots:"))) {
            options.add("ndots:0");
        }
        return this;
    }

    /** moby's {@code TransformForLegacyNw} for a container without IPv6. */
    ResolvConf forDefaultBridge() {
        if (nameserversGiven) {
            return this;
        }
        nameservers.removeIf(ns -> {
            InetAddress address = NameRules.ipAddress(ns);
            return address.isLoopbackAddress() || address instanceof Inet6Address;
        });
        if (nameservers.isEmpty()) {
            nameservers.addAll(FALLBACK);
        }
        return this;
    }

    List<String> nameservers() {
        return List.copyOf(nameservers);
    }

    String text() {
        StringBuilder b = new StringBuilder();
        nameservers.forEach(ns -> b.append("nameserver ").append(ns).append('\n'));
        if (!search.isEmpty()) {
            b.append("search ").append(String.join(" ", search)).append('\n');
        }
        if (!options.isEmpty()) {
            b.append("options ").append(String.join(" ", options)).append('\n');
        }
        other.forEach(line -> b.append(line).append('\n'));
        return b.toString();
    }

    /** moby's {@code removeInvalidNDots}: {@code ndots} without a value, or with one that is not a number of 0 or more. */
    private static boolean invalidNdots(String option) {
        if (!option.equals("ndots") && !option.startsWith("ndots:")) {
            return false;
        }
        String value = option.length() > 6 ? option.substring(6) : "";
        try {
            return Integer.parseInt(value) < 0;
        } catch (NumberFormatException e) {
            return true;
        }
    }
}
