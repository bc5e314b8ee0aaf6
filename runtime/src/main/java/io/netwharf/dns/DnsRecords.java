package io.netwharf.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the embedded DNS answers, as one immutable snapshot: per network, each name (container name, alias, short id,
 * host name) with its containers' addresses there, and each address with its first name; per container, the
 * networks it is on. A container is answered from its own networks only (Docker's scoping: an alias on network A
 * is not visible from a container that is only on B). The runtime's actor builds a new one at each change and
 * hands it to the server's thread whole.
 */
public final class DnsRecords {
    public static final DnsRecords EMPTY = of(List.of());

    /** One endpoint on a network with embedded DNS: its address and the names it answers to there. */
    public record Entry(String containerId, String networkId, String address, List<String> names) {}

    private final Map<String, Map<String, List<InetAddress>>> names;
    private final Map<String, Map<InetAddress, String>> reverse;
    private final Map<String, List<String>> networksOf;

    private DnsRecords(Map<String, Map<String, List<InetAddress>>> names, Map<String, Map<InetAddress, String>> reverse,
                       Map<String, List<String>> networksOf) {
        this.names = names;
        this.reverse = reverse;
        this.networksOf = networksOf;
    }

    public static DnsRecords of(Collection<Entry> entries) {
        Map<String, Map<String, Set<InetAddress>>> names = new HashMap<>();
        Map<String, Map<InetAddress, String>> reverse = new HashMap<>();
        Map<String, List<String>> networksOf = new HashMap<>();
        for (Entry e : entries) {
            InetAddress address = address(e.address());
            networksOf.computeIfAbsent(e.containerId(), k -> new ArrayList<>()).add(e.networkId());
            Map<String, Set<InetAddress>> onNetwork = names.computeIfAbsent(e.networkId(), k -> new HashMap<>());
            for (String name : e.names()) {
                onNetwork.computeIfAbsent(key(name), k -> new LinkedHashSet<>()).add(address);
            }
            if (!e.names().isEmpty()) {
                reverse.computeIfAbsent(e.networkId(), k -> new HashMap<>()).putIfAbsent(address, e.names().get(0));
            }
        }
        Map<String, Map<String, List<InetAddress>>> frozen = new HashMap<>();
        names.forEach((network, byName) -> {
            Map<String, List<InetAddress>> copy = new HashMap<>();
            byName.forEach((name, addresses) -> copy.put(name, List.copyOf(addresses)));
            frozen.put(network, Map.copyOf(copy));
        });
        Map<String, Map<InetAddress, String>> frozenReverse = new HashMap<>();
        reverse.forEach((network, byAddress) -> frozenReverse.put(network, Map.copyOf(byAddress)));
        Map<String, List<String>> frozenNetworks = new HashMap<>();
        networksOf.forEach((container, networks) -> frozenNetworks.put(container, List.copyOf(networks)));
        return new DnsRecords(Map.copyOf(frozen), Map.copyOf(frozenReverse), Map.copyOf(frozenNetworks));
    }

    /** The addresses {@code name} has on {@code asker}'s networks; empty when it has none there. */
    public List<InetAddress> lookup(String asker, String name) {
        String key = key(name);
        Set<InetAddress> found = new LinkedHashSet<>();
        for (String network : networksOf.getOrDefault(asker, List.of())) {
            found.addAll(names.getOrDefault(network, Map.of()).getOrDefault(key, List.of()));
        }
        return List.copyOf(found);
    }

    /** The name of {@code address} on one of {@code asker}'s networks; null when none there has it. */
    public String reverse(String asker, InetAddress address) {
        for (String network : networksOf.getOrDefault(asker, List.of())) {
            String name = reverse.getOrDefault(network, Map.of()).get(address);
            if (name != null) {
                return name;
            }
        }
        return null;
    }

    /** Names are case-insensitive, and a query's trailing dot is not part of them. */
    private static String key(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + text, e);
        }
    }
}
