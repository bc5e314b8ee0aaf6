package io.netwharf.protocol.rtnetlink;

import io.netwharf.protocol.netlink.AddressFamily;
import io.netwharf.protocol.netlink.HardwareAddress;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Generators of random, well-formed rtnetlink message bodies (fields within their wire widths). */
public final class RtnetlinkArbitraries {
    private RtnetlinkArbitraries() {}

    static Arbitrary<Integer> u8() {
        return Arbitraries.integers().between(0, 0xff);
    }

    static Arbitrary<Integer> u16() {
        return Arbitraries.integers().between(0, 0xffff);
    }

    static Arbitrary<Integer> u32() {
        return Arbitraries.integers(); // all 32 bits, edge cases included
    }

    /** Interface names: 1 to 15 UTF-8 bytes (IFNAMSIZ less the NUL), no NUL inside. */
    public static Arbitrary<String> interfaceNames() {
        Arbitrary<String> ascii = Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(15);
        Arbitrary<String> mixed = Arbitraries.strings().withCharRange('a', 'z').withChars('-', '_', '.', 'é', '€').ofMinLength(1).ofMaxLength(15)
                .filter(s -> s.getBytes(StandardCharsets.UTF_8).length <= Rtnetlink.MAX_INTERFACE_NAME_BYTES);
        return Arbitraries.oneOf(ascii, mixed);
    }

    /** Link aliases: up to 255 UTF-8 bytes, no NUL; empty too (a request that removes the alias). */
    public static Arbitrary<String> aliases() {
        return Arbitraries.strings().withCharRange(' ', '~').withChars('é', '€').ofMaxLength(Rtnetlink.MAX_ALIAS_BYTES)
                .filter(s -> s.getBytes(StandardCharsets.UTF_8).length <= Rtnetlink.MAX_ALIAS_BYTES);
    }

    /** Mostly Ethernet's six bytes, sometimes another link type's size. */
    public static Arbitrary<HardwareAddress> hardwareAddresses() {
        Arbitrary<byte[]> six = Arbitraries.bytes().array(byte[].class).ofSize(6);
        Arbitrary<byte[]> other = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(20);
        return Arbitraries.frequencyOf(Tuple.of(8, six), Tuple.of(1, other)).map(HardwareAddress::of);
    }

    public static Arbitrary<InetAddress> ipv4() {
        return Arbitraries.bytes().array(byte[].class).ofSize(4).map(RtnetlinkArbitraries::address);
    }

