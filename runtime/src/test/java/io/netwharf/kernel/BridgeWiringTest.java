package io.netwharf.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import io.netwharf.protocol.netlink.Errno;
import io.netwharf.protocol.rtnetlink.LinkData;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 200 namespaces on one bridge, each with a veth peer named eth0, an address and a default route, wired through
 * the kernel layer and checked from outside: {@code ip -j} in every namespace and a ping to each from the host
 * side. Deleting them leaves no interface behind. Real kernel, root, throwaway namespaces.
 */
class BridgeWiringTest extends KernelTest {
    private static final int CONTAINERS = 200;

    @Test
    void twoHundredNamespacesOnABridgeArePingableAndLeaveNothingBehind() throws Exception {
        int bridge = box.bridge("nw0", "10.44.0.1", 16);

        // Wired from four threads at once, as a runtime does for many containers.
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> wired = new ArrayList<>();
        for (int i = 0; i < CONTAINERS; i++) {
            int n = i;
            wired.add(pool.submit(() -> box.container("c" + n, "vh" + n, "nw0", bridge, address(n), 16, "10.44.0.1")));
        }
        for (Future<?> f : wired) {
            f.get();
        }
        pool.shutdown();

        // From outside: every host end is on the bridge and up; every namespace has eth0 with its address and route.
        long ports = 0;
        for (JsonNode link : box.ipJson(box.host, "link", "show", "master", "nw0")) {
            assertTrue(link.get("ifname").asText().startsWith("vh"));
            assertTrue(link.get("flags").toString().contains("LOWER_UP"), link.toString());
            ports++;
        }
        assertEquals(CONTAINERS, ports);
        for (JsonNode link : box.ipJson(box.host, "addr", "show")) {
            if (link.path("ifname").asText().startsWith("vh")) {
                link.path("addr_info").forEach(a -> assertEquals("inet", a.path("family").asText(), "no IPv6 on a host end: " + link));
            }
        }
        for (int i = 0; i < CONTAINERS; i++) {
            try (Netns ns = box.netns.open("c" + i)) {
                JsonNode eth0 = box.ipJson(ns, "-4", "addr", "show", "dev", "eth0").get(0);
                assertEquals(address(i), eth0.get("addr_info").get(0).get("local").asText());
                assertTrue(eth0.get("flags").toString().contains("LOWER_UP"), eth0.toString());
                JsonNode route = box.ipJson(ns, "route", "show", "default").get(0);
                assertEquals("10.44.0.1", route.get("gateway").asText());
                assertEquals("eth0", route.get("dev").asText());
                box.ipJson(ns, "addr", "show", "dev", "eth0").get(0).path("addr_info")
                        .forEach(a -> assertEquals("inet", a.path("family").asText(), "no IPv6 link-local on eth0: " + a));
            }
        }
        for (int i = 0; i < CONTAINERS; i++) {
            assertTrue(box.ping(box.host, address(i)), "ping " + address(i));
        }
        // And between containers, across the bridge.
        try (Netns c0 = box.netns.open("c0")) {
            assertTrue(box.ping(c0, address(CONTAINERS - 1)));
        }

        // Deleting a namespace deletes its eth0, and with it the host end: the kernel frees them in one batch.
        for (int i = 0; i < CONTAINERS; i++) {
            box.netns.delete("c" + i);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (box.linkNames(box.host).size() > 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(List.of("lo", "nw0"), box.linkNames(box.host));
        assertEquals(List.of("host"), box.netns.list());
    }

    @Test
    void aFailedContainerSideIsUndoneByDeletingTheHostEnd() throws Exception {
        box.run(Links.createBridge("nw1", null, null, LinkData.Bridge.forContainers()));
        int bridge = box.links.get("nw1").index();
        try (Netns ns = box.netns.create("cx"); NetlinkSocket inside = box.socket(ns)) {
            box.socket.executeAll(VethEndpoint.hostSide("vhx", "eth0", ns, "nw1", bridge, null, null, false, null));
            int peer = new Links(inside).get("eth0").index();
            // The gateway is not on the container's subnet: the route is refused.
            KernelException e = assertThrows(KernelException.class, () -> inside.executeAll(VethEndpoint.containerSide("eth0", peer, "eth0",
                    InetAddress.getByName("10.45.0.2"), 24, InetAddress.getByName("10.46.0.1"), false)));
            assertTrue(e.operation().startsWith("add route default via 10.46.0.1"), e.getMessage());
            assertEquals(Errno.ENETUNREACH.number, e.errno());
            box.run(Links.delete("vhx"));
            assertFalse(box.linkNames(box.host).contains("vhx"));
            assertFalse(box.linkNames(ns).contains("eth0"), "deleting one end removes the pair");
        }
    }

    private static String address(int i) {
        return "10.44." + (1 + i / 250) + "." + (1 + i % 250);
    }
}
