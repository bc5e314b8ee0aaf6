package io.netwharf.runtime;

import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.model.PortBinding;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The host ports published containers hold, by protocol, host address and port, owned by the runtime's actor (no
 * locking). A binding on every address (0.0.0.0) conflicts with any binding of that port and protocol, and the other
 * way round, as the kernel's own bind would. Reserving a container's bindings is all or nothing, before any kernel
 * change; a host port of 0 is chosen from the ephemeral range, a range {@code 8000-8010} gives its first free port.
 */
final class HostPorts {
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}");
    private static final String ANY = "0.0.0.0";

    private record Key(String protocol, String hostIp, int port) {}

    private final Map<Key, String> owners = new HashMap<>();
    /** How many addresses hold each protocol and port ("tcp/80"): a binding on every address needs none. */
    private final Map<String, Integer> holders = new HashMap<>();
    private final Map<String, List<PortBinding>> byContainer = new HashMap<>();
    private final int ephemeralFirst;
    private final int ephemeralLast;
    /** Where the next search for a free ephemeral port starts: round the range, as the kernel hands them out. */
    private int nextEphemeral;

    /** {@code ephemeral}: {@code /proc/sys/net/ipv4/ip_local_port_range}'s two numbers. */
    HostPorts(int ephemeralFirst, int ephemeralLast) {
        this.ephemeralFirst = ephemeralFirst;
        this.ephemeralLast = ephemeralLast;
        this.nextEphemeral = ephemeralFirst;
    }

    /** The range as {@code ip_local_port_range} writes it ("32768\t60999"). */
    static HostPorts fromRange(String range) {
        String[] parts = range.strip().split("\\s+");
        return new HostPorts(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
    }

    /** Refuses, naming it, a binding netwharf cannot publish; checks only, reserves nothing. */
    static void check(List<PortBinding> bindings) {
        Set<String> seen = new HashSet<>();
        for (PortBinding b : bindings) {
            if (b.containerPort() < 1 || b.containerPort() > 65535) {
                throw NetwharfException.badParameter("invalid container port " + b.containerPort() + ": it must be 1..65535");
            }
            if (b.hostPort() < 0 || b.hostPort() > 65535 || b.hostPortEnd() < 0 || b.hostPortEnd() > 65535
                    || (b.hostPortEnd() != 0 && b.hostPortEnd() < b.hostPort())) {
                throw NetwharfException.badParameter("invalid host port range " + hostPorts(b) + ": ports must be 0..65535, the end not "
                        + "below the start");
            }
            if (!b.protocol().equals("tcp") && !b.protocol().equals("udp")) {
                throw NetwharfException.badParameter("cannot publish " + b.containerKey() + ": netwharf forwards tcp and udp ports only");
            }
            if (!b.hostIp().isEmpty() && !IPV4.matcher(b.hostIp()).matches()) {
                throw NetwharfException.badParameter("cannot publish " + b.containerKey() + " on host address '" + b.hostIp()
                        + "': netwharf publishes on IPv4 addresses only");
            }
            if (b.hostPort() != 0 && b.hostPort() == b.hostPortEnd() && !seen.add(b.protocol() + " " + hostIp(b) + " " + b.hostPort())) {
                throw NetwharfException.badParameter("host port " + hostIp(b) + ":" + b.hostPort() + "/" + b.protocol()
                        + " is published twice");
            }
        }
    }

    /**
     * Reserves {@code container}'s bindings and returns them with their host ports chosen; refuses the first one that
     * cannot be had, with Docker's words, and then holds none of them.
     */
    List<PortBinding> reserve(String container, List<PortBinding> bindings) {
        check(bindings);
        List<Key> taken = new ArrayList<>();
        List<PortBinding> chosen = new ArrayList<>();
        try {
            for (PortBinding b : bindings) {
                int port = choose(b);
                Key key = new Key(b.protocol(), hostIp(b), port);
                take(key, container);
                taken.add(key);
                chosen.add(new PortBinding(b.hostIp(), port, port, b.containerPort(), b.protocol()));
            }
        } catch (NetwharfException e) {
            taken.forEach(key -> give(key, container));
            throw e;
        }
        byContainer.put(container, List.copyOf(chosen));
        return List.copyOf(chosen);
    }

    /** Takes back bindings already chosen (a container adopted after a restart), whatever holds them now. */
    void restore(String container, List<PortBinding> chosen) {
        for (PortBinding b : chosen) {
            Key key = new Key(b.protocol(), hostIp(b), b.hostPort());
            String holder = owners.get(key);
            if (holder != null) {
                give(key, holder);
            }
            take(key, container);
        }
        byContainer.put(container, List.copyOf(chosen));
    }

    /** Frees what {@code container} holds; nothing held is not an error. */
    void release(String container) {
        List<PortBinding> held = byContainer.remove(container);
        if (held != null) {
            for (PortBinding b : held) {
                give(new Key(b.protocol(), hostIp(b), b.hostPort()), container);
            }
        }
    }

    private int choose(PortBinding b) {
        String ip = hostIp(b);
        if (b.hostPort() == 0) {
            int span = ephemeralLast - ephemeralFirst + 1;
            for (int i = 0; i < span; i++) {
                int port = ephemeralFirst + (nextEphemeral - ephemeralFirst + i) % span;
                if (free(b.protocol(), ip, port)) {
                    nextEphemeral = port == ephemeralLast ? ephemeralFirst : port + 1;
                    return port;
                }
            }
            throw NetwharfException.conflict("Bind for " + ip + ":" + b.containerPort() + " failed: no free host port in the range "
                    + ephemeralFirst + "-" + ephemeralLast);
        }
        int last = b.hostPortEnd() == 0 ? b.hostPort() : b.hostPortEnd();
        for (int port = b.hostPort(); port <= last; port++) {
            if (free(b.protocol(), ip, port)) {
                return port;
            }
        }
        // Docker's words (moby's portallocator.ErrPortAlreadyAllocated, as the daemon wraps it).
        throw NetwharfException.conflict("Bind for " + ip + ":" + hostPorts(b) + " failed: port is already allocated");
    }

    private boolean free(String protocol, String ip, int port) {
        if (owners.containsKey(new Key(protocol, ip, port))) {
            return false;
        }
        if (ip.equals(ANY)) {
            return !holders.containsKey(protocol + "/" + port);
        }
        return !owners.containsKey(new Key(protocol, ANY, port));
    }

    private void take(Key key, String container) {
        owners.put(key, container);
        holders.merge(key.protocol() + "/" + key.port(), 1, Integer::sum);
    }

    /** Frees {@code key} if {@code container} holds it. */
    private void give(Key key, String container) {
        if (owners.remove(key, container)) {
            holders.computeIfPresent(key.protocol() + "/" + key.port(), (k, n) -> n == 1 ? null : n - 1);
        }
    }

    private static String hostIp(PortBinding b) {
        return b.hostIp().isEmpty() ? ANY : b.hostIp();
    }

    private static String hostPorts(PortBinding b) {
        return b.hostPortEnd() == 0 || b.hostPortEnd() == b.hostPort() ? Integer.toString(b.hostPort()) : b.hostPort() + "-" + b.hostPortEnd();
    }
}