    /**
     * IPv6 addresses with many zero groups, so that "::" compression gets exercised, and IPv4-mapped ones
     * (::ffff:a.b.c.d), which must stay IPv6 through a round trip.
     */
    public static Arbitrary<InetAddress> ipv6() {
        Arbitrary<Integer> group = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(0)), Tuple.of(1, Arbitraries.just(1)),
                Tuple.of(3, u16()));
        Arbitrary<byte[]> plain = group.list().ofSize(8).map(groups -> {
            byte[] b = new byte[16];
            for (int i = 0; i < 8; i++) {
                b[2 * i] = (byte) (groups.get(i) >>> 8);
                b[2 * i + 1] = (byte) (int) groups.get(i);
            }
            return b;
        });
        Arbitrary<byte[]> mapped = Arbitraries.bytes().array(byte[].class).ofSize(4).map(v4 -> {
            byte[] b = new byte[16];
            b[10] = (byte) 0xff;
            b[11] = (byte) 0xff;
            System.arraycopy(v4, 0, b, 12, 4);
            return b;
        });
        return Arbitraries.frequencyOf(Tuple.of(9, plain), Tuple.of(1, mapped)).map(RtnetlinkArbitraries::ipv6Address);
    }

    private static InetAddress ipv6Address(byte[] bytes) {
        try {
            return Inet6Address.getByAddress(null, bytes, -1);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    public static Arbitrary<InetAddress> addresses(int family) {
        return family == AddressFamily.AF_INET ? ipv4() : ipv6();
    }

    public static Arbitrary<Integer> ipFamilies() {
        return Arbitraries.of(AddressFamily.AF_INET, AddressFamily.AF_INET6);
    }

    static InetAddress address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    // ---- links ----

    record KindAndData(String kind, LinkData data) {}

    public static Arbitrary<LinkData.Bridge> bridges() {
        return Combinators.combine(u32().injectNull(0.3), u32().injectNull(0.3), u32().injectNull(0.3), u16().injectNull(0.3),
                u8().injectNull(0.3), u8().injectNull(0.3)).as(LinkData.Bridge::new);
    }

    public static Arbitrary<LinkData.Vxlan> vxlans() {
        return Combinators.combine(Arbitraries.integers().between(0, LinkData.Vxlan.MAX_VNI).injectNull(0.2), ipv4().injectNull(0.3),
                u16().injectNull(0.3), Arbitraries.of(true, false).injectNull(0.3), Arbitraries.of(true, false).injectNull(0.3))
                .as(LinkData.Vxlan::new);
    }

    /**
     * IFLA_LINKINFO contents. The decoder picks the data's type from the kind, so bridge data goes with kind
     * "bridge", veth data with "veth", macvlan and ipvlan data with theirs, and opaque data with any other kind (or
     * none).
     */
    static Arbitrary<KindAndData> kindsAndData(int depth) {
        Arbitrary<KindAndData> none = Arbitraries.of("bridge", "veth", "dummy", "vxlan").injectNull(0.3).map(k -> new KindAndData(k, null));
        Arbitrary<KindAndData> bridge = bridges().map(b -> new KindAndData("bridge", b));
        Arbitrary<KindAndData> macvlan = u32().injectNull(0.3).map(mode -> new KindAndData("macvlan", new LinkData.Macvlan(mode)));
        Arbitrary<KindAndData> ipvlan = u16().injectNull(0.3).map(mode -> new KindAndData("ipvlan", new LinkData.Ipvlan(mode)));
        Arbitrary<KindAndData> vxlan = vxlans().map(v -> new KindAndData("vxlan", v));
        Arbitrary<KindAndData> opaque = Combinators.combine(Arbitraries.of("dummy", "geneve").injectNull(0.2),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(24)).as((k, bytes) -> new KindAndData(k, new LinkData.Opaque(bytes)));
        if (depth <= 0) {
            return Arbitraries.oneOf(none, bridge, macvlan, ipvlan, vxlan, opaque);
        }
        Arbitrary<KindAndData> veth = linkMessages(depth - 1).injectNull(0.1).map(peer -> new KindAndData("veth", new LinkData.Veth(peer)));
        return Arbitraries.oneOf(none, bridge, macvlan, ipvlan, vxlan, veth, veth, opaque);
    }

    /** Random link messages; {@code depth} bounds how deep veth peers nest. */
    public static Arbitrary<LinkMessage> linkMessages(int depth) {
        return Builders.withBuilder(LinkMessage::builder)
                .use(u8()).in((b, v) -> b.family(v))
                .use(u16()).in((b, v) -> b.deviceType(v))
                .use(u32()).in((b, v) -> b.index(v))
                .use(u32()).in((b, v) -> b.flags(v))
                .use(u32()).in((b, v) -> b.change(v))
                .use(interfaceNames()).withProbability(0.8).in((b, v) -> b.name(v))
                .use(u32()).withProbability(0.5).in((b, v) -> b.mtu(v))
                .use(hardwareAddresses()).withProbability(0.5).in((b, v) -> b.address(v))
                .use(u32()).withProbability(0.3).in((b, v) -> b.link(v))
                .use(u32()).withProbability(0.5).in((b, v) -> b.master(v))
                .use(u8()).withProbability(0.5).in((b, v) -> b.operState(v))
                .use(u32()).withProbability(0.3).in((b, v) -> b.netnsFd(v))
                .use(u32()).withProbability(0.3).in((b, v) -> b.linkNetnsId(v))
                .use(u8()).withProbability(0.4).in((b, v) -> b.addrGenMode(v))
                .use(Arbitraries.of("bridge", "bond", "team")).withProbability(0.3).in((b, v) -> b.slaveKind(v))
                .use(kindsAndData(depth)).in((b, v) -> b.kind(v.kind()).data(v.data()))
                .use(aliases()).withProbability(0.3).in((b, v) -> b.alias(v))
                .build(LinkMessage.Builder::build);
    }

    // ---- addresses ----

    public static Arbitrary<AddressMessage> addressMessages() {
        return ipFamilies().flatMap(family -> {
            Arbitrary<InetAddress> ip = addresses(family);
            Arbitrary<Tuple.Tuple2<String, Integer>> labelAndFlags = Combinators.combine(
                    Arbitraries.strings().alpha().numeric().withChars(':', '-').ofMaxLength(15).injectNull(0.5),
                    u32().injectNull(0.5)).as(Tuple::of);
            return Combinators.combine(u8(), u8(), u8(), u32(), ip.injectNull(0.2), ip.injectNull(0.2), ip.injectNull(0.5), labelAndFlags)
                    .as((prefix, flags, scope, index, address, local, broadcast, lf) ->
                            new AddressMessage(family, prefix, flags, scope, index, address, local, broadcast, lf.get1(), lf.get2()));
        });
    }

    // ---- neighbours ----

    /** Neighbour table entries (an IP of the message's family) and fdb entries (AF_BRIDGE, any remote or none). */
    public static Arbitrary<NeighbourMessage> neighbourMessages() {
        Arbitrary<Tuple.Tuple2<Integer, InetAddress>> table = ipFamilies().flatMap(f -> addresses(f).injectNull(0.2).map(ip -> Tuple.of(f, ip)));
        Arbitrary<Tuple.Tuple2<Integer, InetAddress>> fdb = Arbitraries.oneOf(ipv4(), ipv6()).injectNull(0.3)
                .map(ip -> Tuple.of(AddressFamily.AF_BRIDGE, ip));
        return Combinators.combine(Arbitraries.oneOf(table, fdb), u32(), u16(), u8(), u8(), hardwareAddresses().injectNull(0.2),
                u32().injectNull(0.6)).as((fi, index, state, flags, type, mac, master) ->
                new NeighbourMessage(fi.get1(), index, state, flags, type, fi.get2(), mac, master));
    }

    // ---- routes ----

    /** Route tables: the named ones, small ids, and ids beyond a byte that only RTA_TABLE can carry. */
    static Arbitrary<Integer> tables() {
        return Arbitraries.oneOf(Arbitraries.of(0, 252, 253, 254, 255, 256, 1000, 65536), u8(), u32());
    }

    public static Arbitrary<RouteMessage> routeMessages() {
        return ipFamilies().flatMap(family -> {
            Arbitrary<InetAddress> ip = addresses(family);
            Arbitrary<List<Integer>> header = Combinators.combine(u8(), u8(), u8(), tables(), u8(), u8(), u8(), u32()).as(List::of);
            return Combinators.combine(header, ip.injectNull(0.3), ip.injectNull(0.4), u32().injectNull(0.3), u32().injectNull(0.5),
                    ip.injectNull(0.6)).as((h, dst, gateway, oif, priority, prefsrc) ->
                    new RouteMessage(family, h.get(0), h.get(1), h.get(2), h.get(3), h.get(4), h.get(5), h.get(6), h.get(7),
                            dst, gateway, oif, priority, prefsrc));
        });
    }
}
