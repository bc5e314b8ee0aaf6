package io.netwharf.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.netwharf.kernel.Netns;
import io.netwharf.protocol.model.ContainerInfo;
import io.netwharf.protocol.model.ContainerSpec;
import io.netwharf.protocol.model.EndpointInfo;
import io.netwharf.protocol.model.Ids;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.protocol.model.NetwharfException.Kind;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.netwharf.runtime.RuntimeFixture.await;
import static io.netwharf.runtime.RuntimeFixture.refused;
import static io.netwharf.protocol.model.ContainerSpec.of;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The four network modes, checked in the kernel from outside. Needs root; runs in CI. */
class ModesTest extends RuntimeTest {
    @Test
    void bridgeModeGivesEth0AnAddressAndADefaultRouteViaTheGateway() {
        NetworkInfo bridge = await(netwharf.inspectNetwork("bridge"));
        ContainerInfo web = await(netwharf.createContainer(of("web", "bridge")));
        ContainerInfo db = await(netwharf.createContainer(of("db", null)));

        EndpointInfo endpoint = web.endpoints().get("bridge");
        assertEquals("eth0", endpoint.interfaceName());
        assertEquals(bridge.gateway(), endpoint.gateway());
        Netns ns = fixture.netns(web);
        assertEquals(List.of(endpoint.ipv4Address() + "/16"), fixture.addresses(ns, "eth0"));
        JsonNode eth0 = fixture.box.ipJson(ns, "link", "show", "eth0").get(0);
        assertEquals(endpoint.macAddress(), eth0.get("address").asText());
        assertEquals(1500, eth0.get("mtu").asInt());
        JsonNode route = fixture.box.ipJson(ns, "route", "show", "default").get(0);
        assertEquals(bridge.gateway(), route.get("gateway").asText());
        assertEquals("eth0", route.get("dev").asText());
        assertTrue(fixture.box.ipJson(ns, "link", "show", "lo").get(0).get("flags").toString().contains("UP"));
        assertTrue(fixture.ports("netwharf0").contains(endpoint.hostInterfaceName()));
        assertTrue(fixture.runDirectory.resolve("netns").resolve(Ids.shortId(web.id())).toString().equals(web.sandboxKey()),
                "the namespace is bind-mounted under the run directory");

        assertTrue(fixture.ping(web, bridge.gateway()), "container reaches the gateway");
        assertTrue(fixture.ping(web, db.endpoints().get("bridge").ipv4Address()), "bridge containers reach each other");
        assertTrue(fixture.box.ping(fixture.box.host, endpoint.ipv4Address()), "the host reaches the container");
    }

    @Test
    void noneModeHasOnlyLoopbackUp() {
        ContainerInfo iso = await(netwharf.createContainer(of("iso", "none")));
        Netns ns = fixture.netns(iso);
        assertEquals(List.of("lo"), fixture.box.linkNames(ns));
        assertTrue(fixture.box.ipJson(ns, "link", "show", "lo").get(0).get("flags").toString().contains("UP"));
        assertTrue(iso.endpoints().isEmpty());
        assertTrue(fixture.box.ping(ns, "127.0.0.1"));
        refused(Kind.BAD_PARAMETER, netwharf.connect(iso.id(), "bridge", io.netwharf.protocol.model.EndpointSpec.DYNAMIC));
    }

    @Test
    void hostModeUsesTheHostNamespace() throws Exception {
        List<String> before = fixture.namespaces();
        ContainerInfo host = await(netwharf.createContainer(of("hostc", "host")));
        assertEquals(fixture.box.host.path().toString(), host.sandboxKey());
        assertEquals(before, fixture.namespaces(), "no namespace of its own");
        refused(Kind.BAD_PARAMETER, netwharf.connect(host.id(), "bridge", io.netwharf.protocol.model.EndpointSpec.DYNAMIC));
        await(netwharf.removeContainer(host.id(), false));
    }

