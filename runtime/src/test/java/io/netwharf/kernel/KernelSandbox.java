package io.netwharf.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwharf.protocol.netlink.Errno;
import io.netwharf.protocol.rtnetlink.LinkData;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway "host" for one kernel test: a fresh network namespace made through the layer under test, with its
 * own run directory, a netlink socket inside it, and helpers that look at the kernel from outside with
 * {@code nsenter --net=... ip -j}, {@code nft -j} and {@code ping}. Closing it deletes every namespace it made.
 *
 * <p>Needs root. The test JVM itself already runs in a namespace of its own (surefire starts it under
 * {@code unshare --net --mount}), so nothing here can touch the machine's network.
 */
public final class KernelSandbox implements AutoCloseable {
    public static final NamespaceThreads THREADS = new NamespaceThreads("test-netns", 2);
    private static final ObjectMapper JSON = new ObjectMapper();

    public final NetnsDirectory netns;
    public final Netns host;
    public final NetlinkSocket socket;
    public final Links links;
    public final Addresses addresses;
    public final Routes routes;
    private final List<NetlinkSocket> sockets = new ArrayList<>();
    private final Path runDirectory;

    public KernelSandbox() throws IOException {
        runDirectory = Files.createTempDirectory("netwharf-test-");
        netns = new NetnsDirectory(runDirectory.resolve("netns"), THREADS);
        host = netns.create("host");
        socket = socket(host);
        links = new Links(socket);
        addresses = new Addresses(socket);
        routes = new Routes(socket);
        run(Links.setUp("lo", true));
    }

    public NetlinkSocket socket(Netns ns) {
        NetlinkSocket s = netns.openSocket(ns);
        sockets.add(s);
        return s;
    }

    /** A bridge set up as for containers, with {@code gateway/prefixLength} on it, and up. Returns its index. */
    public int bridge(String name, String gateway, int prefixLength) {
        run(Links.createBridge(name, null, null, LinkData.Bridge.forContainers()));
        int index = links.get(name).index();
        run(Addresses.add(name, index, address(gateway), prefixLength), Links.setUp(name, true));
        return index;
    }

    /**
     * A "container" wired as the runtime wires one: namespace {@code name}, a veth pair with {@code hostEnd} on
     * {@code bridge} and eth0 inside, {@code address/prefixLength} on eth0 and a default route via {@code gateway}.
     * Safe to call from several threads at once.
     */
    public void container(String name, String hostEnd, String bridge, int bridgeIndex, String address, int prefixLength, String gateway) {
        try (NetnsDirectory.ConnectedNetns container = netns.createConnected(name)) {
            socket.executeAll(VethEndpoint.hostSide(hostEnd, "eth0", container.netns(), bridge, bridgeIndex, null, null, false, null));
            int peer = new Links(container.socket()).get("eth0").index();
            List<NetlinkOperation> inside = new ArrayList<>(List.of(Links.setUp("lo", true)));
            inside.addAll(VethEndpoint.containerSide("eth0", peer, "eth0", address(address), prefixLength, address(gateway), false));
            container.socket().executeAll(inside);
            socket.execute(VethEndpoint.enableHostSide(hostEnd));
        }
    }

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Runs {@code ip -j args...} inside {@code ns} and parses its output. */
    public JsonNode ipJson(Netns ns, String... args) {
        List<String> command = new ArrayList<>(List.of("nsenter", "--net=" + ns.path(), "ip", "-j"));
        command.addAll(List.of(args));
        String out = command(command);
        try {
            return JSON.readTree(out.isBlank() ? "[]" : out);
        } catch (IOException e) {
            throw new AssertionError("ip -j printed no JSON: " + out, e);
        }
    }

    /** Names of the links in {@code ns}, as ip sees them. */
    public List<String> linkNames(Netns ns) {
        List<String> names = new ArrayList<>();
        ipJson(ns, "link", "show").forEach(l -> names.add(l.get("ifname").asText()));
        return names;
    }

    /** The objects of {@code nft -j list ruleset} inside {@code ns} (tables, chains, sets, maps, rules), without its metainfo. */
    public List<JsonNode> nftRuleset(Netns ns) {
        String out = command(List.of("nsenter", "--net=" + ns.path(), "nft", "-j", "list", "ruleset"));
        List<JsonNode> objects = new ArrayList<>();
        try {
            JSON.readTree(out).path("nftables").forEach(o -> {
                if (!o.has("metainfo")) {
                    objects.add(o);
                }
            });
        } catch (IOException e) {
            throw new AssertionError("nft -j printed no JSON: " + out, e);
        }
        return objects;
    }

    /** One ping from inside {@code ns}; true when it is answered. */
    public boolean ping(Netns ns, String address) {
        return ping(ns.path(), address);
    }

    /** One ping from inside the namespace named {@code name} in this sandbox's directory; true when it is answered. */
    public boolean ping(String name, String address) {
        return ping(netns.pathOf(name), address);
    }

    /** One ping from inside the namespace at {@code ns}; true when it is answered. */
    public static boolean ping(Path ns, String address) {
        try {
            Process p = new ProcessBuilder("nsenter", "--net=" + ns, "ping", "-c", "1", "-W", "2", "-q", address)
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * A fake uplink in the host namespace: a veth pair {@code name} / {@code name}p, both ends up (a veth end has
     * carrier only while its peer is up), for a macvlan or ipvlan parent where this kernel has no dummy links.
     */
    public void uplink(String name) {
        run(Links.createVeth(name, name + "p", null, null, null), Links.setUp(name + "p", true), Links.setUp(name, true));
    }

    /**
     * Whether this kernel makes links of {@code data}'s kind (ipvlan, macvlan) on {@code parent}: one made and deleted
     * in the host namespace. False when the kernel answers "Unknown device type" (EOPNOTSUPP).
     */
    public boolean hasLinkKind(LinkData data, String parent) {
        try {
            run(Links.createOnParent("probe0", parent, links.get(parent).index(), null, null, null, data));
        } catch (KernelException e) {
            if (e.is(Errno.EOPNOTSUPP)) {
                return false;
            }
            throw e;
        }
        run(Links.delete("probe0"));
        return true;
    }

    /** Sends the operations in one batch on this sandbox's host socket. */
    public void run(NetlinkOperation... operations) {
        socket.executeAll(List.of(operations));
    }

    /** Runs a command and returns its standard output; fails the test when it fails. */
    public static String command(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed: " + err);
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() throws IOException {
        sockets.forEach(NetlinkSocket::close);
        host.close();
        for (String name : netns.list()) {
            netns.delete(name);
        }
        Files.deleteIfExists(runDirectory.resolve("netns"));
        Files.deleteIfExists(runDirectory);
    }
}
