package io.netwharf.gateway;

import io.netwharf.kernel.Netns;
import io.netwharf.protocol.rtnetlink.LinkData;
import io.netwharf.protocol.rtnetlink.Rtnetlink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The acceptance test of the gateway: the docker CLI (v28 on the CI machines), unchanged, with DOCKER_HOST pointed
 * at netwharf's Unix socket, does what a Docker user expects, and the kernel shows it. Needs root and the docker
 * CLI; runs in CI (scripts/test installs the CLI where it is missing).
 */
class DockerCliTest extends ApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void versionInfoAndTheNetworkCommands() throws Exception {
        String version = gateway.ok("version", "--format", "{{.Server.APIVersion}} {{.Server.Os}}");
        assertEquals("1.51 linux", version);
        assertTrue(gateway.ok("info", "--format", "{{.OSType}} {{.Swarm.LocalNodeState}}").contains("linux inactive"));

        String id = gateway.ok("network", "create", "--subnet", "10.77.0.0/24", "--gateway", "10.77.0.1", "--ip-range", "10.77.0.128/25",
                "-o", "com.docker.network.bridge.name=br-web", "--label", "tier=front", "web");
        assertEquals(64, id.length());
        assertEquals(List.of("10.77.0.1/24"), addresses(gateway.box.host, "br-web"));
        assertEquals(Set.of("bridge", "host", "none", "web"), Set.copyOf(gateway.ok("network", "ls", "--format", "{{.Name}}").lines().toList()));
        assertEquals("web", gateway.ok("network", "ls", "--filter", "label=tier=front", "--format", "{{.Name}}"));
        JsonNode web = JSON.readTree(gateway.ok("network", "inspect", "web")).get(0);
        assertEquals(id, web.get("Id").asText());
        assertEquals("10.77.0.128/25", web.at("/IPAM/Config/0/IPRange").asText());

        GatewayFixture.Cli overlap = gateway.docker("network", "create", "--subnet", "10.77.0.0/16", "other");
        assertNotEquals(0, overlap.exit());
        assertTrue(overlap.err().contains("Pool overlaps with other one on this address space"), overlap.err());
        assertTrue(gateway.docker("network", "create", "web").err().contains("already exists"));
        assertTrue(gateway.docker("network", "rm", "bridge").err().contains("pre-defined network"));
        String unknown = gateway.docker("network", "inspect", "nosuch").err().toLowerCase();
        assertTrue(unknown.contains("not found") || unknown.contains("no such network"), unknown); // CLI v28 / v20.10

