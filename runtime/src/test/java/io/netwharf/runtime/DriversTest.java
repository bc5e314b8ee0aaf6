package io.netwharf.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.netwharf.ipam.Ipv4;
import io.netwharf.ipam.Ipv4Subnet;
import io.netwharf.kernel.Links;
import io.netwharf.kernel.Netns;
import io.netwharf.protocol.model.ContainerInfo;
import io.netwharf.protocol.model.EndpointInfo;
import io.netwharf.protocol.model.EndpointSpec;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.model.NetwharfException.Kind;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.protocol.model.NetworkSpec;
import io.netwharf.protocol.rtnetlink.LinkData;
import io.netwharf.protocol.rtnetlink.Rtnetlink;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.netwharf.protocol.model.ContainerSpec.of;
import static io.netwharf.runtime.RuntimeFixture.await;
import static io.netwharf.runtime.RuntimeFixture.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The network drivers against the real kernel, from outside: macvlan on a veth end and on a bridge (this kernel has
 * no dummy links), ipvlan (refused in words where the kernel lacks it, tested for real where it has it), and the
 * predefined host and none networks. Needs root; runs in CI.
 */
class DriversTest extends RuntimeTest {
    @Test
    void twoContainersOnAMacvlanNetworkTalkOverTcpAndRemovingThemLeavesNothing() throws Exception {
        fixture.box.uplink("uplink0");
        List<String> hostLinks = fixture.box.linkNames(fixture.box.host);
        List<String> hostAddresses = hostAddresses();

        NetworkInfo mv = await(netwharf.createNetwork(NetworkSpec.named("mv").driver("macvlan").subnet("10.60.0.0/24")
                .options(Map.of("parent", "uplink0")).build()));
        assertEquals("macvlan", mv.driver());
        assertEquals(Map.of("parent", "uplink0"), mv.options(), "the options as given, as Docker shows them");
        assertEquals("10.60.0.1", mv.gateway());
        assertEquals(hostLinks, fixture.box.linkNames(fixture.box.host), "a macvlan network adds nothing to the host");

        ContainerInfo a = await(netwharf.createContainer(of("ca", "mv")));
        ContainerInfo b = await(netwharf.createContainer(of("cb", "mv")));
        EndpointInfo ea = a.endpoints().get("mv");
        EndpointInfo eb = b.endpoints().get("mv");
        Ipv4Subnet subnet = Ipv4Subnet.parse("10.60.0.0/24");
        for (EndpointInfo e : List.of(ea, eb)) {
            assertTrue(subnet.contains(Ipv4.parse(e.ipv4Address())), e.ipv4Address() + " is from the pool");
        }
        assertNotEquals(ea.ipv4Address(), eb.ipv4Address());
        assertEquals(2, await(netwharf.addressesInUse("mv")));

        Netns ns = fixture.netns(a);
        JsonNode eth0 = fixture.box.ipJson(ns, "-d", "link", "show", "eth0").get(0);
        assertEquals("macvlan", eth0.at("/linkinfo/info_kind").asText());
        assertEquals("bridge", eth0.at("/linkinfo/info_data/mode").asText());
        assertEquals(ea.macAddress(), eth0.get("address").asText(), "02:42 and the address, as on a bridge");
        assertEquals(List.of(ea.ipv4Address() + "/24"), fixture.addresses(ns, "eth0"));
        assertEquals("10.60.0.1", fixture.box.ipJson(ns, "route", "show", "default").get(0).get("gateway").asText());
        assertEquals(hostLinks, fixture.box.linkNames(fixture.box.host), "the endpoints live in the containers' namespaces only");

        assertEquals("hello over macvlan", tcp(a, b, ea.ipv4Address(), "hello over macvlan"));

        // Disconnect takes the link away inside the namespace; connect gives it back.
        await(netwharf.disconnect(a.id(), "mv"));
        assertEquals(List.of("lo"), fixture.box.linkNames(ns));
        assertEquals(1, await(netwharf.addressesInUse("mv")));
        await(netwharf.connect(a.id(), "mv", EndpointSpec.DYNAMIC));
        assertTrue(fixture.ping(b, await(netwharf.inspectContainer(a.id())).endpoints().get("mv").ipv4Address()));

        await(netwharf.removeContainer(a.id(), false));
        await(netwharf.removeContainer(b.id(), false));
        assertEquals(0, await(netwharf.addressesInUse("mv")));
        await(netwharf.removeNetwork("mv"));
        assertEquals(hostLinks, fixture.box.linkNames(fixture.box.host));
        assertEquals(hostAddresses, hostAddresses(), "no address left on the host");
        assertEquals(List.of(), fixture.namespaces());
        assertEquals(List.of("bridge", "host", "none"), names());
    }

