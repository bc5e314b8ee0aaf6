package io.netwharf.kernel;

import io.netwharf.protocol.netlink.Errno;
import io.netwharf.protocol.rtnetlink.LinkData;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every refusal is a {@link KernelException} naming the operation, the object and the errno, and leaves nothing
 * half-made (real kernel, root, throwaway namespace; checked with {@code ip -j}).
 */
class ErrorPathsTest extends KernelTest {

    @Test
    void existingName() {
        box.run(Links.createBridge("br-e", null, null, LinkData.Bridge.forContainers()));
        KernelException e = assertThrows(KernelException.class, () -> box.run(Links.createBridge("br-e", null, null, LinkData.Bridge.forContainers())));
        assertEquals("EEXIST", e.errnoName());
        assertEquals("create bridge br-e: File exists (EEXIST)", e.getMessage());
        assertEquals(List.of("lo", "br-e"), box.linkNames(box.host));
    }

    @Test
    void existingPeerNameInsideTheNamespaceLeavesNoHostEnd() throws Exception {
        try (Netns c7 = box.netns.create("c7")) {
            box.run(Links.createVeth("vh1a2b3c", "eth0", c7, null, null));
            KernelException e = assertThrows(KernelException.class, () -> box.run(Links.createVeth("vh9", "eth0", c7, null, null)));
            assertTrue(e.getMessage().startsWith("create veth vh9 peer eth0 in netns c7: File exists (EEXIST)"), e.getMessage());
            assertFalse(box.linkNames(box.host).contains("vh9"));
        }
    }

    @Test
    void missingDevice() {
        KernelException e = assertThrows(KernelException.class, () -> box.run(Links.setUp("nosuchdev", true)));
        assertEquals(Errno.ENODEV.number, e.errno());
        assertTrue(e.getMessage().startsWith("set nosuchdev up: No such device (ENODEV)"), e.getMessage());
        assertThrows(KernelException.class, () -> box.run(Links.delete("nosuchdev")));
        assertTrue(box.links.find("nosuchdev").isEmpty());
        KernelException get = assertThrows(KernelException.class, () -> box.links.get("nosuchdev"));
        assertEquals("ENODEV", get.errnoName());
    }

    @Test
    void nameLongerThan15BytesIsRefusedBeforeTheKernelSeesIt() {
        KernelException e = assertThrows(KernelException.class, () -> box.run(Links.createBridge("abcdefghijklmnop", null, null, LinkData.Bridge.forContainers())));
        assertEquals("EINVAL", e.errnoName());
        assertTrue(e.getMessage().contains("16 bytes, the kernel allows at most 15"), e.getMessage());
        KernelException peer = assertThrows(KernelException.class, () -> box.run(Links.createVeth("ok", "peer-name-too-long", null, null, null)));
        assertEquals("EINVAL", peer.errnoName());
        assertEquals(List.of("lo"), box.linkNames(box.host));
        // 15 bytes is fine.
        box.run(Links.createBridge("abcdefghijklmno", null, null, LinkData.Bridge.forContainers()));
        assertTrue(box.linkNames(box.host).contains("abcdefghijklmno"));
    }

    @Test
    void addressAlreadyPresent() throws Exception {
        box.run(Links.createBridge("br-x", null, null, LinkData.Bridge.forContainers()));
        int index = box.links.get("br-x").index();
        InetAddress ip = InetAddress.getByName("10.55.0.1");
        box.run(Addresses.add("link " + index, index, ip, 24));
        KernelException e = assertThrows(KernelException.class, () -> box.run(Addresses.add("link " + index, index, ip, 24)));
        assertEquals("EEXIST", e.errnoName());
        assertTrue(e.getMessage().startsWith("add address 10.55.0.1/24 to link " + index + ": File exists (EEXIST)"), e.getMessage());
        assertEquals(1, box.ipJson(box.host, "-4", "addr", "show", "dev", "br-x").get(0).get("addr_info").size());
    }

    @Test
    void namespaceThatDoesNotExist() {
        KernelException open = assertThrows(KernelException.class, () -> box.netns.open("ghost"));
        assertEquals("ENOENT", open.errnoName());
        assertTrue(open.getMessage().startsWith("open netns ghost at "), open.getMessage());
        KernelException delete = assertThrows(KernelException.class, () -> box.netns.delete("ghost"));
        assertEquals("ENOENT", delete.errnoName());
        assertFalse(Files.exists(box.netns.pathOf("ghost")));
    }

    @Test
    void existingNamespaceAndBadNamespaceName() {
        box.netns.create("dup").close();
        KernelException e = assertThrows(KernelException.class, () -> box.netns.create("dup"));
        assertEquals("EEXIST", e.errnoName());
        assertEquals("EINVAL", assertThrows(KernelException.class, () -> box.netns.create("../escape")).errnoName());
        assertEquals(List.of("dup", "host"), box.netns.list());
    }

    @Test
    void vethIntoAClosedNamespaceHandleIsRefusedAndLeavesNothing() {
        Netns gone = box.netns.create("gone");
        gone.close();
        assertThrows(IllegalStateException.class, () -> box.run(Links.createVeth("vg", "eth0", gone, null, null)));
        assertEquals(List.of("lo"), box.linkNames(box.host));
    }

    @Test
    void batchReportsTheFirstFailureAndTheKernelStillRunsTheRest() {
        KernelException e = assertThrows(KernelException.class, () -> box.socket.executeAll(List.of(
                Links.createVeth("vx0", "vx1", null, null, null),
                Links.setUp("missing0", true),
                Links.setUp("vx0", true))));
        assertEquals("set missing0 up", e.operation());
        assertEquals("ENODEV", e.errnoName());
        assertTrue(box.links.get("vx0").isUp(), "requests after a failed one are still carried out");
    }

    @Test
    void kernelExtendedAckTextReachesTheMessage() {
        box.run(Links.createVeth("vm0", "vm1", null, null, null));
        KernelException e = assertThrows(KernelException.class, () -> box.run(Links.setMtu("vm0", 10)));
        assertEquals("EINVAL", e.errnoName());
        assertTrue(e.detail() != null && e.detail().toLowerCase().contains("mtu"), "the kernel's own words: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("set mtu of vm0 to 10: Invalid argument (EINVAL): "), e.getMessage());
    }
}
