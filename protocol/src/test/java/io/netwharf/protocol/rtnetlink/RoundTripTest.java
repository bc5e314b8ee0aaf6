package io.netwharf.protocol.rtnetlink;

import io.netwharf.protocol.netlink.MessageBody;
import io.netwharf.protocol.netlink.MessageWriter;
import io.netwharf.protocol.netlink.Netlink;
import io.netwharf.protocol.netlink.NetlinkMessage;
import io.netwharf.protocol.netlink.NetlinkRequest;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Encode with NetlinkRequest, parse with NetlinkMessage.parseAll, decode: the same record comes back. */
class RoundTripTest {

    @Property(tries = 1000)
    void linkMessagesRoundTrip(@ForAll("links") LinkMessage link, @ForAll int sequence, @ForAll("linkTypes") int type) {
        assertEquals(link, roundTrip(new NetlinkRequest(type, Netlink.NLM_F_ACK, link), sequence));
    }

    @Property(tries = 1000)
    void addressMessagesRoundTrip(@ForAll("addresses") AddressMessage address, @ForAll int sequence) {
        assertEquals(address, roundTrip(new NetlinkRequest(Rtnetlink.RTM_NEWADDR, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, address), sequence));
    }

    @Property(tries = 1000)
    void routeMessagesRoundTrip(@ForAll("routes") RouteMessage route, @ForAll int sequence) {
        assertEquals(route, roundTrip(new NetlinkRequest(Rtnetlink.RTM_NEWROUTE, Netlink.NLM_F_CREATE, route), sequence));
    }

    @Property(tries = 1000)
    void neighbourMessagesRoundTrip(@ForAll("neighbours") NeighbourMessage neighbour, @ForAll int sequence,
                                    @ForAll("neighbourTypes") int type) {
        assertEquals(neighbour, roundTrip(new NetlinkRequest(type, Netlink.NLM_F_CREATE | Netlink.NLM_F_REPLACE, neighbour), sequence));
    }

    /** rtm_table holds tables up to 255 itself and RT_TABLE_COMPAT for larger ones; RTA_TABLE always has the full id. */
    @Property(tries = 300)
    void routeTableByteIsCompatBeyond255(@ForAll("routes") RouteMessage route) {
        byte[] bytes = Wire.encode(new NetlinkRequest(Rtnetlink.RTM_NEWROUTE, 0, route), 1);
        int rtmTable = Byte.toUnsignedInt(bytes[Netlink.HEADER_LENGTH + 4]);
        int expected = Integer.compareUnsigned(route.table(), 256) < 0 ? route.table() : Rtnetlink.RT_TABLE_COMPAT;
        assertEquals(expected, rtmTable);
    }

    /** A batch: several requests in one buffer come back in order, with their sequence numbers, each 4-byte aligned. */
    @Property(tries = 500)
    void batchesParseBackInOrder(@ForAll("batches") List<Sent> batch, @ForAll boolean direct) {
        // Start tiny so the writer has to grow (and stay direct when it started direct).
        MessageWriter w = new MessageWriter(direct ? ByteBuffer.allocateDirect(8) : ByteBuffer.allocate(8));
        List<Integer> starts = new ArrayList<>();
        for (Sent s : batch) {
            starts.add(s.request.encode(w, s.sequence, 7));
        }
        assertEquals(direct, w.buffer().isDirect());
        List<NetlinkMessage> messages = NetlinkMessage.parseAll(w.written());
        assertEquals(batch.size(), messages.size());
        int offset = 0;
        for (int i = 0; i < batch.size(); i++) {
            Sent s = batch.get(i);
            NetlinkMessage m = messages.get(i);
            assertEquals(offset, starts.get(i), "message " + i + " starts where the previous one ended");
            assertEquals(0, starts.get(i) % Netlink.ALIGNMENT, "message " + i + " is 4-byte aligned");
            assertEquals(0, m.header().length() % Netlink.ALIGNMENT, "message " + i + " length is padded");
            assertEquals(s.request.type(), m.type());
            assertEquals((s.request.flags() | Netlink.NLM_F_REQUEST) & 0xffff, m.header().flags());
            assertEquals(s.sequence, m.header().sequence());
            assertEquals(7, m.header().portId());
            assertEquals(s.request.body(), Wire.decode(m));
            offset += m.header().length();
        }
        assertEquals(offset, w.position(), "the batch is exactly its messages");
    }

