package io.netwharf.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.netwharf.kernel.KernelSandbox;
import io.netwharf.kernel.Netns;
import io.netwharf.protocol.model.ContainerInfo;
import io.netwharf.protocol.model.ContainerSpec;
import io.netwharf.protocol.model.EndpointInfo;
import io.netwharf.protocol.model.EndpointSpec;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.protocol.model.NetworkSpec;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.model.NetwharfException.Kind;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.netwharf.protocol.model.ContainerSpec.of;
import static io.netwharf.runtime.RuntimeFixture.await;
import static io.netwharf.runtime.RuntimeFixture.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** User-defined bridge networks: IPAM, isolation, ICC, internal, connect and disconnect, bad input. Needs root; runs in CI. */
class NetworksTest extends RuntimeTest {
    @Test
    void aNetworkGetsItsBridgeSubnetGatewayAndRangeAsAsked() {
        NetworkInfo net = await(netwharf.createNetwork(NetworkSpec.named("front").subnet("10.10.0.0/24").gateway("10.10.0.254")
                .ipRange("10.10.0.128/25").bridgeName("front0").mtu(1400).build()));
        assertEquals("front0", net.bridge());
        assertEquals(64, net.id().length());
        assertEquals(List.of("10.10.0.254/24"), fixture.addresses(fixture.box.host, "front0"));
        ContainerInfo a = await(netwharf.createContainer(of("ca", "front")));
        EndpointInfo endpoint = a.endpoints().get("front");
        assertEquals("10.10.0.128", endpoint.ipv4Address(), "the first address of the ip-range");
        assertEquals("10.10.0.254", endpoint.gateway());
        assertEquals(1400, fixture.box.ipJson(fixture.netns(a), "link", "show", "eth0").get(0).get("mtu").asInt());
        assertTrue(fixture.ping(a, "10.10.0.254"));

        NetworkInfo auto = await(netwharf.createNetwork(NetworkSpec.named("auto").build()));
        assertEquals("br-" + auto.id().substring(0, 12), auto.bridge());
        NetworkInfo bridge = await(netwharf.inspectNetwork("bridge"));
        assertFalse(auto.subnet().equals(bridge.subnet()), "auto subnets overlap nothing: " + auto.subnet());
        assertEquals(List.of("bridge", "host", "none", "front", "auto"), await(netwharf.listNetworks()).stream().map(NetworkInfo::name).toList());
        assertEquals(Map.of(a.id(), endpoint), await(netwharf.inspectNetwork(net.id().substring(0, 8))).endpoints());
    }

    @Test
    void networksAreIsolatedFromEachOther() {
        await(netwharf.createNetwork(NetworkSpec.named("n1").subnet("10.31.0.0/24").build()));
        await(netwharf.createNetwork(NetworkSpec.named("n2").subnet("10.32.0.0/24").build()));
        ContainerInfo a = await(netwharf.createContainer(of("ca", "n1")));
        ContainerInfo b = await(netwharf.createContainer(of("cb", "n1")));
        ContainerInfo c = await(netwharf.createContainer(of("cc", "n2")));
        String bAddress = b.endpoints().get("n1").ipv4Address();
        String cAddress = c.endpoints().get("n2").ipv4Address();

        assertTrue(fixture.ping(a, bAddress), "same network");
        assertTrue(fixture.ping(a, "10.31.0.1"));
        assertFalse(fixture.ping(a, cAddress), "another network");
        assertFalse(fixture.ping(c, bAddress), "another network, the other way");

        // A container on both networks reaches both: isolation is between networks, not a broken route.
        await(netwharf.connect(a.id(), "n2", EndpointSpec.DYNAMIC));
        assertTrue(fixture.ping(a, cAddress));
    }