    @Test
    void aBridgeAsParentAndAnInternalNetworkWithABridgeOfItsOwn() {
        fixture.box.run(Links.createBridge("lan0", null, null, LinkData.Bridge.forContainers()), Links.setUp("lan0", true));
        List<String> hostLinks = fixture.box.linkNames(fixture.box.host);

        await(netwharf.createNetwork(NetworkSpec.named("lan").driver("macvlan").subnet("10.61.0.0/24")
                .options(Map.of("parent", "lan0", "macvlan_mode", "private")).build()));
        ContainerInfo a = await(netwharf.createContainer(of("ca", "lan")));
        ContainerInfo b = await(netwharf.createContainer(of("cb", "lan")));
        assertEquals("private", fixture.box.ipJson(fixture.netns(a), "-d", "link", "show", "eth0").get(0).at("/linkinfo/info_data/mode").asText());
        assertFalse(fixture.ping(a, b.endpoints().get("lan").ipv4Address()), "private mode: no traffic between macvlans of one parent");

        NetworkInfo internal = await(netwharf.createNetwork(NetworkSpec.named("iso").driver("macvlan").internal(true)
                .subnet("10.62.0.0/24").build()));
        String ownParent = "dm-" + internal.id().substring(0, 12);
        assertEquals(ownParent, internal.bridge());
        JsonNode parent = fixture.box.ipJson(fixture.box.host, "-d", "link", "show", ownParent).get(0);
        assertEquals("bridge", parent.at("/linkinfo/info_kind").asText());
        ContainerInfo c = await(netwharf.createContainer(of("cc", "iso")));
        ContainerInfo d = await(netwharf.createContainer(of("cd", "iso")));
        assertTrue(fixture.ping(c, d.endpoints().get("iso").ipv4Address()), "bridge mode on the network's own parent");
        assertEquals(0, fixture.box.ipJson(fixture.netns(c), "route", "show", "default").size(), "internal: no route out");

        for (ContainerInfo x : List.of(a, b, c, d)) {
            await(netwharf.removeContainer(x.id(), false));
        }
        await(netwharf.removeNetwork("lan"));
        await(netwharf.removeNetwork("iso"));
        assertEquals(hostLinks, fixture.box.linkNames(fixture.box.host), "the own parent went with its network");
    }

    @Test
    void badMacvlanRequestsAreRefusedBeforeTheKernelAndLeaveNothing() {
        fixture.box.uplink("uplink0");
        await(netwharf.createNetwork(NetworkSpec.named("mv").driver("macvlan").subnet("10.63.0.0/24")
                .options(Map.of("parent", "uplink0")).build()));
        List<String> hostLinks = fixture.box.linkNames(fixture.box.host);
        List<JsonNode> rules = fixture.box.nftRuleset(fixture.box.host);

        NetwharfException unknown = refused(Kind.BAD_PARAMETER, netwharf.createNetwork(NetworkSpec.named("x").driver("macvlan")
                .options(Map.of("parent", "nosuch0")).build()));
        assertTrue(unknown.getMessage().contains("-o parent interface was not found on the host: nosuch0"), unknown.getMessage());
        NetwharfException inUse = refused(Kind.FORBIDDEN, netwharf.createNetwork(NetworkSpec.named("x").driver("macvlan")
                .options(Map.of("parent", "uplink0")).build()));
        assertTrue(inUse.getMessage().contains("is already using parent interface uplink0"), inUse.getMessage());
        NetwharfException option = refused(Kind.BAD_PARAMETER, netwharf.createNetwork(NetworkSpec.named("x").driver("macvlan")
                .options(Map.of("parent", "uplink0p", "vlan", "10")).build()));
        assertTrue(option.getMessage().contains("option vlan"), option.getMessage());
        NetwharfException mode = refused(Kind.BAD_PARAMETER, netwharf.createNetwork(NetworkSpec.named("x").driver("macvlan")
                .options(Map.of("parent", "uplink0p", "macvlan_mode", "loud")).build()));
        assertTrue(mode.getMessage().contains("requested macvlan mode 'loud' is not valid"), mode.getMessage());
        refused(Kind.BAD_PARAMETER, netwharf.createNetwork(NetworkSpec.named("x").driver("macvlan").internal(true)
                .options(Map.of("parent", "uplink0p")).build()));
        refused(Kind.BAD_PARAMETER, netwharf.createNetwork(NetworkSpec.named("x").driver("macvlan").options(Map.of("parent", "lo")).build()));
        refused(Kind.BAD_PARAMETER, netwharf.createNetwork(NetworkSpec.named("x").driver("macvlan").bridgeName("br9")
                .options(Map.of("parent", "uplink0p")).build()));
        NetwharfException bridgeOption = refused(Kind.BAD_PARAMETER, netwharf.createNetwork(NetworkSpec.named("x")
                .options(Map.of("parent", "uplink0p")).build()));
        assertTrue(bridgeOption.getMessage().contains("option parent is not an option of the bridge driver"), bridgeOption.getMessage());
        NetwharfException plugin = refused(Kind.NOT_FOUND, netwharf.createNetwork(NetworkSpec.named("x").driver("weave").build()));
        assertEquals("plugin \"weave\" not found", plugin.getMessage());
        NetwharfException single = refused(Kind.BAD_PARAMETER, netwharf.createNetwork(NetworkSpec.named("x").driver("overlay").build()));
        assertTrue(single.getMessage().startsWith("overlay networks span the nodes of a cluster, and this daemon is a single node"), single.getMessage());
        refused(Kind.FORBIDDEN, netwharf.createNetwork(NetworkSpec.named("x").driver("host").build()));

        assertEquals(hostLinks, fixture.box.linkNames(fixture.box.host), "no link made or removed");
        assertEquals(rules, fixture.box.nftRuleset(fixture.box.host), "no rule changed");
        assertEquals(List.of("bridge", "host", "none", "mv"), names());
    }