        assertEquals("web", gateway.ok("network", "rm", "web"));
        gateway.ok("network", "create", "unused");
        assertTrue(gateway.ok("network", "prune", "-f").contains("unused"));
        assertFalse(gateway.box.linkNames(gateway.box.host).contains("br-web"), "the bridge is gone");
        assertEquals(Set.of("bridge", "host", "none"), Set.copyOf(gateway.ok("network", "ls", "--format", "{{.Name}}").lines().toList()));
    }

    @Test
    void macvlanAndIpvlanNetworksAndThePredefinedOnes() throws Exception {
        gateway.box.uplink("uplink0");
        List<String> hostLinks = gateway.box.linkNames(gateway.box.host);

        String id = gateway.ok("network", "create", "-d", "macvlan", "-o", "parent=uplink0", "--subnet", "10.91.0.0/24", "mv");
        assertEquals(64, id.length());
        // The options as given, as Docker shows them (the mode, not given, is the driver's default: bridge).
        assertEquals("macvlan map[parent:uplink0]", gateway.ok("network", "inspect", "-f", "{{.Driver}} {{.Options}}", "mv"));
        gateway.ok("run", "-d", "--name", "mvc", "--network", "mv", "debian", "sleep", "100");
        String address = gateway.ok("inspect", "-f", "{{.NetworkSettings.Networks.mv.IPAddress}}", "mvc");
        assertTrue(address.startsWith("10.91.0."), address);
        try (Netns mvc = Netns.open(Path.of(gateway.ok("inspect", "-f", "{{.NetworkSettings.SandboxKey}}", "mvc")))) {
            assertEquals(List.of(address + "/24"), addresses(mvc, "eth0"));
            assertEquals("macvlan", gateway.box.ipJson(mvc, "-d", "link", "show", "eth0").get(0).at("/linkinfo/info_kind").asText());
        }
        assertTrue(gateway.docker("network", "create", "-d", "macvlan", "-o", "parent=uplink0", "mv2").err()
                .contains("is already using parent interface uplink0"));
        assertTrue(gateway.docker("network", "create", "-d", "macvlan", "-o", "parent=nosuch0", "mv3").err()
                .contains("-o parent interface was not found on the host: nosuch0"));
        assertTrue(gateway.docker("network", "create", "-d", "macvlan", "-o", "parent=uplink0p", "-o", "mystery=1", "mv4").err()
                .contains("option mystery"));
        assertTrue(gateway.docker("network", "create", "-d", "weave", "wv").err().contains("plugin \"weave\" not found"));
        assertTrue(gateway.docker("network", "create", "-d", "overlay", "ov").err().contains("overlay networks span the nodes of a cluster, and this daemon is a single node"));

        // This kernel has no ipvlan: refused in words. On one that has it, the network is made (and removed again).
        GatewayFixture.Cli ipvlan = gateway.docker("network", "create", "-d", "ipvlan", "-o", "parent=uplink0p", "--subnet", "10.92.0.0/24", "iv");
        if (gateway.box.hasLinkKind(new LinkData.Ipvlan(Rtnetlink.IPVLAN_MODE_L2), "uplink0p")) {
            assertEquals(0, ipvlan.exit(), ipvlan.err());
            assertEquals("ipvlan", gateway.ok("network", "inspect", "-f", "{{.Driver}}", "iv"));
            gateway.ok("network", "rm", "iv");
        } else {
            assertNotEquals(0, ipvlan.exit());
            assertTrue(ipvlan.err().contains("this kernel has no ipvlan support"), ipvlan.err());
        }

        gateway.ok("rm", "-f", "mvc");
        gateway.ok("network", "rm", "mv");
        assertEquals(hostLinks, gateway.box.linkNames(gateway.box.host), "nothing left on the host");
        assertEquals(List.of(), gateway.runtime.namespaces());

        String listed = gateway.ok("network", "ls", "--no-trunc", "--format", "{{.ID}} {{.Name}} {{.Driver}}");
        assertEquals(listed, gateway.ok("network", "ls", "--no-trunc", "--format", "{{.ID}} {{.Name}} {{.Driver}}"));
        String inspected = gateway.ok("network", "inspect", "-f", "{{.Id}} {{.Name}} {{.Driver}}", "host", "none");
        assertEquals(inspected, gateway.ok("network", "inspect", "-f", "{{.Id}} {{.Name}} {{.Driver}}", "host", "none"));
        assertTrue(listed.contains(inspected.lines().toList().get(0)) && listed.contains(inspected.lines().toList().get(1)), listed);
        assertTrue(inspected.lines().toList().get(1).endsWith(" none null"), inspected);
        assertTrue(gateway.docker("network", "rm", "host").err().contains("host is a pre-defined network and cannot be removed"));
        assertTrue(gateway.docker("network", "rm", "none").err().contains("none is a pre-defined network and cannot be removed"));
    }

    @Test
    void containersOnAUserNetworkTalkOverTcpAndLeaveNothingBehind() throws Exception {
        Path site = Files.createTempDirectory("netwharf-site-");
        Files.writeString(site.resolve("hello.txt"), "hello from srv\n");
        Files.writeString(site.resolve("client.py"), """
                import sys, time, urllib.request
                for attempt in range(100):
                    try:
                        print(urllib.request.urlopen("http://" + sys.argv[1] + ":8000/hello.txt", timeout=2).read().decode(), end="")
                        break
                    except Exception as e:
                        time.sleep(0.1)
                else:
                    print("no answer", file=sys.stderr)
                    sys.exit(1)
                """);
        gateway.ok("network", "create", "--subnet", "10.78.0.0/24", "web");
        gateway.ok("run", "-d", "--name", "srv", "--network", "web", "--ip", "10.78.0.200", "--network-alias", "files",
                "-w", site.toString(), "debian", "python3", "-m", "http.server", "8000", "--bind", "0.0.0.0");
        assertEquals("running 10.78.0.200", gateway.ok("inspect", "-f", "{{.State.Status}} {{.NetworkSettings.Networks.web.IPAddress}}", "srv"));
        assertTrue(gateway.ok("inspect", "-f", "{{.NetworkSettings.Networks}}", "srv").startsWith("map[web:"));
        Path sandbox = Path.of(gateway.ok("inspect", "-f", "{{.NetworkSettings.SandboxKey}}", "srv"));
        try (Netns srv = Netns.open(sandbox)) {
            assertEquals(List.of("10.78.0.200/24"), addresses(srv, "eth0"));
        }

        gateway.ok("run", "-d", "--name", "client", "--network", "web", "debian", "python3", site.resolve("client.py").toString(), "10.78.0.200");
        assertEquals("0", gateway.ok("wait", "client"));
        assertEquals("hello from srv", gateway.ok("logs", "client"));
        assertEquals("exited", gateway.ok("ps", "-a", "--filter", "name=client", "--format", "{{.State}}"));
        assertEquals("srv", gateway.ok("ps", "--filter", "network=web", "--format", "{{.Names}}"));

        // A second network, joined and left while running: eth1 comes and goes.
        gateway.ok("network", "connect", "bridge", "srv");
        try (Netns srv = Netns.open(sandbox)) {
            assertEquals(1, addresses(srv, "eth1").size());
        }
        assertTrue(gateway.docker("network", "connect", "bridge", "srv").err().contains("already exists"));
        gateway.ok("network", "disconnect", "bridge", "srv");
        try (Netns srv = Netns.open(sandbox)) {
            assertFalse(gateway.box.linkNames(srv).contains("eth1"));
        }
        // A user network takes a static address and aliases on connect; an internal one gives no route out.
        gateway.ok("network", "create", "--internal", "--subnet", "10.79.0.0/24", "-o", "com.docker.network.bridge.enable_icc=false", "back");
        assertEquals("true false", gateway.ok("network", "inspect", "-f",
                "{{.Internal}} {{index .Options \"com.docker.network.bridge.enable_icc\"}}", "back"));
        gateway.ok("network", "connect", "--ip", "10.79.0.5", "--alias", "api", "back", "srv");
        assertTrue(gateway.ok("inspect", "-f", "{{.NetworkSettings.Networks.back.Aliases}}", "srv").contains("api"));
        try (Netns srv = Netns.open(sandbox)) {
            assertEquals(List.of("10.79.0.5/24"), addresses(srv, "eth1"));
            assertEquals(1, gateway.box.ipJson(srv, "-4", "route", "show", "default").size(), "the default route stays on web");
        }
        gateway.ok("network", "disconnect", "back", "srv");
        gateway.ok("network", "rm", "back");

        gateway.ok("stop", "-t", "5", "srv");
        assertEquals("exited", gateway.ok("inspect", "-f", "{{.State.Status}}", "srv"));
        gateway.ok("restart", "srv");
        assertEquals("running 10.78.0.200", gateway.ok("inspect", "-f", "{{.State.Status}} {{.NetworkSettings.Networks.web.IPAddress}}", "srv"));
        gateway.ok("rm", "-f", "srv", "client");
        assertEquals("", gateway.ok("ps", "-a", "--format", "{{.Names}}"));
        gateway.ok("network", "rm", "web");
        assertEquals(List.of(), gateway.runtime.namespaces());
        assertEquals(List.of(), gateway.runtime.ports("netwharf0"));
    }

    @Test
    void theFourNetworkModes() throws Exception {
        gateway.ok("run", "-d", "--name", "br", "debian", "sleep", "100");
        gateway.ok("run", "-d", "--name", "no", "--network", "none", "debian", "sleep", "100");
        gateway.ok("run", "-d", "--name", "ho", "--network", "host", "debian", "sleep", "100");
        gateway.ok("create", "--name", "jo", "--network", "container:br", "debian", "sleep", "100");
        gateway.ok("start", "jo");

        assertEquals(gateway.ok("inspect", "-f", "{{.NetworkSettings.Gateway}}", "br"),
                gateway.netwharf.inspectNetwork("bridge").toCompletableFuture().join().gateway());
        try (Netns none = Netns.open(Path.of(gateway.ok("inspect", "-f", "{{.NetworkSettings.SandboxKey}}", "no")))) {
            assertEquals(List.of("lo"), gateway.box.ipJson(none, "link", "show").findValues("ifname").stream().map(JsonNode::asText).toList());
        }
        assertEquals(inode("/proc/" + pid("ho") + "/ns/net"), inode(gateway.box.host.path().toString()));
        assertEquals(inode("/proc/" + pid("br") + "/ns/net"), inode("/proc/" + pid("jo") + "/ns/net"));
        assertEquals("map[]", gateway.ok("inspect", "-f", "{{.NetworkSettings.Networks}}", "jo"));

        assertTrue(gateway.docker("network", "connect", "bridge", "ho").err().contains("cannot be connected"));
        assertTrue(gateway.docker("network", "connect", "bridge", "no").err().contains("private (none) mode"));
        gateway.ok("stop", "br");
        assertEquals("exited", gateway.ok("inspect", "-f", "{{.State.Status}}", "jo"), "stopping the owner stops its joiners");
        GatewayFixture.Cli orphan = gateway.docker("start", "jo");
        assertTrue(orphan.err().contains("cannot join network of a non running container"), orphan.err());
        gateway.ok("rm", "-f", "br", "no", "ho", "jo");
        assertEquals(List.of(), gateway.runtime.namespaces());
    }

    @Test
    void runWithRmRemovesTheContainerOnceItExitsAndPruneRemovesTheStoppedOnes() throws Exception {
        gateway.ok("run", "-d", "--rm", "--name", "brief", "debian", "true");
        for (int i = 0; i < 100 && !gateway.ok("ps", "-a", "--filter", "name=brief", "--format", "{{.Names}}").isEmpty(); i++) {
            Thread.sleep(50);
        }
        assertEquals("", gateway.ok("ps", "-a", "--filter", "name=brief", "--format", "{{.Names}}"));

        String created = gateway.ok("create", "--name", "never", "debian", "sleep", "100");
        gateway.ok("run", "-d", "--name", "done", "debian", "true");
        gateway.ok("run", "-d", "--name", "up", "debian", "sleep", "100");
        assertEquals("0", gateway.ok("wait", "done"));
        String pruned = gateway.ok("container", "prune", "-f");
        assertTrue(pruned.contains(created), pruned);
        assertEquals("up", gateway.ok("ps", "-a", "--format", "{{.Names}}"));
    }

    @Test
    void runWithARestartPolicyRestartsAFailingProcessUpToItsCount() throws Exception {
        gateway.ok("run", "-d", "--restart", "on-failure:2", "--name", "flaky", "debian", "sh", "-c", "exit 3");
        String seen = "";
        for (int i = 0; i < 100 && !seen.equals("exited 2 3"); i++) {
            Thread.sleep(50);
            seen = gateway.ok("inspect", "-f", "{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}", "flaky");
        }
        assertEquals("exited 2 3", seen);
        assertEquals("on-failure 2", gateway.ok("inspect", "-f", "{{.HostConfig.RestartPolicy.Name}} "
                + "{{.HostConfig.RestartPolicy.MaximumRetryCount}}", "flaky"));
        assertTrue(gateway.docker("run", "-d", "--restart", "sometimes", "debian", "true").err().contains("sometimes"));
    }

    @Test
    void whatNetwharfDoesNotDoIsRefusedClearlyNotLeftHanging() throws Exception {
        gateway.ok("create", "--name", "fg", "debian", "true");
        assertEquals("", gateway.ok("volume", "ls", "-q"), "no volumes to list");
        assertTrue(gateway.docker("volume", "create", "v").err().contains("netwharf has no volumes"));
        assertTrue(gateway.docker("exec", "fg", "true").err().contains("is not running"));
        assertTrue(gateway.docker("inspect", "nosuch").err().contains("No such object: nosuch"));
        assertTrue(gateway.docker("rm", "nosuch").err().contains("No such container: nosuch"));
        assertTrue(gateway.docker("run", "-d", "-p", "8080:80/sctp", "debian", "true").err().contains("netwharf forwards tcp and udp ports only"));
        assertFalse(gateway.docker("run", "-d", "--name", "bad/name", "debian", "true").exit() == 0);
    }

    private String pid(String container) throws Exception {
        return gateway.ok("inspect", "-f", "{{.State.Pid}}", container);
    }

    private static Object inode(String namespace) throws IOException {
        return Files.getAttribute(Path.of(namespace), "unix:ino");
    }

    private List<String> addresses(Netns ns, String link) {
        return gateway.runtime.addresses(ns, link);
    }
}