    @Test
    void iccOffKeepsContainersOfANetworkApartButNotFromTheGateway() {
        await(netwharf.createNetwork(NetworkSpec.named("quiet").subnet("10.33.0.0/24").icc(false).build()));
        ContainerInfo a = await(netwharf.createContainer(of("ca", "quiet")));
        ContainerInfo b = await(netwharf.createContainer(of("cb", "quiet")));
        assertTrue(fixture.ping(a, "10.33.0.1"));
        assertFalse(fixture.ping(a, b.endpoints().get("quiet").ipv4Address()));
        // and ICC on (the default) lets them talk, on a network otherwise the same
        await(netwharf.createNetwork(NetworkSpec.named("chatty").subnet("10.34.0.0/24").build()));
        ContainerInfo c = await(netwharf.createContainer(of("cc", "chatty")));
        ContainerInfo d = await(netwharf.createContainer(of("cd", "chatty")));
        assertTrue(fixture.ping(c, d.endpoints().get("chatty").ipv4Address()));
    }

    @Test
    void internalNetworksHaveNoRouteOut() {
        // "Outside": a namespace behind a bridge of the host's own, not netwharf's.
        int ext = fixture.box.bridge("ext0", "10.99.0.1", 24);
        fixture.box.container("outside", "vout", "ext0", ext, "10.99.0.2", 24, "10.99.0.1");
        await(netwharf.createNetwork(NetworkSpec.named("inside").subnet("10.35.0.0/24").internal(true).build()));
        ContainerInfo a = await(netwharf.createContainer(of("ca", "inside")));
        ContainerInfo b = await(netwharf.createContainer(of("cb", "inside")));
        ContainerInfo out = await(netwharf.createContainer(of("out", "bridge")));
        assertTrue(fixture.ping(out, "10.99.0.2"), "a container of a normal network reaches outside");

        Netns ns = fixture.netns(a);
        assertEquals(0, fixture.box.ipJson(ns, "route", "show", "default").size(), "no default route");
        assertTrue(fixture.ping(a, b.endpoints().get("inside").ipv4Address()), "inside the network they talk");
        KernelSandbox.command(List.of("nsenter", "--net=" + ns.path(), "ip", "route", "add", "default", "via", "10.35.0.1"));
        assertFalse(fixture.ping(a, "10.99.0.2"), "even with a route, nothing leaves");
        String bridge = await(netwharf.inspectNetwork("inside")).bridge();
        boolean masquerades = fixture.box.nftRuleset(fixture.box.host).stream()
                .anyMatch(o -> o.toString().contains("masquerade") && o.toString().contains(bridge));
        assertFalse(masquerades, "no NAT for an internal network");
    }

    @Test
    void connectAndDisconnectAtAnyTimeWithStaticAddresses() {
        await(netwharf.createNetwork(NetworkSpec.named("n1").subnet("10.36.0.0/24").build()));
        await(netwharf.createNetwork(NetworkSpec.named("n2").subnet("10.37.0.0/24").build()));
        ContainerInfo a = await(netwharf.createContainer(new ContainerSpec("ca", "bridge",
                Map.of("n1", EndpointSpec.staticAddress("10.36.0.50")))));
        assertEquals(List.of("bridge", "n1"), List.copyOf(a.endpoints().keySet()));
        EndpointInfo second = await(netwharf.connect(a.id(), "n2", EndpointSpec.staticAddress("10.37.0.9")));
        assertEquals("eth2", second.interfaceName());
        Netns ns = fixture.netns(a);
        assertEquals(List.of("10.36.0.50/24"), fixture.addresses(ns, "eth1"));
        assertEquals(List.of("10.37.0.9/24"), fixture.addresses(ns, "eth2"));
        assertEquals(1, fixture.box.ipJson(ns, "route", "show", "default").size(), "one default route, via the first network");

        NetwharfException twice = refused(Kind.FORBIDDEN, netwharf.connect(a.id(), "n2", EndpointSpec.DYNAMIC));
        assertTrue(twice.getMessage().contains("already exists in network n2"), twice.getMessage());
        ContainerInfo b = await(netwharf.createContainer(of("cb", "n2")));
        NetwharfException taken = refused(Kind.FORBIDDEN, netwharf.connect(b.id(), "n1", EndpointSpec.staticAddress("10.36.0.50")));
        assertTrue(taken.getMessage().contains("10.36.0.50"), taken.getMessage());
        refused(Kind.BAD_PARAMETER, netwharf.connect(b.id(), "n1", EndpointSpec.staticAddress("10.99.0.5")));
        refused(Kind.BAD_PARAMETER, netwharf.connect(b.id(), "bridge", EndpointSpec.staticAddress("172.17.0.5")));

        await(netwharf.disconnect(a.id(), "n1"));
        assertFalse(fixture.box.linkNames(ns).contains("eth1"));
        assertTrue(await(netwharf.inspectNetwork("n1")).endpoints().isEmpty());
        assertEquals("10.36.0.50", await(netwharf.connect(b.id(), "n1", EndpointSpec.staticAddress("10.36.0.50"))).ipv4Address(),
                "released on disconnect");
        refused(Kind.FORBIDDEN, netwharf.disconnect(a.id(), "n1"));
    }

