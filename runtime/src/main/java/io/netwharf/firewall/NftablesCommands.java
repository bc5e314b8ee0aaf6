package io.netwharf.firewall;

import io.netwharf.protocol.model.PortBinding;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The nft text of each firewall change, one buffer per change, which libnftables applies as one batch. Pure text:
 * tested without root.
 *
 * <p>Two tables of netwharf's own. {@code ip netwharf} sends forwarded traffic through per-network chains by
 * verdict maps keyed on the bridge name, and NAT by a map keyed on the source subnet, so adding a network is
 * adding its chains and map elements, and removing it is deleting exactly those: no rule of another network is
 * rewritten. {@code bridge netwharf} enforces ICC off: traffic between two ports of one bridge is switched, not
 * routed, so it never reaches the ip family's forward hook (unless br_netfilter is on, which netwharf does not
 * require). It matches the subnet as both source and destination rather than the bridge name: {@code meta ibrname}
 * needs nft_meta_bridge, which kernels built without CONFIG_NFT_BRIDGE_META (this project's test kernel) refuse.
 *
 * <p>Published ports are DNAT by two maps, {@code published_on} (a host address, protocol and port) and
 * {@code published_any} (protocol and port, on every local address), whose elements are a container's address and
 * port: publishing a container's ports adds its elements, one batch, and nothing else changes. They apply to traffic
 * for a local address arriving from outside (prerouting) and sent by the host itself (output), so
 * {@code 127.0.0.1:<port>} on the host works too: that needs {@code route_localnet} on the bridge (the runtime sets
 * it; the kernel otherwise drops a packet from 127.0.0.1 leaving by another interface) and masquerading of such
 * packets, done here. Chosen over a proxy in the daemon as docker-proxy does it: no socket, thread or copy per
 * connection, and the container sees the remote client's own address. Traffic from a container to a published port
 * (hairpin) is masqueraded so the answer comes back through the host, which undoes the DNAT; its bridge port needs
 * hairpin mode when the container reaches its own port, also set by the runtime.
 *
 * <p>Names go into the text as they are, so {@link #problemWith} refuses, before any text is made, a bridge name
 * or subnet that could not be written there safely.
 */
final class NftablesCommands {
    static final String TABLE = "netwharf";

    /** Characters nft takes in an unquoted chain name; nft 1.0.6 refuses quoted chain names where chains are named. */
    private static final Pattern BRIDGE = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}");
    private static final Pattern IPV4_CIDR = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})");

    private static final String DROP_TABLES = """
            add table ip netwharf
            delete table ip netwharf
            add table bridge netwharf
            delete table bridge netwharf
            """; // adding first makes deleting safe when a table is absent (nft 1.0.6 has no "destroy")

    private NftablesCommands() {}

    /** Both tables, emptied of networks: whatever netwharf tables exist are dropped first, in the same batch. */
    static String setUp() {
        return setUp(List.of(), List.of());
    }

    /**
     * Both tables with the rules of {@code networks} in them, whatever netwharf tables exist dropped first, all in one
     * batch. The networks' chains and elements are declared inside the table blocks: nft 1.0.6 refuses elements of an
     * interval map added by a separate command in the batch that creates the map.
     */
    static String setUp(List<NetworkRules> networks, List<PortForwards> forwards) {
        StringBuilder nft = new StringBuilder(DROP_TABLES);
        nft.append("table ip netwharf {\n");
        nft.append("    set bridges { type ifname;").append(elements(networks.stream().map(r -> quote(r.bridge())).toList())).append(" }\n");
        nft.append("    set subnets { type ipv4_addr; flags interval;").append(elements(networks.stream().map(NetworkRules::subnet).toList()))
                .append(" }\n");
        nft.append("    map published_any { type inet_proto . inet_service : ipv4_addr . inet_service;")
                .append(elements(forwards.stream().flatMap(f -> anyElements(f).stream()).toList())).append(" }\n");
        nft.append("    map published_on { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service;")
                .append(elements(forwards.stream().flatMap(f -> onElements(f).stream()).toList())).append(" }\n");
        for (NetworkRules r : networks) {
            chains(r).forEach((chain, rules) -> {
                nft.append("    chain ").append(chain).append(" {\n");
                rules.forEach(rule -> nft.append("        ").append(rule).append('\n'));
                nft.append("    }\n");
            });
        }
        nft.append("    map from_bridge { type ifname : verdict;")
                .append(elements(networks.stream().map(r -> quote(r.bridge()) + " : jump from-" + r.bridge()).toList())).append(" }\n");
        nft.append("    map to_bridge { type ifname : verdict;")
                .append(elements(networks.stream().map(r -> quote(r.bridge()) + " : jump to-" + r.bridge()).toList())).append(" }\n");
        nft.append("    map masquerade_from { type ipv4_addr : verdict; flags interval;")
                .append(elements(networks.stream().filter(NetworkRules::masqueraded).map(r -> r.subnet() + " : jump nat-" + r.bridge()).toList()))
                .append(" }\n");
        nft.append("""
                    chain forward {
                        type filter hook forward priority filter; policy accept;
                        iifname vmap @from_bridge
                        oifname vmap @to_bridge
                    }
                    chain published {
                        meta l4proto { tcp, udp } dnat ip to ip daddr . meta l4proto . th dport map @published_on
                        meta l4proto { tcp, udp } dnat ip to meta l4proto . th dport map @published_any
                    }
                    chain prerouting {
                        type nat hook prerouting priority dstnat; policy accept;
                        fib daddr type local jump published
                    }
                    chain output {
                        type nat hook output priority -100; policy accept;
                        fib daddr type local jump published
                    }
                    chain postrouting {
                        type nat hook postrouting priority srcnat; policy accept;
                        ip saddr 127.0.0.0/8 oifname @bridges masquerade
                        ct status dnat ip saddr @subnets oifname @bridges masquerade
                        ip saddr vmap @masquerade_from
                    }
                }
                table bridge netwharf {
                """);
        nft.append("    set icc_off { type ipv4_addr . ipv4_addr; flags interval;")
                .append(elements(networks.stream().filter(r -> !r.icc()).map(NftablesCommands::iccOffKey).toList())).append(" }\n");
        nft.append("""
                    chain forward {
                        type filter hook forward priority filter; policy accept;
                        ip saddr . ip daddr @icc_off drop
                    }
                }
                """);
        return nft.toString();
    }

    /** A set's or map's elements clause; nothing for none (nft refuses an empty one). */
    private static String elements(List<String> elements) {
        return elements.isEmpty() ? "" : " elements = { " + String.join(", ", elements) + " };";
    }

    static String tearDown() {
        return DROP_TABLES;
    }

    /**
     * A network's chains in netwharf's ip table and their rules: isolation from other netwharf bridges, internal's
     * drops, and masquerading when asked.
     */
    private static Map<String, List<String>> chains(NetworkRules r) {
        String br = r.bridge();
        Map<String, List<String>> chains = new LinkedHashMap<>();
        List<String> from = new ArrayList<>();
        List<String> to = new ArrayList<>();
        // Isolation: nothing from this bridge to another netwharf bridge.
        from.add("oifname != " + quote(br) + " oifname @bridges drop");
        if (r.internal()) {
            from.add("oifname != " + quote(br) + " drop");
            to.add("iifname != " + quote(br) + " drop");
        }
        chains.put("from-" + br, from);
        chains.put("to-" + br, to);
        if (r.masqueraded()) {
            chains.put("nat-" + br, List.of("oifname != " + quote(br) + " masquerade"));
        }
        return chains;
    }

    /**
     * The network's chains, then the map elements that lead to them. Chains and elements are created, not added:
     * a network added twice, or a bridge or subnet already in use, fails the whole batch instead of doubling rules.
     */
    static String addNetwork(NetworkRules r) {
        String br = r.bridge();
        StringBuilder nft = new StringBuilder();
        chains(r).forEach((chain, rules) -> {
            nft.append("create chain ip netwharf ").append(chain).append('\n');
            rules.forEach(rule -> nft.append("add rule ip netwharf ").append(chain).append(' ').append(rule).append('\n'));
        });
        nft.append("create element ip netwharf bridges { ").append(quote(br)).append(" }\n");
        nft.append("create element ip netwharf subnets { ").append(r.subnet()).append(" }\n");
        nft.append("create element ip netwharf from_bridge { ").append(quote(br)).append(" : jump from-").append(br).append(" }\n");
        nft.append("create element ip netwharf to_bridge { ").append(quote(br)).append(" : jump to-").append(br).append(" }\n");
        if (r.masqueraded()) {
            nft.append("create element ip netwharf masquerade_from { ").append(r.subnet()).append(" : jump nat-").append(br).append(" }\n");
        }
        if (!r.icc()) {
            nft.append("create element bridge netwharf icc_off { ").append(iccOffKey(r)).append(" }\n");
        }
        return nft.toString();
    }

    /** The elements first, so no map still jumps to a chain when it is deleted; a chain must be empty to go. */
    static String removeNetwork(NetworkRules r) {
        String br = r.bridge();
        StringBuilder nft = new StringBuilder();
        nft.append("delete element ip netwharf bridges { ").append(quote(br)).append(" }\n");
        nft.append("delete element ip netwharf subnets { ").append(r.subnet()).append(" }\n");
        nft.append("delete element ip netwharf from_bridge { ").append(quote(br)).append(" }\n");
        nft.append("delete element ip netwharf to_bridge { ").append(quote(br)).append(" }\n");
        if (r.masqueraded()) {
            nft.append("delete element ip netwharf masquerade_from { ").append(r.subnet()).append(" }\n");
        }
        if (!r.icc()) {
            nft.append("delete element bridge netwharf icc_off { ").append(iccOffKey(r)).append(" }\n");
        }
        for (String chain : r.masqueraded() ? new String[] {"from-", "to-", "nat-"} : new String[] {"from-", "to-"}) {
            nft.append("flush chain ip netwharf ").append(chain).append(br).append('\n');
            nft.append("delete chain ip netwharf ").append(chain).append(br).append('\n');
        }
        return nft.toString();
    }

    /**
     * A container's forwards: its elements of both maps, created, so a host port another container has already
     * fails the whole batch instead of taking its traffic.
     */
    static String addForwards(PortForwards f) {
        return forwardElements("create", f);
    }

    static String removeForwards(PortForwards f) {
        return forwardElements("delete", f);
    }

    private static String forwardElements(String verb, PortForwards f) {
        StringBuilder nft = new StringBuilder();
        List<String> any = anyElements(f);
        List<String> on = onElements(f);
        if (!any.isEmpty()) {
            nft.append(verb).append(" element ip netwharf published_any { ").append(String.join(", ", any)).append(" }\n");
        }
        if (!on.isEmpty()) {
            nft.append(verb).append(" element ip netwharf published_on { ").append(String.join(", ", on)).append(" }\n");
        }
        return nft.toString();
    }

    /** The bindings on every local address: {@code tcp . 8080 : 10.0.0.2 . 80}. */
    private static List<String> anyElements(PortForwards f) {
        return f.bindings().stream().filter(b -> onEveryAddress(b.hostIp()))
                .map(b -> b.protocol() + " . " + b.hostPort() + " : " + f.address() + " . " + b.containerPort()).toList();
    }

    /** The bindings on one host address: {@code 127.0.0.1 . tcp . 8080 : 10.0.0.2 . 80}. */
    private static List<String> onElements(PortForwards f) {
        return f.bindings().stream().filter(b -> !onEveryAddress(b.hostIp()))
                .map(b -> b.hostIp() + " . " + b.protocol() + " . " + b.hostPort() + " : " + f.address() + " . " + b.containerPort()).toList();
    }

    private static boolean onEveryAddress(String hostIp) {
        return hostIp.isEmpty() || hostIp.equals("0.0.0.0");
    }

    /** Why {@code f} cannot be written as nft text, or null when it can: addresses, ports and protocols are checked. */
    static String problemWith(PortForwards f) {
        if (!IPV4.matcher(f.address()).matches()) {
            return "container address '" + f.address() + "' is not an IPv4 address";
        }
        for (PortBinding b : f.bindings()) {
            if (!onEveryAddress(b.hostIp()) && !IPV4.matcher(b.hostIp()).matches()) {
                return "host address '" + b.hostIp() + "' is not an IPv4 address";
            }
            if (!b.protocol().equals("tcp") && !b.protocol().equals("udp")) {
                return "protocol '" + b.protocol() + "' is not tcp or udp";
            }
            if (b.hostPort() < 1 || b.hostPort() > 65535 || b.containerPort() < 1 || b.containerPort() > 65535) {
                return "port " + b.hostPort() + ":" + b.containerPort() + " is not in 1..65535";
            }
        }
        return null;
    }

    /** Source and destination both in the subnet: one container talking to another on the same bridge. */
    private static String iccOffKey(NetworkRules r) {
        return r.subnet() + " . " + r.subnet();
    }

    private static String quote(String name) {
        return '"' + name + '"';
    }

    /** Why {@code r} cannot be written as nft text, or null when it can. */
    static String problemWith(NetworkRules r) {
        if (!BRIDGE.matcher(r.bridge()).matches()) {
            return "bridge name '" + r.bridge() + "' is not 1 to 15 of the characters A-Z a-z 0-9 _ . - (the ones nft takes in a chain name)";
        }
        Matcher m = IPV4_CIDR.matcher(r.subnet());
        if (!m.matches()) {
            return "subnet '" + r.subnet() + "' is not an IPv4 subnet in CIDR notation such as 172.19.0.0/16";
        }
        long address = 0;
        for (int i = 1; i <= 4; i++) {
            int octet = Integer.parseInt(m.group(i));
            if (octet > 255) {
                return "subnet '" + r.subnet() + "' has an octet over 255";
            }
            address = address << 8 | octet;
        }
        int prefix = Integer.parseInt(m.group(5));
        if (prefix > 32) {
            return "subnet '" + r.subnet() + "' has a prefix length over 32";
        }
        long hostBits = prefix == 32 ? 0 : (1L << (32 - prefix)) - 1;
        if ((address & hostBits) != 0) {
            return "subnet '" + r.subnet() + "' has host bits set; a subnet is written with its network address";
        }
        return null;
    }
}
