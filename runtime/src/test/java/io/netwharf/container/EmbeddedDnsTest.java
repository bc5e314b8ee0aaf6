package io.netwharf.container;

import io.netwharf.container.ContainerActor.WaitCondition;
import io.netwharf.kernel.KernelSandbox;
import io.netwharf.kernel.Netns;
import io.netwharf.protocol.model.EndpointSpec;
import io.netwharf.protocol.model.NetworkSpec;
import io.netwharf.runtime.RuntimeFixture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.netwharf.runtime.RuntimeFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The embedded DNS server as processes in containers use it (through their /etc/resolv.conf, which names
 * 127.0.0.11): names, aliases, short ids and host names of the containers on the asker's networks, and no others;
 * records that follow disconnect, connect and removal; a TCP connection to a name; other names forwarded to an
 * upstream server run by the test, in a namespace of its own and on the host's loopback. Needs root and the kernel;
 * runs in CI.
 */
class EmbeddedDnsTest {
    /** Resolves each name given (A, through the C library and so through resolv.conf), one line each; then PTR of an address. */
    private static final String RESOLVE = """
            import socket, sys
            for name in sys.argv[1:]:
                if name.startswith("ptr:"):
                    try:
                        print(socket.gethostbyaddr(name[4:])[0])
                    except OSError:
                        print("unknown")
                    continue
                try:
                    print(socket.gethostbyname(name))
                except OSError:
                    print("unknown")
            """;
    /** A DNS server answering every A query with 10.9.8.7, as an upstream for the test (python3 alone, no library). */
    private static final String UPSTREAM = """
            import socket, struct, sys
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((sys.argv[1], 53))
            while True:
                q, peer = s.recvfrom(512)
                end = q.index(b"\\0", 12) + 5
                answer = q[:2] + b"\\x81\\x80" + q[4:6] + b"\\x00\\x01\\x00\\x00\\x00\\x00" + q[12:end]
                answer += b"\\xc0\\x0c\\x00\\x01\\x00\\x01" + struct.pack(">I", 60) + b"\\x00\\x04" + bytes([10, 9, 8, 7])
                s.sendto(answer, peer)
            """;