    @Test
    void aFailureInTheMiddleOfAConnectLeavesNothingBehind() {
        NetworkInfo n1 = await(netwharf.createNetwork(NetworkSpec.named("n1").subnet("10.38.0.0/24").build()));
        ContainerInfo a = await(netwharf.createContainer(of("ca", "bridge")));
        Netns ns = fixture.netns(a);
        // Someone made an eth1 inside the namespace behind the runtime's back: the rename of the new peer clashes,
        // after the address was allocated and the veth pair created.
        KernelSandbox.command(List.of("nsenter", "--net=" + ns.path(), "ip", "link", "add", "eth1", "type", "bridge"));

        NetwharfException e = refused(Kind.INTERNAL, netwharf.connect(a.id(), "n1", EndpointSpec.DYNAMIC));

        assertTrue(e.getMessage().contains("connect container ca to network n1") && e.getMessage().contains("eth1"), e.getMessage());
        assertEquals(List.of(), fixture.ports(n1.bridge()), "no veth left on the bridge");
        assertEquals(List.of("lo", "eth0", "eth1"), fixture.box.linkNames(ns), "no peer left in the namespace");
        assertTrue(await(netwharf.inspectNetwork("n1")).endpoints().isEmpty());
        assertEquals(0, await(netwharf.addressesInUse("n1")), "the address went back to the pool");
        ContainerInfo b = await(netwharf.createContainer(of("cb", "n1")));
        assertTrue(fixture.ping(b, "10.38.0.1"), "the network still works");
    }

