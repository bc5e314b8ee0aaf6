package io.netwharf.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.netwharf.ipam.AddressPoolsSpec;
import io.netwharf.kernel.Addresses;
import io.netwharf.kernel.KernelSandbox;
import io.netwharf.kernel.Links;
import io.netwharf.kernel.Routes;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.rtnetlink.LinkData;
import io.netwharf.protocol.rtnetlink.RouteMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;

import static io.netwharf.runtime.RuntimeFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The default bridge at start, on a throwaway host namespace. Needs root; runs in CI. */
class DefaultBridgeTest {
    private RuntimeFixture fixture;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new RuntimeFixture();
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Test
    void picksTheFirstCandidateThatOverlapsNoHostRouteOrAddress() throws Exception {
        KernelSandbox box = fixture.box;
        // An address in 172.17.0.0/16 and a route into 172.18.0.0/16, as a host running Docker has.
        box.run(Links.createBridge("docker0", null, null, LinkData.Bridge.forContainers()));
        int docker0 = box.links.get("docker0").index();
        box.run(Addresses.add("docker0", docker0, InetAddress.getByName("172.17.0.1"), 16), Links.setUp("docker0", true));
        box.run(Routes.add(RouteMessage.onLink(InetAddress.getByName("172.18.0.0"), 16, docker0)));

        NetworkInfo bridge = await(fixture.start().inspectNetwork("bridge"));

        assertEquals("172.19.0.0/16", bridge.subnet());
        assertEquals("172.19.0.1", bridge.gateway());
        assertEquals("netwharf0", bridge.bridge());
        assertTrue(bridge.isDefault());
        JsonNode link = box.ipJson(box.host, "-d", "addr", "show", "dev", "netwharf0").get(0);
        assertEquals("bridge", link.path("linkinfo").path("info_kind").asText());
        assertTrue(link.path("flags").toString().contains("UP"), link.toString());
        assertEquals(List.of("172.19.0.1/16"), fixture.addresses(box.host, "netwharf0"));
        assertEquals("1", KernelSandbox.command(List.of("nsenter", "--net=" + box.host.path(), "cat", "/proc/sys/net/ipv4/ip_forward")).strip());
    }

    @Test
    void adoptsAnExistingBridgeAndKeepsItsAddress() throws Exception {
        KernelSandbox box = fixture.box;
        box.run(Links.createBridge("netwharf0", null, null, LinkData.Bridge.forContainers()));
        int index = box.links.get("netwharf0").index();
        box.run(Addresses.add("netwharf0", index, InetAddress.getByName("10.77.0.1"), 24));

        NetworkInfo bridge = await(fixture.start().inspectNetwork("bridge"));

        assertEquals("10.77.0.0/24", bridge.subnet());
        assertEquals("10.77.0.1", bridge.gateway());
        assertEquals(index, box.links.get("netwharf0").index(), "the same bridge, not a new one");
        assertEquals(List.of("10.77.0.1/24"), fixture.addresses(box.host, "netwharf0"));
    }

    @Test
    void startsWithTheConfiguredBip() throws Exception {
        NetworkInfo bridge = await(fixture.start(fixture.config().bip("10.88.5.1/24").build()).inspectNetwork("bridge"));
        assertEquals("10.88.5.0/24", bridge.subnet());
        assertEquals("10.88.5.1", bridge.gateway());
        assertEquals(List.of("10.88.5.1/24"), fixture.addresses(fixture.box.host, "netwharf0"));
    }

    @Test
    void refusesABipNoNetworkCouldHaveBeforeMakingAnything() {
        HostSnapshot before = HostSnapshot.settled(fixture.box.host);
        Map<String, String> refusals = Map.of(
                "127.0.0.1/8", "overlaps 127.0.0.0/8, reserved for loopback",
                "169.254.0.1/16", "link-local",
                "10.0.0.1/1", "too large for an address pool",
                "10.0.0.1/\u0661\u0666", "prefix length",
                "10.0.0.1/+16", "prefix length",
                "10.0.0.0/24", "it is the network address of subnet 10.0.0.0/24");
        refusals.forEach((bip, message) -> {
            NetwharfException e = assertThrows(NetwharfException.class, () -> fixture.start(fixture.config().bip(bip).build()), bip);
            assertTrue(e.getMessage().startsWith("invalid bip \"" + bip + "\"") && e.getMessage().contains(message), e.getMessage());
            assertEquals(before, HostSnapshot.of(fixture.box.host), bip + " changed the kernel");
        });
        fixture.netwharf = null;
    }

    @Test
    void refusesToStartWhenEveryCandidateOverlapsAndSaysWhat() throws Exception {
        KernelSandbox box = fixture.box;
        box.run(Links.createBridge("busy0", null, null, LinkData.Bridge.forContainers()));
        int busy = box.links.get("busy0").index();
        box.run(Addresses.add("busy0", busy, InetAddress.getByName("10.200.0.1"), 16), Links.setUp("busy0", true));
        box.run(Routes.add(RouteMessage.onLink(InetAddress.getByName("10.201.0.0"), 16, busy)));
        RuntimeConfig config = fixture.config().defaultAddressPools(List.of(
                AddressPoolsSpec.parse("base=10.200.0.0/15,size=16"))).build();

        NetwharfException e = assertThrows(NetwharfException.class, () -> fixture.start(config));

        assertTrue(e.getMessage().contains("10.200.0.0/16") && e.getMessage().contains("10.201.0.0/16"), e.getMessage());
        assertTrue(e.getMessage().contains("busy0"), "names what each candidate collided with: " + e.getMessage());
        assertFalse(box.linkNames(box.host).contains("netwharf0"), "nothing made");
        fixture.netwharf = null;
    }
}