    private RuntimeFixture fixture;
    private ContainerEngine engine;
    private Path dataRoot;
    private Path hostResolvConf;
    private final List<Process> servers = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        fixture = new RuntimeFixture();
        fixture.start();
        dataRoot = Files.createTempDirectory("netwharf-data-");
        hostResolvConf = dataRoot.resolve("host-resolv.conf");
        // No upstream: a name of another network is answered SERVFAIL at once (no upstream to wait for).
        Files.writeString(hostResolvConf, "");
        engine = await(ContainerEngine.start(RuntimeFixture.SYSTEM, fixture.netwharf, fixture.netwharf.store(), dataRoot,
                Duration.ofMinutes(1), false, hostResolvConf));
        await(fixture.netwharf.createNetwork(NetworkSpec.named("front").subnet("10.232.0.0/24").build()));
        await(fixture.netwharf.createNetwork(NetworkSpec.named("back").subnet("10.233.0.0/24").build()));
    }

    @AfterEach
    void stop() throws IOException {
        servers.forEach(Process::destroyForcibly);
        await(engine.stop());
        fixture.close();
    }

    private static ContainerRequest request(String name, String network, List<String> aliases, List<String> dns, String... cmd) {
        NameSettings names = new NameSettings("host-" + name, null, dns, List.of(), List.of(), List.of());
        return new ContainerRequest(name, "none", List.of(cmd), List.of(), null, null, List.of(), network,
                Map.of(network, new EndpointSpec(null, aliases)), Map.of(), Map.of(), null, null, false, RestartPolicy.NO, names, null, null);
    }

    /** Runs {@link #RESOLVE} for {@code names} in a new container on {@code network}; its lines once it has exited. */
    private List<String> resolve(String probe, String network, List<String> dns, String... names) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("python3", "-c", RESOLVE));
        cmd.addAll(List.of(names));
        await(engine.create(request(probe, network, List.of(), dns, cmd.toArray(String[]::new))));
        await(engine.start(probe));
        assertEquals(0, await(await(engine.waitFor(probe, WaitCondition.NOT_RUNNING))),
                () -> probe + ": " + await(engine.inspect(probe)).log().stderr());
        List<String> lines = await(engine.inspect(probe)).log().stdout().lines().toList();
        await(engine.remove(probe, true));
        return lines;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private String address(String name, String network) {
        return await(engine.inspect(name)).network().endpoints().get(network).ipv4Address();
    }

    @Test
    void aClientFindsTheContainersOfItsNetworksByNameAliasShortIdAndHostNameAndNoOthers() throws Exception {
        Path site = Files.createTempDirectory(dataRoot, "site");
        Files.writeString(site.resolve("hello.txt"), "hello by name\n");
        await(engine.create(request("web", "front", List.of("www"), List.of(), "python3", "-m", "http.server", "8000", "--directory",
                site.toString())));
        await(engine.start("web"));
        await(engine.create(request("loner", "back", List.of("only-back"), List.of(), "sleep", "600")));
        await(engine.start("loner"));
        String web = address("web", "front");
        String shortId = await(engine.inspect("web")).id().substring(0, 12);

        assertEquals(List.of(web, web, web, web, web, "unknown", "unknown", "web"),
                resolve("probe", "front", List.of(), "web", "WWW", shortId, "host-web", "web.", "loner", "only-back", "ptr:" + web));
        assertEquals(List.of("unknown", address("loner", "back")), resolve("probe", "back", List.of(), "web", "loner"));

        // TCP to the name: the client fetches web's page by it.
        await(engine.create(request("client", "front", List.of(), List.of(), "python3", "-c",
                "import urllib.request, time\nfor i in range(50):\n try:\n  print(urllib.request.urlopen('http://web:8000/hello.txt', timeout=2).read().decode(), end='')\n"
                        + "  break\n except Exception as e:\n  time.sleep(0.1)")));
        await(engine.start("client"));
        await(await(engine.waitFor("client", WaitCondition.NOT_RUNNING)));
        assertEquals("hello by name\n", await(engine.inspect("client")).log().stdout());
    }

    @Test
    void recordsFollowDisconnectConnectAndRemoval() throws Exception {
        await(engine.create(request("web", "front", List.of("www"), List.of(), "sleep", "600")));
        await(engine.start("web"));
        assertEquals(List.of(address("web", "front")), resolve("probe", "front", List.of(), "www"));
        await(engine.disconnect("web", "front"));
        assertEquals(List.of("unknown", "unknown"), resolve("probe", "front", List.of(), "web", "www"));
        await(engine.connect("web", "front", new EndpointSpec(null, List.of("again"))));
        String web = address("web", "front");
        assertEquals(List.of(web, web), resolve("probe", "front", List.of(), "web", "again"));
        await(engine.remove("web", true));
        assertEquals(List.of("unknown"), resolve("probe", "front", List.of(), "web"));
    }

    @Test
    void aRenamedContainerIsFoundByItsNewNameOnlyWithItsAliasShortIdAndHostNameUnchanged() throws Exception {
        await(engine.create(request("web", "front", List.of("www"), List.of(), "sleep", "600")));
        await(engine.start("web"));
        String web = address("web", "front");
        String shortId = await(engine.inspect("web")).id().substring(0, 12);
        await(engine.rename("web", "site"));
        assertEquals(List.of("unknown", web, web, web, web), resolve("probe", "front", List.of(), "web", "site", "www", shortId, "host-web"));
        assertEquals(List.of("site", "www", shortId, "host-web"), await(engine.inspect("site")).network().endpoints().get("front").dnsNames(),
                "the endpoint carries the new names (the store keeps what the endpoint carries)");

        // Renamed while stopped: the next start answers the new name.
        await(engine.stop("site", Duration.ofSeconds(1), Signals.SIGKILL));
        await(engine.rename("site", "web2"));
        await(engine.start("web2"));
        String again = address("web2", "front");
        assertEquals(List.of("unknown", again), resolve("probe", "front", List.of(), "site", "web2"));
    }

    @Test
    void otherNamesGoToTheUpstreamServersFromTheContainerOrForLoopbackFromTheHost() throws Exception {
        // An upstream in a namespace of its own, reached from the containers through the host.
        Path upstream;
        try (Netns ns = fixture.box.netns.create("upstream")) {
            upstream = ns.path();
        }
        ip(fixture.box.host.path(), "link", "add", "up0", "type", "veth", "peer", "name", "eth0", "netns", upstream.toString());
        ip(fixture.box.host.path(), "addr", "add", "192.168.232.1/24", "dev", "up0");
        ip(fixture.box.host.path(), "link", "set", "up0", "up");
        ip(upstream, "addr", "add", "192.168.232.2/24", "dev", "eth0");
        ip(upstream, "link", "set", "eth0", "up");
        ip(upstream, "route", "add", "default", "via", "192.168.232.1");
        serve(upstream, "192.168.232.2");
        assertEquals(List.of("10.9.8.7"), resolve("probe", "front", List.of("192.168.232.2"), "example.test"));

        // A loopback upstream, as systemd-resolved's stub: only the host's namespace has it.
        ip(fixture.box.host.path(), "link", "set", "lo", "up");
        serve(fixture.box.host.path(), "127.0.0.53");
        Files.writeString(hostResolvConf, "nameserver 127.0.0.53\n");
        assertEquals(List.of("10.9.8.7"), resolve("probe", "front", List.of(), "elsewhere.test"), "the host's resolv.conf says 127.0.0.53");
    }

    private void serve(Path ns, String address) throws Exception {
        servers.add(new ProcessBuilder("nsenter", "--net=" + ns, "python3", "-c", UPSTREAM, address).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        Thread.sleep(300); // bound before the first query: python3 starts in well under that
    }

    private static void ip(Path ns, String... args) {
        List<String> command = new ArrayList<>(List.of("nsenter", "--net=" + ns, "ip"));
        command.addAll(List.of(args));
        KernelSandbox.command(command);
    }
}
