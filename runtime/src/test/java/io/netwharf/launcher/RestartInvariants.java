package io.netwharf.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import io.netwharf.kernel.KernelSandbox;
import io.netwharf.kernel.LinkMarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What must hold on a {@link RestartHost} after any restart, checked from outside the daemon ({@code ip -j},
 * {@code /proc}, the exec-root) against what its API says. Each check returns the violations it found, as sentences,
 * so a test reports them all at once:
 * <ol type="a">
 *     <li>{@link #markedLinks}: every link carrying a netwharf mark, in the host namespace and in each namespace, is
 *     accounted for: a network's bridge by a network, an endpoint's link by a running container on that network; and
 *     so is every bridge and subnet in netwharf's nftables table ({@link #rules});</li>
 *     <li>{@link #namespaces}: every namespace under the exec-root is a running container's;</li>
 *     <li>{@link #uniqueAddresses}: no two live namespaces (the host's, the exec-root's, and those of marked
 *     processes) hold the same IPv4 address or MAC;</li>
 *     <li>{@link #processes}: every marked process is in a running container's namespace;</li>
 *     <li>{@link #listed}: every container whose creation was acknowledged is listed;</li>
 * </ol>
 * and (f) {@link #startsWithNetworking}: a start brings each of a sample back, with its gateway and a peer answering
 * pings. Needs root.
 */
final class RestartInvariants {
    private final RestartHost host;
    /** The API's view, read once by {@link #read}. */
    private final Set<String> networkIds = new HashSet<>();
    private final Set<String> subnets = new HashSet<>();
    private final Map<String, JsonNode> running = new LinkedHashMap<>();
    private final Set<String> listed = new HashSet<>();

    private RestartInvariants(RestartHost host) {
        this.host = host;
    }

    /** The API's view of {@code host} now: its networks, and every container (running ones inspected). */
    static RestartInvariants read(RestartHost host) throws IOException {
        RestartInvariants view = new RestartInvariants(host);
        host.getJson("/networks").forEach(n -> {
            view.networkIds.add(n.get("Id").asText());
            n.path("IPAM").path("Config").forEach(c -> view.subnets.add(c.path("Subnet").asText()));
        });
        for (JsonNode c : host.getJson("/containers/json?all=1")) {
            String id = c.get("Id").asText();
            view.listed.add(id);
            if ("running".equals(c.get("State").asText())) {
                view.running.put(id, host.inspect(id));
            }
        }
        return view;
    }

    /** (a) to (e) at once: every violation found. */
    List<String> all(Collection<String> acknowledged) throws IOException {
        List<String> violations = new ArrayList<>();
        Map<Path, JsonNode> inside = addressesByNamespace();
        violations.addAll(markedLinks(inside));
        violations.addAll(rules());
        violations.addAll(namespaces());
        Map<Path, JsonNode> withHost = new LinkedHashMap<>(inside);
        withHost.put(host.box.host.path(), host.box.ipJson(host.box.host, "-d", "addr", "show"));
        violations.addAll(uniqueAddresses(withHost));
        violations.addAll(processes());
        violations.addAll(listed(acknowledged));
        return violations;
    }

    Set<String> runningIds() {
        return running.keySet();
    }

    /** The running containers' namespace files (their SandboxKey), by container id. */
    private Map<String, Path> sandboxKeys() {
        Map<String, Path> keys = new HashMap<>();
        running.forEach((id, c) -> {
            String key = c.path("NetworkSettings").path("SandboxKey").asText("");
            if (!key.isEmpty()) {
                keys.put(id, Path.of(key));
            }
        });
        return keys;
    }

    /** (a) Marked links in the host namespace and in every namespace, against the networks and running containers. */
    List<String> markedLinks(Map<Path, JsonNode> inside) {
        List<String> violations = new ArrayList<>();
        Map<String, JsonNode> hostLinks = new LinkedHashMap<>();
        host.box.ipJson(host.box.host, "-d", "link", "show").forEach(l -> hostLinks.put(l.get("ifname").asText(), l));
        hostLinks.forEach((name, link) -> check(violations, "the host namespace", name, link));
        inside.forEach((ns, links) -> links.forEach(l -> check(violations, ns.toString(), l.get("ifname").asText(), l)));
        return violations;
    }

    private void check(List<String> violations, String where, String name, JsonNode link) {
        LinkMarks.Mark mark = LinkMarks.parse(link.path("ifalias").asText(null));
        if (mark == null) {
            return;
        }
        if (!networkIds.contains(mark.networkId())) {
            violations.add("(a) " + where + ": link " + name + " is marked for network " + mark.networkId() + ", which the API does not list");
        } else if (mark.isEndpoint()) {
            JsonNode c = running.get(mark.containerId());
            if (c == null) {
                violations.add("(a) " + where + ": link " + name + " is marked for container " + mark.containerId() + ", which is not running");
            } else if (!networksOf(c).contains(mark.networkId())) {
                violations.add("(a) " + where + ": link " + name + " is marked for container " + mark.containerId()
                        + " on network " + mark.networkId() + ", which the container is not on");
            }
        }
    }

    /**
     * (a) netwharf's firewall rules, in its own {@code ip netwharf} table: every bridge that has chains or elements
     * there is a link of the host marked for a listed network, and every masqueraded subnet a listed network's.
     */
    List<String> rules() {
        Set<String> bridges = new HashSet<>();
        host.box.ipJson(host.box.host, "-d", "link", "show").forEach(l -> {
            LinkMarks.Mark mark = LinkMarks.parse(l.path("ifalias").asText(null));
            if (mark != null && !mark.isEndpoint() && networkIds.contains(mark.networkId())) {
                bridges.add(l.get("ifname").asText());
            }
        });
        List<String> violations = new ArrayList<>();
        for (JsonNode object : host.box.nftRuleset(host.box.host)) {
            JsonNode chain = object.path("chain");
            if ("netwharf".equals(chain.path("table").asText()) && "ip".equals(chain.path("family").asText())) {
                String name = chain.path("name").asText();
                String bridge = name.replaceFirst("^(from|to|nat)-", "");
                if (!bridge.equals(name) && !bridges.contains(bridge)) {
                    violations.add("(a) nft chain " + name + " is for " + bridge + ", no listed network's bridge");
                }
            }
            JsonNode set = object.has("set") ? object.get("set") : object.path("map");
            if (!"netwharf".equals(set.path("table").asText()) || !"ip".equals(set.path("family").asText())) {
                continue;
            }
            for (JsonNode element : set.path("elem")) {
                JsonNode key = element.isArray() ? element.get(0) : element;
                if (key.isTextual() && !bridges.contains(key.asText())) {
                    violations.add("(a) nft " + set.path("name").asText() + " holds " + key.asText() + ", no listed network's bridge");
                } else if (key.has("prefix")) {
                    String subnet = key.get("prefix").path("addr").asText() + "/" + key.get("prefix").path("len").asText();
                    if (!subnets.contains(subnet)) {
                        violations.add("(a) nft " + set.path("name").asText() + " holds " + subnet + ", no listed network's subnet");
                    }
                }
            }
        }
        return violations;
    }

    private static Set<String> networksOf(JsonNode container) {
        Set<String> ids = new HashSet<>();
        container.path("NetworkSettings").path("Networks").forEach(n -> ids.add(n.path("NetworkID").asText()));
        return ids;
    }

    /** (b) Every namespace file under the exec-root is a running container's. */
    List<String> namespaces() {
        List<String> violations = new ArrayList<>();
        Set<Path> keys = new HashSet<>(sandboxKeys().values());
        for (Path ns : host.namespaceFiles()) {
            if (!keys.contains(ns)) {
                violations.add("(b) namespace " + ns + " is no running container's");
            }
        }
        return violations;
    }

    /** (c) No IPv4 address (but loopback's) or MAC held by two live namespaces. */
    List<String> uniqueAddresses(Map<Path, JsonNode> inside) {
        List<String> violations = new ArrayList<>();
        Map<String, Path> holders = new HashMap<>();
        inside.forEach((ns, links) -> links.forEach(link -> {
            if ("lo".equals(link.path("ifname").asText())) {
                return;
            }
            List<String> held = new ArrayList<>();
            if (!link.path("address").asText("").isEmpty()) {
                held.add("MAC " + link.path("address").asText());
            }
            link.path("addr_info").forEach(a -> {
                if ("inet".equals(a.path("family").asText())) {
                    held.add("address " + a.path("local").asText());
                }
            });
            for (String h : held) {
                Path other = holders.putIfAbsent(h, ns);
                if (other != null && !other.equals(ns)) {
                    violations.add("(c) " + h + " is held by namespaces " + other + " and " + ns);
                }
            }
        }));
        return violations;
    }

    /** (d) Every marked process is in a running container's namespace. */
    List<String> processes() throws IOException {
        List<String> violations = new ArrayList<>();
        Set<Object> inodes = new HashSet<>();
        for (Path key : sandboxKeys().values()) {
            inodes.add(Files.getAttribute(key, "unix:ino"));
        }
        for (long pid : host.markedProcesses()) {
            Object inode;
            try {
                inode = Files.getAttribute(Path.of("/proc/" + pid + "/ns/net"), "unix:ino");
            } catch (IOException e) {
                continue; // ended meanwhile
            }
            if (!inodes.contains(inode)) {
                violations.add("(d) process " + pid + " (" + cmdline(pid) + ") is in namespace " + inode + ", no running container's");
            }
        }
        return violations;
    }

    private static String cmdline(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ').strip();
        } catch (IOException e) {
            return "?";
        }
    }

    /** (e) Every acknowledged container is listed. */
    List<String> listed(Collection<String> acknowledged) {
        List<String> violations = new ArrayList<>();
        for (String id : acknowledged) {
            if (!listed.contains(id)) {
                violations.add("(e) container " + id + " was created (201) but is not listed");
            }
        }
        return violations;
    }

    /**
     * {@code ip -j -d addr show} inside every live namespace: the exec-root's, and that of each marked process (a
     * namespace no longer mounted still holds its addresses while a process is in it). One shell for them all.
     */
    Map<Path, JsonNode> addressesByNamespace() throws IOException {
        Set<Path> namespaces = new LinkedHashSet<>(host.namespaceFiles());
        Set<Object> seen = new HashSet<>();
        for (Path ns : namespaces) {
            seen.add(Files.getAttribute(ns, "unix:ino"));
        }
        for (long pid : host.markedProcesses()) {
            Path ns = Path.of("/proc/" + pid + "/ns/net");
            try {
                if (seen.add(Files.getAttribute(ns, "unix:ino"))) {
                    namespaces.add(ns);
                }
            } catch (IOException e) {
                // ended meanwhile
            }
        }
        Map<Path, JsonNode> result = new LinkedHashMap<>();
        if (namespaces.isEmpty()) {
            return result;
        }
        List<String> command = new ArrayList<>(List.of("sh", "-c",
                "for ns; do echo \"== $ns\"; nsenter --net=\"$ns\" ip -j -d addr show || echo '[]'; echo; done", "sh"));
        namespaces.forEach(ns -> command.add(ns.toString()));
        String out = KernelSandbox.command(command);
        Path current = null;
        for (String line : out.split("\n")) {
            if (line.startsWith("== ")) {
                current = Path.of(line.substring(3));
            } else if (!line.isBlank() && current != null) {
                result.put(current, RestartHost.JSON.readTree(line));
            }
        }
        return result;
    }

    /**
     * (f) Starts each of {@code ids} (a running one is left as it is), then pings, from inside each, its gateway on
     * every network and a peer of the sample on the same network. The violations found.
     */
    static List<String> startsWithNetworking(RestartHost host, Collection<String> ids) throws IOException, InterruptedException {
        List<String> violations = new ArrayList<>();
        Map<String, JsonNode> started = new LinkedHashMap<>();
        for (String id : ids) {
            ApiClient.Response r = host.api().post("/containers/" + id + "/start", null);
            if (r.status() != 204 && r.status() != 304) {
                violations.add("(f) start of " + id + ": " + r.status() + " " + r.body());
                continue;
            }
            started.put(id, host.inspect(id));
        }
        Map<String, List<String>> addressesByNetwork = new HashMap<>();
        started.values().forEach(c -> c.path("NetworkSettings").path("Networks").forEach(n ->
                addressesByNetwork.computeIfAbsent(n.path("NetworkID").asText(), k -> new ArrayList<>()).add(n.path("IPAddress").asText())));
        for (Map.Entry<String, JsonNode> e : started.entrySet()) {
            JsonNode c = e.getValue();
            if (!c.path("State").path("Running").asBoolean()) {
                violations.add("(f) " + e.getKey() + " is not running after its start: " + c.path("State"));
                continue;
            }
            Path key = Path.of(c.path("NetworkSettings").path("SandboxKey").asText());
            for (JsonNode n : c.path("NetworkSettings").path("Networks")) {
                String own = n.path("IPAddress").asText();
                String gateway = n.path("Gateway").asText();
                if (!KernelSandbox.ping(key, gateway)) {
                    violations.add("(f) " + e.getKey() + " (" + own + ") gets no answer from its gateway " + gateway);
                }
                String peer = addressesByNetwork.get(n.path("NetworkID").asText()).stream().filter(a -> !a.equals(own)).findFirst().orElse(null);
                if (peer != null && !KernelSandbox.ping(key, peer)) {
                    violations.add("(f) " + e.getKey() + " (" + own + ") gets no answer from its peer " + peer);
                }
            }
        }
        return violations;
    }
}
