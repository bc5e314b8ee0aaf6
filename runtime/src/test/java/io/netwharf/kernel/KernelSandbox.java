package io.netwharf.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway "host" for one kernel test: a fresh network namespace made through the layer under test, with its
 * own run directory, a netlink socket inside it, and helpers that look at the kernel from outside with
 * {@code nsenter --net=... ip -j} and {@code ping}. Closing it deletes every namespace it made.
 *
 * <p>Needs root. The test JVM itself already runs in a namespace of its own (surefire starts it under
 * {@code unshare --net --mount}), so nothing here can touch the machine's network.
 */
final class KernelSandbox implements AutoCloseable {
    static final NamespaceThreads THREADS = new NamespaceThreads("test-netns", 2);
    private static final ObjectMapper JSON = new ObjectMapper();

    final NetnsDirectory netns;
    final Netns host;
    final NetlinkSocket socket;
    final Links links;
    final Addresses addresses;
    final Routes routes;
    private final List<NetlinkSocket> sockets = new ArrayList<>();
    private final Path runDirectory;

    KernelSandbox() throws IOException {
        runDirectory = Files.createTempDirectory("netwharf-test-");
        netns = new NetnsDirectory(runDirectory.resolve("netns"), THREADS);
        host = netns.create("host");
        socket = socket(host);
        links = new Links(socket);
        addresses = new Addresses(socket);
        routes = new Routes(socket);
        run(Links.setUp("lo", true));
    }

    NetlinkSocket socket(Netns ns) {
        NetlinkSocket s = netns.openSocket(ns);
        sockets.add(s);
        return s;
    }

    /** Runs {@code ip -j args...} inside {@code ns} and parses its output. */
    JsonNode ipJson(Netns ns, String... args) {
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
    List<String> linkNames(Netns ns) {
        List<String> names = new ArrayList<>();
        ipJson(ns, "link", "show").forEach(l -> names.add(l.get("ifname").asText()));
        return names;
    }

    /** One ping from inside {@code ns}; true when it is answered. */
    boolean ping(Netns ns, String address) {
        try {
            Process p = new ProcessBuilder("nsenter", "--net=" + ns.path(), "ping", "-c", "1", "-W", "2", "-q", address)
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

    /** Sends the operations in one batch on this sandbox's host socket. */
    void run(NetlinkOperation... operations) {
        socket.executeAll(List.of(operations));
    }

    /** Runs a command and returns its standard output; fails the test when it fails. */
    static String command(List<String> command) {
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