    /**
     * This machine's kernel has no ipvlan: creation is refused in words and leaves nothing, with a parent given or a
     * bridge of its own to make. On a kernel with ipvlan (detected the same way the driver does, by making one link)
     * the test checks the real thing instead: two containers on an l2 ipvlan network reach each other.
     */
    @Test
    void ipvlanIsRefusedInWordsWhereTheKernelLacksItAndWorksWhereItHasIt() throws Exception {
        fixture.box.uplink("uplink0");
        List<String> hostLinks = fixture.box.linkNames(fixture.box.host);
        NetworkSpec iv = NetworkSpec.named("iv").driver("ipvlan").subnet("10.64.0.0/24").options(Map.of("parent", "uplink0")).build();
        if (!fixture.box.hasLinkKind(new LinkData.Ipvlan(Rtnetlink.IPVLAN_MODE_L2), "uplink0")) {
            NetwharfException refusal = refused(Kind.FORBIDDEN, netwharf.createNetwork(iv));
            assertTrue(refusal.getMessage().contains("this kernel has no ipvlan support"), refusal.getMessage());
            NetwharfException internal = refused(Kind.FORBIDDEN, netwharf.createNetwork(NetworkSpec.named("iv").driver("ipvlan")
                    .internal(true).build()));
            assertTrue(internal.getMessage().contains("this kernel has no ipvlan support"), internal.getMessage());
            assertEquals(hostLinks, fixture.box.linkNames(fixture.box.host), "no probe, no own parent left");
            assertEquals(List.of("bridge", "host", "none"), names());
            // The name and the parent are free again: the refusal took nothing.
            await(netwharf.createNetwork(NetworkSpec.named("iv").driver("macvlan").options(Map.of("parent", "uplink0")).build()));
            return;
        }
        NetworkInfo network = await(netwharf.createNetwork(iv));
        assertEquals(Map.of("parent", "uplink0"), network.options());
        ContainerInfo a = await(netwharf.createContainer(of("ca", "iv")));
        ContainerInfo b = await(netwharf.createContainer(of("cb", "iv")));
        assertEquals("ipvlan", fixture.box.ipJson(fixture.netns(a), "-d", "link", "show", "eth0").get(0).at("/linkinfo/info_kind").asText());
        assertEquals("hello over ipvlan", tcp(a, b, a.endpoints().get("iv").ipv4Address(), "hello over ipvlan"));
        await(netwharf.removeContainer(a.id(), false));
        await(netwharf.removeContainer(b.id(), false));
        await(netwharf.removeNetwork("iv"));
        assertEquals(hostLinks, fixture.box.linkNames(fixture.box.host));
    }

