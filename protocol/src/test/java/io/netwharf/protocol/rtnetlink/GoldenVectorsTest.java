package io.netwharf.protocol.rtnetlink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwharf.protocol.netlink.Errno;
import io.netwharf.protocol.netlink.IpText;
import io.netwharf.protocol.netlink.MessageBody;
import io.netwharf.protocol.netlink.Netlink;
import io.netwharf.protocol.netlink.NetlinkAck;
import io.netwharf.protocol.netlink.NetlinkHeader;
import io.netwharf.protocol.netlink.NetlinkMessage;
import io.netwharf.protocol.netlink.NetlinkRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URISyntaxException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real kernel replies captured by golden/capture.py (see golden/README.md): every datagram must parse and decode,
 * and the decoders must find what expected.json says (derived from `ip -j`, not from these bytes).
 */
class GoldenVectorsTest {
    private static final Map<String, Integer> TYPES = Map.ofEntries(
            Map.entry("NLMSG_ERROR", Netlink.NLMSG_ERROR), Map.entry("NLMSG_DONE", Netlink.NLMSG_DONE),
            Map.entry("RTM_NEWLINK", Rtnetlink.RTM_NEWLINK), Map.entry("RTM_NEWADDR", Rtnetlink.RTM_NEWADDR),
            Map.entry("RTM_NEWROUTE", Rtnetlink.RTM_NEWROUTE));
    private static final Map<String, Integer> LINK_TYPES = Map.of("ether", 1, "loopback", 772); // ARPHRD_*
    private static final Map<String, Integer> OPER_STATES = Map.of("UNKNOWN", Rtnetlink.IF_OPER_UNKNOWN,
            "DOWN", Rtnetlink.IF_OPER_DOWN, "UP", Rtnetlink.IF_OPER_UP);

    private static Path dir;
    private static JsonNode expected;

    @BeforeAll
    static void load() throws IOException, URISyntaxException {
        dir = Path.of(GoldenVectorsTest.class.getResource("/golden/expected.json").toURI()).getParent();
        expected = new ObjectMapper().readTree(dir.resolve("expected.json").toFile());
        // The captures are in the capturing machine's byte order; the codec reads native order.
        assumeTrue(expected.path("byte_order").asText().equals(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? "little" : "big"),
                "golden vectors were captured with the other byte order");
    }

