package io.netwharf.kernel;

import io.netwharf.protocol.netlink.Errno;
import io.netwharf.protocol.rtnetlink.LinkData;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Link aliases as netwharf's marks, against the real kernel (root; inside a throwaway namespace), checked with {@code ip}. */
class MarkedLinksTest extends KernelTest {

    @Test
    void anAliasIsSetReadBackAndRemoved() {
        box.run(Links.createBridge("br-m", null, null, LinkData.Bridge.forContainers()),
                Links.setAlias("br-m", LinkMarks.network("n1")));

        assertEquals("netwharf network n1", box.links.get("br-m").alias());
        String shown = KernelSandbox.command(List.of("nsenter", "--net=" + box.host.path(), "ip", "-d", "link", "show", "br-m"));
        assertTrue(shown.contains("alias netwharf network n1"), shown);

        String longest = "é".repeat(127) + "x"; // 255 bytes, the kernel's limit
        box.run(Links.setAlias("br-m", longest));
        assertEquals(longest, box.links.get("br-m").alias());
        KernelException tooLong = assertThrows(KernelException.class, () -> Links.setAlias("br-m", longest + "y"));
        assertTrue(tooLong.is(Errno.EINVAL) && tooLong.getMessage().contains("256"), tooLong.getMessage());

        box.run(Links.setAlias("br-m", ""));
        assertNull(box.links.get("br-m").alias());
        assertNull(box.ipJson(box.host, "link", "show", "br-m").get(0).get("ifalias"));
    }

    @Test
    void onlyLinksWithANetwharfMarkAreFoundWithTheirMarks() throws Exception {
        int bridge = box.bridge("br-n", "10.45.0.1", 24);
        box.run(Links.setAlias("br-n", LinkMarks.network("net1")));
        box.bridge("br-plain", "10.46.0.1", 24);
        box.run(Links.createBridge("br-other", null, null, LinkData.Bridge.forContainers()),
                Links.setAlias("br-other", "someone else's bridge"), Links.setAlias("lo", "netwharf nothing"));
        try (Netns c1 = box.netns.create("c1"); Netns c2 = box.netns.create("c2")) {
            box.socket.executeAll(VethEndpoint.hostSide("vh1", "eth0", c1, "br-n", bridge, null, null, false, LinkMarks.endpoint("ctr1", "net1")));
            box.socket.executeAll(VethEndpoint.hostSide("vh2", "eth0", c2, "br-n", bridge, null, null, false, null));

            Map<String, LinkMarks.Mark> found = MarkedLinks.find(box.socket).stream()
                    .collect(Collectors.toMap(MarkedLinks.Marked::name, MarkedLinks.Marked::mark));

            assertEquals(Map.of("br-n", new LinkMarks.Mark("net1", null), "vh1", new LinkMarks.Mark("net1", "ctr1")), found);
            assertEquals("netwharf endpoint ctr1 net1", box.ipJson(box.host, "link", "show", "vh1").get(0).get("ifalias").asText());
            assertEquals(box.links.get("vh1").index(), MarkedLinks.find(box.socket).stream()
                    .filter(m -> m.mark().isEndpoint()).findFirst().orElseThrow().link().index());
        }
    }
}