    @Test
    void badInputIsRefusedAndChangesNothing() {
        await(netwharf.createNetwork(NetworkSpec.named("taken").subnet("10.39.0.0/16").build()));
        ContainerInfo a = await(netwharf.createContainer(of("ca", "bridge")));
        List<String> links = fixture.box.linkNames(fixture.box.host);
        List<JsonNode> rules = fixture.box.nftRuleset(fixture.box.host);

        refused(Kind.BAD_PARAMETER, netwharf.createNetwork(NetworkSpec.named("x").subnet("10.0.0.0/33").build()));
        refused(Kind.BAD_PARAMETER, netwharf.createNetwork(NetworkSpec.named("x").subnet("not-a-cidr").build()));
        refused(Kind.BAD_PARAMETER, netwharf.createNetwork(NetworkSpec.named("x").subnet("10.40.0.0/24").gateway("10.41.0.1").build()));
        refused(Kind.BAD_PARAMETER, netwharf.createNetwork(NetworkSpec.named("x").subnet("10.40.0.0/24").ipRange("10.41.0.0/25").build()));
        refused(Kind.FORBIDDEN, netwharf.createNetwork(NetworkSpec.named("x").subnet("10.39.5.0/24").build()));
        refused(Kind.BAD_PARAMETER, netwharf.createNetwork(NetworkSpec.named("bad name!").build()));
        refused(Kind.BAD_PARAMETER, netwharf.createNetwork(NetworkSpec.named("x").bridgeName("a-bridge-name-too-long").build()));
        refused(Kind.BAD_PARAMETER, netwharf.createNetwork(NetworkSpec.named("x").bridgeName("has/slash").build()));
        refused(Kind.CONFLICT, netwharf.createNetwork(NetworkSpec.named("taken").build()));
        refused(Kind.FORBIDDEN, netwharf.createNetwork(NetworkSpec.named("host").build()));
        refused(Kind.NOT_FOUND, netwharf.createContainer(of("cb", "nosuchnet")));
        refused(Kind.NOT_FOUND, netwharf.createContainer(of("cb", "container:nosuchctr")));
        // Names are the engine's (ContainerEngineTest, ContainersApiTest): here a container is its id, checked and unique.
        refused(Kind.CONFLICT, netwharf.createContainer(new ContainerSpec(a.id(), "other", "bridge", Map.of())));
        refused(Kind.BAD_PARAMETER, netwharf.createContainer(new ContainerSpec("ca", "ca", "bridge", Map.of())));
        NetwharfException noOwner = org.junit.jupiter.api.Assertions.assertThrows(NetwharfException.class, () -> of("cb", "container:"));
        assertEquals("Invalid network mode: invalid container format container:<name|id>", noOwner.getMessage());
        refused(Kind.NOT_FOUND, netwharf.connect("nosuchctr", "taken", EndpointSpec.DYNAMIC));
        refused(Kind.NOT_FOUND, netwharf.connect("ca", "taken", EndpointSpec.DYNAMIC)); // a name is no key here
        refused(Kind.NOT_FOUND, netwharf.connect(a.id(), "nosuchnet", EndpointSpec.DYNAMIC));
        refused(Kind.BAD_PARAMETER, netwharf.connect(a.id(), "taken", EndpointSpec.staticAddress("10.39.0.999")));
        refused(Kind.NOT_FOUND, netwharf.removeNetwork("nosuchnet"));
        refused(Kind.FORBIDDEN, netwharf.removeNetwork("bridge"));
        refused(Kind.NOT_FOUND, netwharf.removeContainer("nosuchctr", false));

        assertEquals(links, fixture.box.linkNames(fixture.box.host), "no link made or removed");
        assertEquals(rules, fixture.box.nftRuleset(fixture.box.host), "no rule changed");
        assertEquals(List.of("bridge", "host", "none", "taken"), await(netwharf.listNetworks()).stream().map(NetworkInfo::name).toList());
    }

    @Test
    void aFailureAfterTheFirstKernelChangeUndoesEveryStep() {
        // The firewall step fails for real: an element of someone else's already holds the subnet, so the network's
        // one nft batch is refused after its bridge was made, addressed and brought up.
        KernelSandbox.command(List.of("nsenter", "--net=" + fixture.box.host.path(), "nft",
                "add element ip netwharf masquerade_from { 10.20.0.0/24 : accept }"));
        // And a bridge of the host's own, down and without an address, that a network adopts by name. It was up once
        // before: a link's first time up gives it its default queueing discipline for good, which no undo takes back.
        for (String step : List.of("add adopt0 type bridge", "set adopt0 up", "set adopt0 down")) {
            List<String> ip = new java.util.ArrayList<>(List.of("nsenter", "--net=" + fixture.box.host.path(), "ip", "link"));
            ip.addAll(List.of(step.split(" ")));
            KernelSandbox.command(ip);
        }
        HostSnapshot before = HostSnapshot.settled(fixture.box.host);

        NetwharfException made = refused(Kind.INTERNAL, netwharf.createNetwork(NetworkSpec.named("made").subnet("10.20.0.0/24").build()));
        assertTrue(made.getMessage().contains("create network made") && made.getMessage().contains("firewall"), made.getMessage());
        assertEquals(before, HostSnapshot.of(fixture.box.host), "its bridge, address and route are gone again");

        NetwharfException adopted = refused(Kind.INTERNAL, netwharf.createNetwork(NetworkSpec.named("adopted").subnet("10.20.0.0/24")
                .bridgeName("adopt0").build()));
        assertTrue(adopted.getMessage().contains("firewall"), adopted.getMessage());
        assertEquals(before, HostSnapshot.of(fixture.box.host), "the adopted bridge is kept, down and without the address given to it");

        assertEquals(List.of("bridge", "host", "none"), await(netwharf.listNetworks()).stream().map(NetworkInfo::name).toList());
        NetworkInfo next = await(netwharf.createNetwork(NetworkSpec.named("next").subnet("10.21.0.0/24").bridgeName("adopt0").build()));
        assertEquals(List.of("10.21.0.1/24"), fixture.addresses(fixture.box.host, next.bridge()), "the names and the bridge are free");
    }

