package io.netwharf.dns;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The embedded DNS server's answers, message by message (dnsjava on both sides). Pure code; no root. */
class DnsAnswersTest {
    /** web and client on front; loner on back; both on front and back: bridge. */
    private static final DnsRecords RECORDS = DnsRecords.of(List.of(
            new DnsRecords.Entry("web", "front", "10.1.0.2", List.of("web", "www", "0123456789ab")),
            new DnsRecords.Entry("client", "front", "10.1.0.3", List.of("client")),
            new DnsRecords.Entry("loner", "back", "10.2.0.2", List.of("loner", "www")),
            new DnsRecords.Entry("bridge", "front", "10.1.0.4", List.of("bridge")),
            new DnsRecords.Entry("bridge", "back", "10.2.0.4", List.of("bridge"))));

    private static Message ask(String asker, String name, int type) throws Exception {
        DnsAnswers.Answer answer = DnsAnswers.answer(query(name, type).toWire(), RECORDS, asker, true);
        return answer.local() == null ? null : new Message(answer.local());
    }

    private static Message query(String name, int type) throws Exception {
        return Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
    }

    private static List<String> answers(Message m) {
        List<String> found = new ArrayList<>();
        m.getSection(Section.ANSWER).forEach(r -> found.add(r.rdataToString()));
        return found;
    }

    @Test
    void namesOfTheAskersNetworksAreAnsweredAndOnlyThose() throws Exception {
        Message web = ask("client", "web.", Type.A);
        assertEquals(Rcode.NOERROR, web.getRcode());
        assertEquals(List.of("10.1.0.2"), answers(web));
        assertTrue(web.getHeader().getFlag(Flags.QR) && web.getHeader().getFlag(Flags.RD) && web.getHeader().getFlag(Flags.RA));
        assertEquals(List.of("10.1.0.2"), answers(ask("client", "WWW.", Type.A)), "names are case-insensitive; an alias");
        assertEquals(List.of("10.1.0.2"), answers(ask("client", "0123456789ab.", Type.A)), "the short id");
        assertEquals(List.of("10.2.0.2"), answers(ask("loner", "www.", Type.A)), "an alias is its network's");
        assertEquals(List.of("10.1.0.2", "10.2.0.2"), answers(ask("bridge", "www.", Type.A)), "on both networks: both");
        assertNull(ask("client", "loner.", Type.A), "another network's name is the upstreams' to answer");
        assertTrue(DnsAnswers.answer(query("loner.", Type.A).toWire(), RECORDS, "client", true).forward());
        assertNull(ask("client", "example.com.", Type.A));
    }

    @Test
    void aaaaOfAContainerWithoutIpv6IsNoErrorWithNoRecords() throws Exception {
        Message aaaa = ask("client", "web.", Type.AAAA);
        assertEquals(Rcode.NOERROR, aaaa.getRcode());
        assertEquals(List.of(), answers(aaaa));
    }

    @Test
    void addressesHaveTheirFirstNameAsPtr() throws Exception {
        Message ptr = ask("client", ReverseMap.fromAddress(InetAddress.getByName("10.1.0.2")).toString(), Type.PTR);
        assertEquals(List.of("web."), answers(ptr));
        assertNull(ask("client", ReverseMap.fromAddress(InetAddress.getByName("10.2.0.2")).toString(), Type.PTR),
                "another network's address: for the upstreams");
    }

    @Test
    void aUdpAnswerLargerThanTheAskerTakesIsTruncatedAndTcpGetsItWhole() throws Exception {
        List<DnsRecords.Entry> many = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            many.add(new DnsRecords.Entry("c" + i, "front", "10.1.1." + i, List.of("service")));
        }
        DnsRecords records = DnsRecords.of(many);
        byte[] query = query("service.", Type.A).toWire();
        Message udp = new Message(DnsAnswers.answer(query, records, "c0", true).local());
        assertTrue(udp.getHeader().getFlag(Flags.TC), "60 records do not fit in 512 bytes");
        assertEquals(60, answers(new Message(DnsAnswers.answer(query, records, "c0", false).local())).size());
        Message edns = query("service.", Type.A);
        edns.addRecord(new OPTRecord(4096, 0, 0), Section.ADDITIONAL);
        Message large = new Message(DnsAnswers.answer(edns.toWire(), records, "c0", true).local());
        assertFalse(large.getHeader().getFlag(Flags.TC), "EDNS says 4,096 bytes");
        assertEquals(60, answers(large).size());
    }

    @Test
    void garbageIsDroppedAndAnAnswerIsNeverAnswered() throws Exception {
        assertFalse(DnsAnswers.answer(new byte[] {1, 2, 3}, RECORDS, "client", true).forward());
        assertNull(DnsAnswers.answer(new byte[] {1, 2, 3}, RECORDS, "client", true).local());
        Message response = query("web.", Type.A);
        response.getHeader().setFlag(Flags.QR);
        assertNull(DnsAnswers.answer(response.toWire(), RECORDS, "client", true).local());
        assertEquals(Rcode.SERVFAIL, new Message(DnsAnswers.serverFailure(query("example.com.", Type.A).toWire())).getRcode());
    }
}
