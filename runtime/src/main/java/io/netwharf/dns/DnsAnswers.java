package io.netwharf.dns;

import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The embedded DNS server's answers, as Docker's resolver gives them: A records for the names of the asker's
 * networks, no records (NOERROR) for their other types (AAAA of a container without IPv6), PTR for their addresses;
 * everything else is for the upstream servers. Messages are dnsjava's; a UDP answer larger than the asker takes is
 * truncated with TC set, so it asks again over TCP.
 */
final class DnsAnswers {
    /** Docker's TTL for its containers' records. */
    private static final long TTL = 600;
    private static final String REVERSE_ZONE = ".in-addr.arpa";

    /** {@code local}: the answer to send; else {@code forward}: whether to send the query upstream (false: drop it). */
    record Answer(byte[] local, boolean forward) {}

    private static final Answer DROP = new Answer(null, false);
    private static final Answer FORWARD = new Answer(null, true);

    private DnsAnswers() {}

    static Answer answer(byte[] wire, DnsRecords records, String asker, boolean udp) {
        Message query;
        try {
            query = new Message(wire);
        } catch (IOException e) {
            return DROP; // not a DNS message: nothing to answer
        }
        if (query.getHeader().getFlag(Flags.QR)) {
            return DROP;
        }
        Record question = query.getQuestion();
        if (query.getHeader().getOpcode() != Opcode.QUERY || question == null) {
            return new Answer(error(query, query.getHeader().getOpcode() != Opcode.QUERY ? Rcode.NOTIMP : Rcode.FORMERR), false);
        }
        String name = question.getName().toString(true);
        int type = question.getType();
        Message response = response(query);
        if (type == Type.PTR && name.toLowerCase().endsWith(REVERSE_ZONE)) {
            InetAddress address = reverse(name);
            String target = address == null ? null : records.reverse(asker, address);
            if (target == null) {
                return FORWARD;
            }
            response.addRecord(new PTRRecord(question.getName(), DClass.IN, TTL, absolute(target)), Section.ANSWER);
            return new Answer(wire(response, query, udp), false);
        }
        List<InetAddress> addresses = records.lookup(asker, name);
        if (addresses.isEmpty()) {
            return FORWARD;
        }
        if (type == Type.A || type == Type.ANY) {
            for (InetAddress address : addresses) {
                if (address instanceof Inet4Address) {
                    response.addRecord(new ARecord(question.getName(), DClass.IN, TTL, address), Section.ANSWER);
                }
            }
        }
        return new Answer(wire(response, query, udp), false);
    }

    /** SERVFAIL for a query no upstream answered. */
    static byte[] serverFailure(byte[] wire) {
        try {
            return error(new Message(wire), Rcode.SERVFAIL);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a DNS message", e);
        }
    }

    private static byte[] error(Message query, int rcode) {
        Message response = response(query);
        response.getHeader().setRcode(rcode);
        return response.toWire();
    }

    /** The answer's frame: the query's id, question and RD, with QR, RA and AA (the names are netwharf's own). */
    private static Message response(Message query) {
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.RA);
        if (query.getHeader().getFlag(Flags.RD)) {
            response.getHeader().setFlag(Flags.RD);
        }
        if (query.getQuestion() != null) {
            response.addRecord(query.getQuestion(), Section.QUESTION);
        }
        return response;
    }

    /** Over UDP at most what the asker takes: 512 bytes, or its EDNS payload size. */
    private static byte[] wire(Message response, Message query, boolean udp) {
        if (!udp) {
            return response.toWire();
        }
        OPTRecord opt = query.getOPT();
        int max = opt == null ? 512 : Math.max(512, opt.getPayloadSize());
        return response.toWire(max);
    }

    /** 4.3.2.1.in-addr.arpa → 1.2.3.4; null when the name is not a whole IPv4 address. */
    private static InetAddress reverse(String name) {
        String[] labels = name.substring(0, name.length() - REVERSE_ZONE.length()).split("\\.");
        if (labels.length != 4) {
            return null;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (!labels[3 - i].matches("\\d{1,3}") || Integer.parseInt(labels[3 - i]) > 255) {
                return null;
            }
            bytes[i] = (byte) Integer.parseInt(labels[3 - i]);
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static Name absolute(String name) {
        try {
            return Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a DNS name: " + name, e);
        }
    }
}