    @Test
    void containerModeJoinsTheOwnersNamespaceAndKeepsItWhileJoined() throws Exception {
        ContainerInfo owner = await(netwharf.createContainer(of("owner", "bridge")));
        // The runtime takes the owner's full id: names and prefixes are the engine's.
        refused(Kind.NOT_FOUND, netwharf.createContainer(of("side", "container:owner")));
        refused(Kind.NOT_FOUND, netwharf.createContainer(of("side", "container:" + owner.id().substring(0, 10))));
        ContainerInfo side = await(netwharf.createContainer(of("side", "container:" + owner.id())));
        ContainerInfo side2 = await(netwharf.createContainer(of("side2", "container:" + side.id())));

        assertEquals(owner.sandboxKey(), side.sandboxKey());
        assertEquals(owner.sandboxKey(), side2.sandboxKey(), "joining a joiner joins the same namespace");
        assertEquals(owner.id(), side.sharesWith());
        assertTrue(side.endpoints().isEmpty(), "no interfaces of its own");
        assertEquals(1, fixture.namespaces().size());
        refused(Kind.BAD_PARAMETER, netwharf.connect(side.id(), "bridge", io.netwharf.protocol.model.EndpointSpec.DYNAMIC));

        var refusal = refused(Kind.CONFLICT, netwharf.removeContainer(owner.id(), false));
        assertTrue(refusal.getMessage().contains("side"), refusal.getMessage());
        assertEquals(1, fixture.namespaces().size(), "refused: nothing removed");

        await(netwharf.removeContainer(side2.id(), false));
        await(netwharf.removeContainer(owner.id(), true));
        assertEquals(List.of(), fixture.namespaces());
        assertEquals(List.of(), await(netwharf.listContainers()), "forcing removed the joiners too");
        refused(Kind.NOT_FOUND, netwharf.inspectContainer(side.id()));
    }

    @Test
    void removingContainersLeavesNothingBehind() throws Exception {
        List<ContainerInfo> made = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            made.add(await(netwharf.createContainer(of("c" + i, "bridge"))));
        }
        assertEquals(5, fixture.ports("netwharf0").size());
        for (ContainerInfo c : made) {
            await(netwharf.removeContainer(c.id(), false));
        }
        assertEquals(List.of(), fixture.namespaces());
        assertTrue(await(netwharf.inspectNetwork("bridge")).endpoints().isEmpty());
        waitForNoPorts("netwharf0");
        ContainerInfo again = await(netwharf.createContainer(of("c0", "bridge")));
        assertNull(again.sharesWith());
        assertFalse(again.endpoints().isEmpty());
    }

    @Test
    void aContainerCanBeGivenItsIdAndRecreatedUnderItAfterRemoval() {
        String id = Ids.newId();
        ContainerSpec spec = new ContainerSpec(id, "kept", "bridge", Map.of());
        assertEquals(id, await(netwharf.createContainer(spec)).id());
        refused(Kind.CONFLICT, netwharf.createContainer(new ContainerSpec(id, "other", "bridge", Map.of())));
        refused(Kind.BAD_PARAMETER, netwharf.createContainer(new ContainerSpec("../../etc", "bad", "bridge", Map.of())));
        await(netwharf.removeContainer(id, false));
        // As a stopped container started again: at once, under the same id and name.
        ContainerInfo again = await(netwharf.createContainer(spec));
        assertEquals(id, again.id());
        assertTrue(fixture.ping(again, again.endpoints().get("bridge").gateway()));
    }

    /** The kernel frees the veth pairs of a deleted namespace shortly after, not at once. */
    private void waitForNoPorts(String bridge) throws InterruptedException {
        for (int i = 0; i < 100 && !fixture.ports(bridge).isEmpty(); i++) {
            Thread.sleep(50);
        }
        assertEquals(List.of(), fixture.ports(bridge));
    }
}
