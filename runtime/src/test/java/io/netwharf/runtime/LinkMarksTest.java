package io.netwharf.runtime;

import io.netwharf.kernel.KernelSandbox;
import io.netwharf.kernel.LinkMarks;
import io.netwharf.kernel.Links;
import io.netwharf.kernel.MarkedLinks;
import io.netwharf.kernel.NetlinkSocket;
import io.netwharf.kernel.Netns;
import io.netwharf.protocol.model.ContainerInfo;
import io.netwharf.protocol.model.NetwharfException.Kind;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.protocol.model.NetworkSpec;
import io.netwharf.protocol.rtnetlink.LinkData;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.netwharf.protocol.model.ContainerSpec.of;
import static io.netwharf.runtime.RuntimeFixture.await;
import static io.netwharf.runtime.RuntimeFixture.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every link the drivers make carries netwharf's mark in its alias, so that a restart knows it for its own: read back
 * with {@link MarkedLinks} and with {@code ip}. Needs root; the real kernel in a throwaway namespace.
 */
class LinkMarksTest extends RuntimeTest {

    /** The marked links of {@code socket}'s namespace, by name. */
    private static Map<String, LinkMarks.Mark> marks(NetlinkSocket socket) {
        return MarkedLinks.find(socket).stream().collect(Collectors.toMap(MarkedLinks.Marked::name, MarkedLinks.Marked::mark));
    }

    @Test
    void aBridgeNetworkMarksItsBridgeAndTheHostEndOfEachEndpoint() throws InterruptedException {
        fixture.box.run(Links.createBridge("br-host", null, null, LinkData.Bridge.forContainers())); // the host's, unmarked
        NetworkInfo defaultNetwork = await(netwharf.inspectNetwork("bridge"));
        NetworkInfo net = await(netwharf.createNetwork(NetworkSpec.named("marked").subnet("10.70.0.0/24").build()));
        ContainerInfo a = await(netwharf.createContainer(of("ca", "marked")));
        ContainerInfo b = await(netwharf.createContainer(of("cb", "marked")));
        String hostEndA = a.endpoints().get("marked").hostInterfaceName();
        String hostEndB = b.endpoints().get("marked").hostInterfaceName();

        assertEquals(Map.of(
                defaultNetwork.bridge(), new LinkMarks.Mark(defaultNetwork.id(), null),
                net.bridge(), new LinkMarks.Mark(net.id(), null),
                hostEndA, new LinkMarks.Mark(net.id(), a.id()),
                hostEndB, new LinkMarks.Mark(net.id(), b.id())), marks(fixture.box.socket));
        String bridge = KernelSandbox.command(List.of("nsenter", "--net=" + fixture.box.host.path(), "ip", "-d", "link", "show", net.bridge()));
        assertTrue(bridge.contains("alias netwharf network " + net.id()), bridge);
        String port = KernelSandbox.command(List.of("nsenter", "--net=" + fixture.box.host.path(), "ip", "-d", "link", "show", hostEndA));
        assertTrue(port.contains("alias netwharf endpoint " + a.id() + " " + net.id()), port);

        await(netwharf.removeContainer(a.id(), false));
        // The kernel frees a deleted namespace's links a moment later, the host end with them.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (marks(fixture.box.socket).containsKey(hostEndA) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(Set.of(defaultNetwork.bridge(), net.bridge(), hostEndB), marks(fixture.box.socket).keySet(), "the mark went with the link");
    }

    @Test
    void anAdoptedBridgeIsMarkedAndAFailedAdoptionGivesItsAliasBack() {
        fixture.box.run(Links.createBridge("adopt1", null, null, LinkData.Bridge.forContainers()), Links.setAlias("adopt1", "the host's own"));
        // The firewall step fails for real: an element of someone else's already holds the subnet (as NetworksTest does).
        KernelSandbox.command(List.of("nsenter", "--net=" + fixture.box.host.path(), "nft",
                "add element ip netwharf masquerade_from { 10.71.0.0/24 : accept }"));

        refused(Kind.INTERNAL, netwharf.createNetwork(NetworkSpec.named("failed").subnet("10.71.0.0/24").bridgeName("adopt1").build()));
        assertEquals("the host's own", fixture.box.links.get("adopt1").alias(), "the adopted bridge is kept, with its alias");

        NetworkInfo adopted = await(netwharf.createNetwork(NetworkSpec.named("adopted").subnet("10.72.0.0/24").bridgeName("adopt1").build()));
        assertEquals(LinkMarks.network(adopted.id()), fixture.box.links.get("adopt1").alias(), "netwharf owns it now");
    }

    @Test
    void macvlanEndpointsAreMarkedInsideTheContainerAndAnOwnParentOnTheHost() {
        fixture.box.uplink("uplink0");
        NetworkInfo mv = await(netwharf.createNetwork(NetworkSpec.named("mv").driver("macvlan").subnet("10.73.0.0/24")
                .options(Map.of("parent", "uplink0")).build()));
        ContainerInfo a = await(netwharf.createContainer(of("ca", "mv")));
        Netns ns = fixture.netns(a);
        assertEquals(Map.of("eth0", new LinkMarks.Mark(mv.id(), a.id())), marks(fixture.box.socket(ns)));
        assertEquals("netwharf endpoint " + a.id() + " " + mv.id(), fixture.box.ipJson(ns, "link", "show", "eth0").get(0).get("ifalias").asText());
        assertNull(fixture.box.links.get("uplink0").alias(), "a parent given by the user is not netwharf's");

        NetworkInfo own = await(netwharf.createNetwork(NetworkSpec.named("iso").driver("macvlan").internal(true).subnet("10.74.0.0/24").build()));
        assertEquals(LinkMarks.network(own.id()), fixture.box.links.get(own.bridge()).alias());
    }
}