    @Test
    void hostAndNoneAreNetworksWithTheSameIdsAcrossCallsAndRestartsAndCannotBeChanged() {
        NetworkInfo host = await(netwharf.inspectNetwork("host"));
        NetworkInfo none = await(netwharf.inspectNetwork("none"));
        assertEquals("host", host.driver());
        assertEquals("null", none.driver());
        assertTrue(host.id().matches("[0-9a-f]{64}") && none.id().matches("[0-9a-f]{64}"));
        assertNotEquals(host.id(), none.id());
        assertEquals(host.id(), await(netwharf.inspectNetwork(host.id().substring(0, 10))).id());
        assertEquals(List.of(host.id(), none.id()), await(netwharf.listNetworks()).stream()
                .filter(n -> !n.name().equals("bridge")).map(NetworkInfo::id).toList());

        ContainerInfo h = await(netwharf.createContainer(of("ch", "host")));
        ContainerInfo n = await(netwharf.createContainer(of("cn", "none")));
        ContainerInfo b = await(netwharf.createContainer(of("cb", "bridge")));
        assertEquals(List.of(h.id()), List.copyOf(await(netwharf.inspectNetwork("host")).endpoints().keySet()));
        assertEquals(List.of(n.id()), List.copyOf(await(netwharf.inspectNetwork("none")).endpoints().keySet()));
        assertEquals(await(netwharf.inspectNetwork("host")).endpoints(), await(netwharf.inspectNetwork("host")).endpoints(),
                "the endpoint ids stay the same");

        for (String name : List.of("host", "none")) {
            NetwharfException refusal = refused(Kind.FORBIDDEN, netwharf.removeNetwork(name));
            assertEquals(name + " is a pre-defined network and cannot be removed", refusal.getMessage());
        }
        assertEquals("container cannot be disconnected from host network or connected to host network",
                refused(Kind.BAD_PARAMETER, netwharf.connect(b.id(), "host", EndpointSpec.DYNAMIC)).getMessage());
        assertEquals("container cannot be connected to multiple networks with one of the networks in private (none) mode",
                refused(Kind.BAD_PARAMETER, netwharf.connect(b.id(), "none", EndpointSpec.DYNAMIC)).getMessage());
        refused(Kind.BAD_PARAMETER, netwharf.disconnect(b.id(), "host"));
        assertEquals(0, await(netwharf.addressesInUse("host")));

        // A new runtime on the same host: the same ids.
        await(netwharf.stop());
        netwharf = fixture.start();
        assertEquals(host.id(), await(netwharf.inspectNetwork("host")).id());
        assertEquals(none.id(), await(netwharf.inspectNetwork("none")).id());
    }

    @Test
    void aNetworkMadeThroughTheEmbeddedApiShowsItsOptions() {
        NetworkInfo quiet = await(netwharf.createNetwork(NetworkSpec.named("quiet").bridgeName("quiet0").icc(false).build()));
        assertEquals(Map.of("com.docker.network.bridge.name", "quiet0", "com.docker.network.bridge.enable_icc", "false"), quiet.options());
        NetworkInfo given = await(netwharf.createNetwork(NetworkSpec.named("given")
                .options(Map.of("com.docker.network.driver.mtu", "1400", "com.docker.network.bridge.enable_ip_masquerade", "false")).build()));
        assertEquals(1400, given.mtu());
        assertFalse(given.masquerade());
        assertEquals(Map.of("com.docker.network.driver.mtu", "1400", "com.docker.network.bridge.enable_ip_masquerade", "false"),
                await(netwharf.inspectNetwork("given")).options());
        assertEquals("true", await(netwharf.inspectNetwork("bridge")).options().get("com.docker.network.bridge.default_bridge"));
    }

    /** Every IPv4 address in the host namespace, as "link address/length". */
    private List<String> hostAddresses() {
        List<String> found = new ArrayList<>();
        fixture.box.ipJson(fixture.box.host, "-4", "addr", "show").forEach(l -> l.path("addr_info").forEach(a ->
                found.add(l.get("ifname").asText() + " " + a.get("local").asText() + "/" + a.get("prefixlen").asInt())));
        return found;
    }

    private List<String> names() {
        return await(netwharf.listNetworks()).stream().map(NetworkInfo::name).toList();
    }

    /** {@code server} listens on TCP port 8000 and sends {@code message}; {@code client} connects to it and reads. */
    private static String tcp(ContainerInfo server, ContainerInfo client, String serverAddress, String message) throws Exception {
        Process listening = new ProcessBuilder("nsenter", "--net=" + server.sandboxKey(), "python3", "-c",
                "import socket\ns = socket.socket()\ns.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                        + "s.bind(('0.0.0.0', 8000))\ns.listen()\nc, _ = s.accept()\nc.sendall(b'" + message + "')\nc.close()\n")
                .redirectErrorStream(true).start();
        try {
            Process connecting = new ProcessBuilder("nsenter", "--net=" + Path.of(client.sandboxKey()), "python3", "-c",
                    "import socket, sys, time\nfor _ in range(100):\n    try:\n        c = socket.create_connection(('" + serverAddress
                            + "', 8000), timeout=2)\n        break\n    except OSError:\n        time.sleep(0.05)\nelse:\n    sys.exit(1)\n"
                            + "print(c.recv(100).decode(), end='')\n")
                    .redirectErrorStream(true).start();
            String out = new String(connecting.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(connecting.waitFor(30, TimeUnit.SECONDS) && connecting.exitValue() == 0, out);
            return out;
        } finally {
            listening.destroy();
            listening.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
