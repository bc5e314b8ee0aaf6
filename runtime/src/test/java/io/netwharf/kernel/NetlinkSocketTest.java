package io.netwharf.kernel;

import io.netwharf.protocol.rtnetlink.LinkData;
import io.netwharf.protocol.rtnetlink.LinkMessage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The socket's exchange against the real kernel (root; throwaway namespace): large batches, dumps spanning many
 * datagrams, dumps while links come and go, and a closed socket.
 */
class NetlinkSocketTest extends KernelTest {

    @Test
    void aBatchOfManyRequestsIsAnsweredRequestByRequest() {
        List<NetlinkOperation> batch = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            batch.add(Links.createBridge("bb" + i, null, null, LinkData.Bridge.forContainers()));
        }
        box.socket.executeAll(batch);
        assertEquals(151, box.linkNames(box.host).size());
    }

    @Test
    void aDumpSpanningManyDatagramsReturnsEveryLink() {
        // 300 veth pairs: about 600 link messages, far more than one 32 KiB dump datagram holds.
        for (int i = 0; i < 300; i += 50) {
            List<NetlinkOperation> batch = new ArrayList<>();
            for (int k = i; k < i + 50; k++) {
                batch.add(Links.createVeth("da" + k, "db" + k, null, null, null));
            }
            box.socket.executeAll(batch);
        }
        List<LinkMessage> links = box.links.list();
        assertEquals(601, links.size());
        assertEquals(box.linkNames(box.host).stream().sorted().toList(), links.stream().map(LinkMessage::name).sorted().toList());
    }

    @Test
    void dumpsWhileLinksComeAndGoNeverFailAndAreConsistent() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger changes = new AtomicInteger();
        NetlinkSocket churnSocket = box.socket(box.host);
        Thread churn = new Thread(() -> {
            for (int i = 0; !stop.get(); i++) {
                churnSocket.execute(Links.createBridge("churn" + (i % 20), null, null, LinkData.Bridge.forContainers()));
                churnSocket.execute(Links.setUp("churn" + (i % 20), true));
                churnSocket.execute(Links.delete("churn" + (i % 20)));
                changes.incrementAndGet();
            }
        });
        for (int i = 0; i < 100; i++) {
            box.run(Links.createVeth("st" + i, "su" + i, null, null, null));
        }
        churn.start();
        try {
            for (int round = 0; round < 50; round++) {
                List<LinkMessage> links = box.links.list();
                // The 200 stable links are always there, each once, whatever the churn does meanwhile.
                long stable = links.stream().filter(l -> l.name().startsWith("st") || l.name().startsWith("su")).count();
                assertEquals(200, stable);
                assertEquals(links.size(), links.stream().map(LinkMessage::index).distinct().count(), "no link twice");
            }
        } finally {
            stop.set(true);
            churn.join();
        }
        assertTrue(changes.get() > 0, "the churn ran");
    }

    @Test
    void aClosedSocketRefusesWork() {
        NetlinkSocket s = box.socket(box.host);
        s.close();
        assertThrows(IllegalStateException.class, () -> s.execute(Links.setUp("lo", true)));
        s.close(); // closing twice is harmless
    }
}