    @Test
    void specialPurposeAndOversizedSubnetsAndBadOptionsAreRefusedBeforeTheKernel() {
        HostSnapshot before = HostSnapshot.settled(fixture.box.host);
        record Case(NetworkSpec spec, String message) {}
        List<Case> table = List.of(
                new Case(NetworkSpec.named("x").subnet("0.0.0.0/1").build(), "subnet 0.0.0.0/1 is too large"),
                new Case(NetworkSpec.named("x").subnet("224.0.0.0/24").build(), "multicast"),
                new Case(NetworkSpec.named("x").subnet("240.1.0.0/16").build(), "reserved"),
                new Case(NetworkSpec.named("x").subnet("0.0.0.0/8").build(), "\"this network\""),
                new Case(NetworkSpec.named("x").subnet("169.254.1.0/24").build(), "link-local"),
                new Case(NetworkSpec.named("x").subnet("127.0.0.0/8").build(), "loopback"),
                new Case(NetworkSpec.named("x").driver("macvlan").subnet("127.1.0.0/24").build(), "loopback"),
                new Case(NetworkSpec.named("x").mtu(65536).build(), "invalid MTU number: 65536"),
                new Case(NetworkSpec.named("x").options(Map.of("com.docker.network.driver.mtu", "\u0661\u0665\u0660\u0660")).build(),
                        "failed to parse com.docker.network.driver.mtu value"));
        for (Case c : table) {
            NetwharfException e = refused(Kind.BAD_PARAMETER, netwharf.createNetwork(c.spec()));
            assertTrue(e.getMessage().contains(c.message()), c.spec() + " → " + e.getMessage());
            assertEquals(before, HostSnapshot.of(fixture.box.host), c.spec() + " changed the kernel");
        }
        java.util.HashMap<String, String> nullLabel = new java.util.HashMap<>();
        nullLabel.put("a", null);
        NetwharfException e = org.junit.jupiter.api.Assertions.assertThrows(NetwharfException.class,
                () -> NetworkSpec.named("x").labels(nullLabel).build());
        assertEquals("label a has no value (null)", e.getMessage());
        assertEquals(Kind.BAD_PARAMETER, e.kind());
    }

    @Test
    void aNetworkWithEndpointsIsNotRemovedAndRemovingOneLeavesNoRule() {
        NetworkInfo net = await(netwharf.createNetwork(NetworkSpec.named("gone").subnet("10.42.0.0/24").build()));
        ContainerInfo a = await(netwharf.createContainer(of("ca", "gone")));
        NetwharfException e = refused(Kind.FORBIDDEN, netwharf.removeNetwork("gone"));
        assertTrue(e.getMessage().contains("has active endpoints"), e.getMessage());
        await(netwharf.removeContainer(a.id(), false));
        await(netwharf.removeNetwork("gone"));

        assertFalse(fixture.box.linkNames(fixture.box.host).contains(net.bridge()));
        String ruleset = fixture.box.nftRuleset(fixture.box.host).toString();
        assertFalse(ruleset.contains(net.bridge()) || ruleset.contains("10.42.0.0"), ruleset);
        assertTrue(ruleset.contains("netwharf0"), "the default network's rules stay");
        refused(Kind.NOT_FOUND, netwharf.inspectNetwork("gone"));
    }
}