    record Sent(NetlinkRequest request, int sequence) {}

    private static Object roundTrip(NetlinkRequest request, int sequence) {
        byte[] bytes = Wire.encode(request, sequence);
        List<NetlinkMessage> messages = NetlinkMessage.parseAll(Wire.buffer(bytes));
        assertEquals(1, messages.size());
        NetlinkMessage m = messages.get(0);
        assertEquals(bytes.length, m.header().length());
        assertEquals(request.type(), m.type());
        assertEquals(sequence, m.header().sequence());
        assertTrue(m.header().has(Netlink.NLM_F_REQUEST | request.flags()));
        return Wire.decode(m);
    }

    @Provide
    Arbitrary<LinkMessage> links() {
        return RtnetlinkArbitraries.linkMessages(2);
    }

    @Provide
    Arbitrary<Integer> linkTypes() {
        return Arbitraries.of(Rtnetlink.RTM_NEWLINK, Rtnetlink.RTM_SETLINK, Rtnetlink.RTM_DELLINK, Rtnetlink.RTM_GETLINK);
    }

    @Provide
    Arbitrary<AddressMessage> addresses() {
        return RtnetlinkArbitraries.addressMessages();
    }

    @Provide
    Arbitrary<RouteMessage> routes() {
        return RtnetlinkArbitraries.routeMessages();
    }

    @Provide
    Arbitrary<NeighbourMessage> neighbours() {
        return RtnetlinkArbitraries.neighbourMessages();
    }

    @Provide
    Arbitrary<Integer> neighbourTypes() {
        return Arbitraries.of(Rtnetlink.RTM_NEWNEIGH, Rtnetlink.RTM_DELNEIGH, Rtnetlink.RTM_GETNEIGH);
    }

    @Provide
    Arbitrary<List<Sent>> batches() {
        return anyRequest().list().ofMinSize(1).ofMaxSize(6);
    }

    static Arbitrary<Sent> anyRequest() {
        Arbitrary<NetlinkRequest> link = Combinators.combine(
                Arbitraries.of(Rtnetlink.RTM_NEWLINK, Rtnetlink.RTM_SETLINK, Rtnetlink.RTM_DELLINK, Rtnetlink.RTM_GETLINK),
                RtnetlinkArbitraries.u16(), RtnetlinkArbitraries.linkMessages(1)).as(NetlinkRequest::new);
        Arbitrary<NetlinkRequest> address = Combinators.combine(
                Arbitraries.of(Rtnetlink.RTM_NEWADDR, Rtnetlink.RTM_DELADDR, Rtnetlink.RTM_GETADDR),
                RtnetlinkArbitraries.u16(), RtnetlinkArbitraries.addressMessages().map(MessageBody.class::cast)).as(NetlinkRequest::new);
        Arbitrary<NetlinkRequest> route = Combinators.combine(
                Arbitraries.of(Rtnetlink.RTM_NEWROUTE, Rtnetlink.RTM_DELROUTE, Rtnetlink.RTM_GETROUTE),
                RtnetlinkArbitraries.u16(), RtnetlinkArbitraries.routeMessages().map(MessageBody.class::cast)).as(NetlinkRequest::new);
        Arbitrary<NetlinkRequest> neighbour = Combinators.combine(
                Arbitraries.of(Rtnetlink.RTM_NEWNEIGH, Rtnetlink.RTM_DELNEIGH, Rtnetlink.RTM_GETNEIGH),
                RtnetlinkArbitraries.u16(), RtnetlinkArbitraries.neighbourMessages().map(MessageBody.class::cast)).as(NetlinkRequest::new);
        return Combinators.combine(Arbitraries.oneOf(link, address, route, neighbour), Arbitraries.integers()).as(Sent::new);
    }
}