    private static List<byte[]> datagrams(String file) throws IOException {
        List<byte[]> out = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve(file))) {
            if (!line.isBlank()) {
                out.add(Wire.hex(line));
            }
        }
        return out;
    }

    private static NetlinkMessage request(String caseName) throws IOException {
        List<byte[]> lines = datagrams(caseName + ".request.hex");
        assertEquals(1, lines.size());
        List<NetlinkMessage> messages = NetlinkMessage.parseAll(Wire.buffer(lines.get(0)));
        assertEquals(1, messages.size());
        return messages.get(0);
    }

    @TestFactory
    Stream<DynamicTest> everyHexFileParsesAndDecodes() throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".hex")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no golden .hex files in " + dir);
        return files.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
            for (byte[] datagram : datagrams(file.getFileName().toString())) {
                List<Object> decoded = Wire.decodeAll(datagram);
                assertFalse(decoded.isEmpty());
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> repliesHoldWhatExpectedJsonSays() {
        List<DynamicTest> tests = new ArrayList<>();
        expected.get("cases").fields().forEachRemaining(c -> tests.add(DynamicTest.dynamicTest(c.getKey(), () -> checkCase(c.getKey(), c.getValue()))));
        assertFalse(tests.isEmpty());
        return tests.stream();
    }

    private void checkCase(String name, JsonNode c) throws IOException {
        List<byte[]> datagrams = datagrams(name + ".hex");
        if (c.has("datagrams_from_bytes")) {
            assertEquals(c.get("datagrams_from_bytes").asInt(), datagrams.size(), "datagrams");
        }
        List<NetlinkMessage> messages = new ArrayList<>();
        for (byte[] d : datagrams) {
            messages.addAll(NetlinkMessage.parseAll(Wire.buffer(d)));
        }
        JsonNode wanted = c.get("messages");
        assertEquals(wanted.size(), messages.size(), "messages in " + name);
        boolean dump = wanted.size() > 1;
        for (int i = 0; i < messages.size(); i++) {
            NetlinkMessage m = messages.get(i);
            JsonNode e = wanted.get(i);
            String where = name + " message " + i;
            assertEquals(TYPES.get(e.get("type").asText()), m.type(), where + " type");
            assertEquals(c.get("seq").asInt(), m.header().sequence(), where + " sequence");
            assertEquals(expected.get("port_id").asInt(), m.header().portId(), where + " port id");
            if (dump) {
                assertTrue(m.header().has(Netlink.NLM_F_MULTI), where + " is part of a multipart dump");
            }
            switch (m.type()) {
                case Rtnetlink.RTM_NEWLINK -> checkLink(e, LinkMessage.decode(m.payload()), where);
                case Rtnetlink.RTM_NEWADDR -> checkAddress(e, AddressMessage.decode(m.payload()), where);
                case Rtnetlink.RTM_NEWROUTE -> checkRoute(e, RouteMessage.decode(m.payload()), where);
                case Netlink.NLMSG_ERROR -> checkError(e, m, where);
                case Netlink.NLMSG_DONE -> assertEquals(0, m.payload().getInt(0), where + " NLMSG_DONE status");
                default -> throw new AssertionError(where + ": unexpected type " + m.type());
            }
        }
        if (dump) {
            assertEquals(Netlink.NLMSG_DONE, messages.get(messages.size() - 1).type(), name + " ends in NLMSG_DONE");
        }
    }

    private static String text(JsonNode e, String field) {
        JsonNode v = e.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Integer integer(JsonNode e, String field) {
        JsonNode v = e.get(field);
        return v == null || v.isNull() ? null : v.asInt();
    }

    private static String ip(InetAddress address) {
        return address == null ? null : IpText.format(address);
    }

    private void checkLink(JsonNode e, LinkMessage l, String where) {
        assertEquals(text(e, "name"), l.name(), where + " name");
        assertEquals(e.get("ifindex").asInt(), l.index(), where + " ifindex");
        assertEquals(integer(e, "mtu"), l.mtu(), where + " mtu");
        assertEquals(text(e, "mac"), l.address() == null ? null : l.address().toString(), where + " mac");
        assertEquals(text(e, "kind"), l.kind(), where + " kind");
        assertEquals(text(e, "slave_kind"), l.slaveKind(), where + " slave kind");
        assertEquals(integer(e, "master"), l.master(), where + " master");
        assertEquals(LINK_TYPES.get(text(e, "link_type")), l.deviceType(), where + " device type");
        assertEquals(OPER_STATES.get(text(e, "operstate")), l.operState(), where + " operstate");
        // "link" (IFLA_LINK, a veth's peer index) is not a field of LinkMessage, so it is not checked.
        JsonNode bridge = e.get("bridge_info_data");
        if (bridge != null) {
            LinkData.Bridge b = assertInstanceOf(LinkData.Bridge.class, l.data(), where + " bridge data");
            // Only the options LinkData.Bridge models (hello_time and max_age are not).
            assertEquals(bridge.at("/forward_delay/value").asInt(), b.forwardDelay(), where + " forward delay");
            assertEquals(bridge.at("/ageing_time/value").asInt(), b.ageingTime(), where + " ageing time");
            assertEquals(bridge.at("/stp_state/value").asInt(), b.stpState(), where + " stp state");
            assertEquals(bridge.at("/priority/value").asInt(), b.priority(), where + " priority");
            assertEquals(bridge.at("/vlan_filtering/value").asInt(), b.vlanFiltering(), where + " vlan filtering");
        }
    }

    private void checkAddress(JsonNode e, AddressMessage a, String where) {
        assertEquals(e.get("family").asInt(), a.family(), where + " family");
        assertEquals(e.get("prefixlen").asInt(), a.prefixLength(), where + " prefix length");
        assertEquals(e.get("index").asInt(), a.index(), where + " index");
        assertEquals(text(e, "address"), ip(a.address()), where + " address");
        assertEquals(text(e, "local"), ip(a.local()), where + " local");
        assertEquals(text(e, "address"), ip(a.ip()), where + " ip()");
        assertEquals(e.get("scope").asInt(), a.scope(), where + " scope");
        assertEquals(text(e, "label"), a.label(), where + " label");
    }

    private void checkRoute(JsonNode e, RouteMessage r, String where) {
        assertEquals(e.get("family").asInt(), r.family(), where + " family");
        assertEquals(text(e, "dst"), ip(r.destination()), where + " destination");
        assertEquals(e.get("dst_len").asInt(), r.destinationLength(), where + " destination length");
        assertEquals(text(e, "gateway"), ip(r.gateway()), where + " gateway");
        assertEquals(integer(e, "oif"), r.outputInterface(), where + " oif");
        assertEquals(e.get("table").asInt(), r.table(), where + " table");
        assertEquals(e.get("protocol").asInt(), r.protocol(), where + " protocol");
        assertEquals(e.get("scope").asInt(), r.scope(), where + " scope");
        assertEquals(e.get("rtm_type").asInt(), r.type(), where + " type");
        assertEquals(integer(e, "priority"), r.priority(), where + " priority");
        assertEquals(text(e, "prefsrc"), ip(r.preferredSource()), where + " preferred source");
    }

    private void checkError(JsonNode e, NetlinkMessage m, String where) {
        NetlinkAck ack = NetlinkAck.decode(m);
        assertEquals(e.get("nlmsg_flags_from_bytes").asInt(), m.header().flags(), where + " flags");
        assertEquals(e.get("errno").asInt(), ack.errno(), where + " errno");
        assertEquals(e.get("errno").asInt() == 0, ack.ok(), where + " ok()");
        if (text(e, "errno_name") != null) {
            assertEquals(text(e, "errno_name"), Errno.nameOf(ack.errno()), where + " errno name");
        }
        assertEquals(text(e, "extack_msg"), ack.message(), where + " extended ACK text");
        JsonNode h = e.get("orig_header");
        assertEquals(new NetlinkHeader(h.get("len").asInt(), h.get("type").asInt(), h.get("flags").asInt(), h.get("seq").asInt(),
                h.get("pid").asInt()), ack.requestHeader(), where + " echoed request header");
    }

    /** iproute2 reported the same failures; our texts must say what it said. */
    @Test
    void errorsReadLikeIproute2() throws IOException {
        JsonNode cross = expected.get("iproute2_cross_check");
        assumeTrue(cross != null, "no iproute2 cross check in expected.json");
        NetlinkAck eexist = NetlinkAck.decode(NetlinkMessage.parseAll(Wire.buffer(datagrams("err-eexist.hex").get(0))).get(0));
        assertTrue(cross.get("err-eexist").asText().contains(Errno.of(eexist.errno()).text), cross.get("err-eexist").asText());
        NetlinkAck extack = NetlinkAck.decode(NetlinkMessage.parseAll(Wire.buffer(datagrams("err-extack.hex").get(0))).get(0));
        assertTrue(cross.get("err-extack").asText().contains(extack.message()), cross.get("err-extack").asText());
    }

    // ---- requests ----

    /** Requests our builders can produce: decoding and re-encoding them gives the captured bytes exactly. */
    @ParameterizedTest
    @ValueSource(strings = {"getlink-br0", "getlink-vh0", "dumplink", "dumpaddr", "ack"})
    void decodedRequestsReEncodeToTheSameBytes(String name) throws IOException {
        NetlinkMessage m = request(name);
        MessageBody body = (MessageBody) Wire.decode(m);
        assertArrayEquals(datagrams(name + ".request.hex").get(0), reEncode(m, body), name);
    }

    /** The same requests, written the way the runtime writes them. */
    @Test
    void buildersWriteTheCapturedRequests() throws IOException {
        int vp0 = expected.at("/ifindex/vp0").asInt();
        assertRequest("getlink-br0", LinkMessage.builder().name("br0").build());
        assertRequest("getlink-vh0", LinkMessage.builder().name("vh0").build());
        assertRequest("dumplink", LinkMessage.builder().build());
        assertRequest("dumpaddr", new AddressMessage(0, 0, 0, 0, 0, null, null, null, null, null));
        assertRequest("ack", LinkMessage.builder().index(vp0).mtu(1400).build());
    }

    private void assertRequest(String name, MessageBody body) throws IOException {
        assertArrayEquals(datagrams(name + ".request.hex").get(0), reEncode(request(name), body), name);
    }

    /**
     * RouteMessage always sends RTA_TABLE (a documented normalisation), so our route dump request is the captured
     * one plus RTA_TABLE 0 (the table the captured rtm_table says).
     */
    @ParameterizedTest
    @ValueSource(strings = {"dumproute4", "dumproute6"})
    void routeDumpRequestsDifferOnlyByRtaTable(String name) throws IOException {
        NetlinkMessage m = request(name);
        RouteMessage route = RouteMessage.decode(m.payload());
        assertEquals(0, route.table());
        byte[] captured = datagrams(name + ".request.hex").get(0);
        byte[] withTable = Arrays.copyOf(captured, captured.length + 8);
        Wire.buffer(withTable).putInt(0, withTable.length)
                .putShort(captured.length, (short) 8).putShort(captured.length + 2, (short) Rtnetlink.RTA_TABLE).putInt(captured.length + 4, 0);
        assertArrayEquals(withTable, reEncode(m, route));
    }

    /**
     * The error cases' requests set NLA_F_NESTED on IFLA_LINKINFO and send the kind without its NUL, which our
     * writer does not do; they still decode, and our encoding of them decodes to the same message.
     */
    @ParameterizedTest
    @ValueSource(strings = {"err-eexist", "err-extack"})
    void newLinkRequestsFromOtherWritersDecode(String name) throws IOException {
        NetlinkMessage m = request(name);
        LinkMessage link = LinkMessage.decode(m.payload());
        assertEquals("bridge", link.kind());
        assertNotNull(link.name());
        if (name.equals("err-extack")) {
            assertEquals(10, link.mtu());
        }
        List<NetlinkMessage> again = NetlinkMessage.parseAll(Wire.buffer(reEncode(m, link)));
        assertEquals(link, LinkMessage.decode(again.get(0).payload()));
    }

    private static byte[] reEncode(NetlinkMessage m, MessageBody body) {
        NetlinkHeader h = m.header();
        var w = new io.netwharf.protocol.netlink.MessageWriter(64);
        new NetlinkRequest(h.type(), h.flags(), body).encode(w, h.sequence(), h.portId());
        return Wire.bytes(w);
    }
}
