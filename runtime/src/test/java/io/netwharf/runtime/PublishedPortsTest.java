package io.netwharf.runtime;

import io.netwharf.Netwharf;
import io.netwharf.kernel.KernelSandbox;
import io.netwharf.kernel.Netns;
import io.netwharf.protocol.model.ContainerInfo;
import io.netwharf.protocol.model.ContainerSpec;
import io.netwharf.protocol.model.NetworkMode;
import io.netwharf.protocol.model.NetworkSpec;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.model.NetwharfException.Kind;
import io.netwharf.protocol.model.PortBinding;
import io.netwharf.store.MemoryStore;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.netwharf.runtime.RuntimeFixture.await;
import static io.netwharf.runtime.RuntimeFixture.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Published ports through the runtime, with real traffic: a web server in a container reached on its published port
 * from a second namespace playing a remote client (through the host's address on the link between them), from the
 * host at 127.0.0.1, and from containers through the host's address (hairpin, its own port included); host ports
 * chosen from the ephemeral range; a taken port refused whole; nothing left after removal or a crash. Needs root and
 * the kernel (CI runs as root, in a throwaway namespace).
 */
class PublishedPortsTest {
    /** The host's address on the link to the "remote" namespace. */
    private static final String HOST_ADDRESS = "192.168.231.1";

    private RuntimeFixture fixture;
    private final List<Process> servers = new ArrayList<>();
    private final MemoryStore store = new MemoryStore();
    private Path remote;

    @BeforeEach
    void setUp() throws IOException {
        fixture = new RuntimeFixture();
        // A remote client: its own namespace, a veth to the host namespace, a default route through the host.
        try (Netns ns = fixture.box.netns.create("remote")) {
            remote = ns.path();
        }
        ip(fixture.box.host.path(), "link", "add", "uplink0", "type", "veth", "peer", "name", "eth0", "netns", remote.toString());
        ip(fixture.box.host.path(), "addr", "add", HOST_ADDRESS + "/24", "dev", "uplink0");
        ip(fixture.box.host.path(), "link", "set", "uplink0", "up");
        ip(remote, "addr", "add", "192.168.231.2/24", "dev", "eth0");
        ip(remote, "link", "set", "eth0", "up");
        ip(remote, "link", "set", "lo", "up");
        ip(remote, "route", "add", "default", "via", HOST_ADDRESS);
    }

    @AfterEach
    void tearDown() throws IOException {
        servers.forEach(Process::destroyForcibly);
        fixture.close();
    }

    @Test
    void aPublishedPortIsReachedFromOutsideFromTheHostsLoopbackAndFromContainers() throws Exception {
        Netwharf netwharf = fixture.start();
        ContainerInfo web = await(netwharf.createContainer(spec("web", "bridge",
                new PortBinding("", 18080, 8000, "tcp"), new PortBinding("", 0, 8001, "tcp"))));
        assertEquals(18080, web.ports().get(0).hostPort());
        int chosen = web.ports().get(1).hostPort();
        String[] range = KernelSandbox.command(List.of("nsenter", "--net=" + fixture.box.host.path(), "cat",
                "/proc/sys/net/ipv4/ip_local_port_range")).strip().split("\\s+");
        assertTrue(chosen >= Integer.parseInt(range[0]) && chosen <= Integer.parseInt(range[1]),
                "port 0 is given one from ip_local_port_range " + List.of(range) + ": " + chosen);
        serve(web, 8000);
        serve(web, 8001);
        ContainerInfo client = await(netwharf.createContainer(ContainerSpec.of("client", "bridge")));

        assertEquals(200, fetch(remote, "http://" + HOST_ADDRESS + ":18080/"), "a remote client, through the host's address");
        assertEquals(200, fetch(remote, "http://" + HOST_ADDRESS + ":" + chosen + "/"), "the chosen port");
        assertEquals(200, fetch(fixture.box.host.path(), "http://127.0.0.1:18080/"), "the host, at 127.0.0.1");
        assertEquals(200, fetch(Path.of(client.sandboxKey()), "http://" + HOST_ADDRESS + ":18080/"), "another container (hairpin)");
        assertEquals(200, fetch(Path.of(web.sandboxKey()), "http://" + HOST_ADDRESS + ":18080/"), "the container itself (hairpin)");
        assertEquals(-1, fetch(remote, "http://" + HOST_ADDRESS + ":18081/"), "a port nobody published");
        assertEquals(web.ports(), await(netwharf.inspectContainer(web.id())).ports());

        String address = web.endpoints().get("bridge").ipv4Address();
        assertTrue(ruleset().contains(address), ruleset());
        await(netwharf.removeContainer(web.id(), false));
        assertFalse(ruleset().contains(address), "no forward is left for the removed container: " + ruleset());
        ContainerInfo again = await(netwharf.createContainer(spec("again", "bridge", new PortBinding("", 18080, 80, "tcp"))));
        assertEquals(18080, again.ports().get(0).hostPort(), "the removed container's port is free again");
    }

    @Test
    void aTakenPortRefusesTheWholeContainerInDockersWordsAndChangesNothing() throws Exception {
        Netwharf netwharf = fixture.start();
        await(netwharf.createNetwork(NetworkSpec.named("n1").subnet("10.231.0.0/24").build()));
        await(netwharf.createContainer(spec("a", "bridge", new PortBinding("", 18080, 80, "tcp"))));
        String before = ruleset();
        List<String> links = fixture.box.linkNames(fixture.box.host);

        NetwharfException taken = refused(Kind.CONFLICT, netwharf.createContainer(spec("b", "n1",
                new PortBinding("", 18090, 80, "tcp"), new PortBinding("127.0.0.1", 18080, 81, "tcp"))));
        assertEquals("Bind for 127.0.0.1:18080 failed: port is already allocated", taken.getMessage());
        assertEquals(1, await(netwharf.listContainers()).size(), "no container made");
        assertEquals(links, fixture.box.linkNames(fixture.box.host), "no link made");
        assertEquals(before, ruleset(), "no rule added");
        // Its other port was not kept: another container gets it; udp 18080 is another port than tcp 18080.
        await(netwharf.createContainer(spec("c", "n1", new PortBinding("", 18090, 80, "tcp"), new PortBinding("", 18080, 80, "udp"))));

        NetwharfException range = refused(Kind.CONFLICT, netwharf.createContainer(spec("d", "n1", new PortBinding("", 18090, 18090, 80, "tcp"))));
        assertEquals("Bind for 0.0.0.0:18090 failed: port is already allocated", range.getMessage());
        ContainerInfo ranged = await(netwharf.createContainer(spec("e", "n1", new PortBinding("", 18089, 18095, 80, "tcp"))));
        assertEquals(18089, ranged.ports().get(0).hostPort(), "the first free port of the range");

        assertEquals("cannot publish ports of a container in host network mode: it has no address of its own to forward them to",
                refused(Kind.BAD_PARAMETER, netwharf.createContainer(spec("h", "host", new PortBinding("", 18100, 80, "tcp")))).getMessage());
        assertTrue(refused(Kind.BAD_PARAMETER, netwharf.createContainer(spec("s", "n1", new PortBinding("", 18100, 80, "sctp"))))
                .getMessage().contains("netwharf forwards tcp and udp ports only"));
        assertTrue(refused(Kind.BAD_PARAMETER, netwharf.createContainer(spec("v6", "n1", new PortBinding("::", 18100, 80, "tcp"))))
                .getMessage().contains("netwharf publishes on IPv4 addresses only"));
    }

    @Test
    void withoutItsFirewallNetwharfRefusesToPublishRatherThanLeaveThePortClosed() {
        Netwharf netwharf = fixture.start(fixture.config().iptables(false).ipMasquerade(false).build());
        NetwharfException off = refused(Kind.BAD_PARAMETER, netwharf.createContainer(spec("web", "bridge", new PortBinding("", 18080, 80, "tcp"))));
        assertTrue(off.getMessage().contains("published ports need netwharf's firewall, which is off (--iptables=false)"), off.getMessage());
        assertEquals(0, await(netwharf.listContainers()).size());
    }

    @Test
    void aCrashKeepsTheForwardsOfContainersKeptRunningAndLeavesNoneOfTheOthers() throws Exception {
        RuntimeConfig live = fixture.config().bridgeName("nwp0").liveRestore(true).build();
        Netwharf first = start(live);
        ContainerInfo kept = await(first.createContainer(spec("kept", "bridge", new PortBinding("", 18080, 8000, "tcp"))));
        serve(kept, 8000);
        crash(first);

        Netwharf second = start(live);
        assertEquals(200, fetch(remote, "http://" + HOST_ADDRESS + ":18080/"), "still forwarded after the restart");
        assertEquals(kept.ports(), await(second.inspectContainer(kept.id())).ports());
        NetwharfException taken = refused(Kind.CONFLICT, second.createContainer(spec("b", "bridge", new PortBinding("", 18080, 80, "tcp"))));
        assertEquals("Bind for 0.0.0.0:18080 failed: port is already allocated", taken.getMessage(), "the restart took its port back");
        crash(second);

        // Without live restore the restart removes the container, and its forwards with it.
        Netwharf third = start(fixture.config().bridgeName("nwp0").build());
        assertEquals(0, await(third.listContainers()).size());
        assertFalse(ruleset().contains(kept.endpoints().get("bridge").ipv4Address()), ruleset());
        await(third.createContainer(spec("b", "bridge", new PortBinding("", 18080, 80, "tcp"))));
        crash(third);
    }

    private static ContainerSpec spec(String name, String mode, PortBinding... ports) {
        return new ContainerSpec(null, name, NetworkMode.parse(mode), Map.of(), List.of(ports), List.of());
    }

    private Netwharf start(RuntimeConfig config) {
        return fixture.startAlone(config, store);
    }

    private static void crash(Netwharf netwharf) {
        RuntimeFixture.crash(netwharf);
    }

    /** python3's web server on {@code port} inside the container, serving an empty folder; waits until it listens. */
    private void serve(ContainerInfo container, int port) throws Exception {
        Path folder = Files.createTempDirectory(fixture.runDirectory, "www");
        Process server = new ProcessBuilder("nsenter", "--net=" + container.sandboxKey(), "python3", "-m", "http.server",
                Integer.toString(port), "--bind", "0.0.0.0", "--directory", folder.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        servers.add(server);
        for (int i = 0; i < 100 && fetch(Path.of(container.sandboxKey()), "http://127.0.0.1:" + port + "/") != 200; i++) {
            Thread.sleep(50);
        }
    }

    /** The status of a GET from inside the namespace {@code ns}; -1 when no answer came within two seconds. */
    private static int fetch(Path ns, String url) throws Exception {
        Process p = new ProcessBuilder("nsenter", "--net=" + ns, "python3", "-c",
                "import sys, urllib.request\ntry:\n print(urllib.request.urlopen(sys.argv[1], timeout=2).status)\nexcept Exception:\n print(-1)",
                url).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        p.waitFor(10, TimeUnit.SECONDS);
        return Integer.parseInt(out.lines().reduce((a, b) -> b).orElse("-1"));
    }

    private String ruleset() {
        return KernelSandbox.command(List.of("nsenter", "--net=" + fixture.box.host.path(), "nft", "list", "ruleset"));
    }

    private static void ip(Path ns, String... args) {
        List<String> command = new ArrayList<>(List.of("nsenter", "--net=" + ns, "ip"));
        command.addAll(List.of(args));
        KernelSandbox.command(command);
    }
}
