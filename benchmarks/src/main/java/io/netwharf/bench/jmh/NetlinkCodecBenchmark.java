package io.netwharf.bench.jmh;

import io.netwharf.kernel.Addresses;
import io.netwharf.kernel.Links;
import io.netwharf.kernel.NetlinkOperation;
import io.netwharf.kernel.Routes;
import io.netwharf.kernel.VethEndpoint;
import io.netwharf.protocol.netlink.HardwareAddress;
import io.netwharf.protocol.netlink.MessageWriter;
import io.netwharf.protocol.netlink.NetlinkAck;
import io.netwharf.protocol.netlink.NetlinkMessage;
import io.netwharf.protocol.netlink.NetlinkRequest;
import io.netwharf.protocol.rtnetlink.LinkData;
import io.netwharf.protocol.rtnetlink.LinkMessage;
import io.netwharf.protocol.rtnetlink.RouteMessage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The rtnetlink codec (protocol module), one message at a time, on the messages the runtime sends and receives for
 * every bridge-mode container.
 *
 * <p>Encoding: the requests are built once in setup by the runtime's own factories ({@link Links},
 * {@link Addresses}, {@link Routes}, {@link VethEndpoint}) with the names, MTU and MAC the runtime uses; building
 * them (description strings and the like) is the runtime's cost, not the codec's. Each invocation writes into one
 * reused direct buffer, as {@code NetlinkSocket} does with its thread's send buffer, reset for every datagram.
 *
 * <p>Decoding: from the datagram's bytes through {@link NetlinkMessage#parseAll} and the typed decoder, as
 * {@code NetlinkSocket} reads replies. The replies are the kernel's own bytes, captured once
 * ({@code kernel-replies.txt} beside this class says how): a veth's RTM_NEWLINK carries 41 attributes
 * (statistics, queue counts, IPv6 settings...), most of which the decoder indexes and skips, which an encoded
 * {@link LinkMessage} would not show. They are little-endian, so the benchmark refuses to run on a big-endian JVM.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class NetlinkCodecBenchmark {
    /** Names as the runtime makes them: "veth" + 11 and "nw" + 13 characters of the endpoint id. */
    private static final String HOST_END = "veth1a2b3c4d5e6";
    private static final String PEER = "nw1a2b3c4d5e6f7";
    private static final int BRIDGE_INDEX = 3;
    private static final int PEER_INDEX = 2;
    /** A descriptor number for the container's namespace; a real {@code Netns} would be an open file. */
    private static final int NETNS_FD = 42;

    private final MessageWriter writer = new MessageWriter(ByteBuffer.allocateDirect(8 * 1024));
    private int sequence;

    private NetlinkRequest vethCreate;
    private NetlinkRequest addAddress;
    private NetlinkRequest defaultRoute;
    private List<NetlinkRequest> containerSide;

    private ByteBuffer linkReply;
    private ByteBuffer ack;
    private ByteBuffer error;

    @Setup
    public void setUp() throws IOException {
        InetAddress address = InetAddress.getByName("172.17.0.2");
        InetAddress gateway = InetAddress.getByName("172.17.0.1");
        vethCreate = vethOnBridge(HardwareAddress.parse("02:42:ac:11:00:02"));
        addAddress = Addresses.add("eth0", PEER_INDEX, address, 16).request();
        defaultRoute = Routes.add(RouteMessage.defaultVia(gateway, PEER_INDEX)).request();
        containerSide = VethEndpoint.containerSide(PEER, PEER_INDEX, "eth0", address, 16, gateway, false).stream()
                .map(NetlinkOperation::request).toList();

        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalStateException("the captured replies are little-endian and this JVM is not");
        }
        Map<String, ByteBuffer> replies = capturedReplies();
        linkReply = replies.get("link-reply");
        ack = replies.get("ack");
        error = replies.get("error");
        // Decode each once, so a wrong capture fails here rather than being timed.
        String name = decodeLinkReply().name();
        if (!PEER.equals(name) || decodeAck().errno() != 0 || decodeError().message() == null) {
            throw new IllegalStateException("captured replies do not decode as expected (link named " + name + ")");
        }
    }

    /** {@link Links#createVethOnBridge}'s request, with the peer's namespace descriptor that an open Netns gives. */
    private static NetlinkRequest vethOnBridge(HardwareAddress peerMac) {
        NetlinkRequest request = Links.createVethOnBridge(HOST_END, PEER, null, 1500, peerMac, "netwharf0", BRIDGE_INDEX).request();
        LinkMessage hostEnd = (LinkMessage) request.body();
        LinkMessage peer = ((LinkData.Veth) hostEnd.data()).peer().toBuilder().netnsFd(NETNS_FD).build();
        return new NetlinkRequest(request.type(), request.flags(), hostEnd.toBuilder().data(new LinkData.Veth(peer)).build());
    }

    private static Map<String, ByteBuffer> capturedReplies() throws IOException {
        Map<String, ByteBuffer> replies = new HashMap<>();
        try (InputStream in = NetlinkCodecBenchmark.class.getResourceAsStream("kernel-replies.txt");
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] fields = line.trim().split("\\s+");
                byte[] bytes = HexFormat.of().parseHex(fields[1]);
                // Direct, as NetlinkSocket's receive buffer is.
                replies.put(fields[0], ByteBuffer.allocateDirect(bytes.length).put(bytes).flip());
            }
        }
        return replies;
    }

    private int encode(NetlinkRequest request) {
        writer.reset();
        request.encode(writer, ++sequence, 0);
        return writer.position();
    }

    /** Host side: RTM_NEWLINK creating the veth pair, host end on the bridge, peer (name, MTU, MAC) in the container's namespace. */
    @Benchmark
    public int encodeVethCreate() {
        return encode(vethCreate);
    }

    /** Container side: RTM_NEWADDR, the container's address with its broadcast address. */
    @Benchmark
    public int encodeAddress() {
        return encode(addAddress);
    }

    /** Container side: RTM_NEWROUTE, the default route via the bridge's gateway. */
    @Benchmark
    public int encodeDefaultRoute() {
        return encode(defaultRoute);
    }

    /** The container side's whole datagram of five requests: rename, IPv6 address generation off, address, up, default route. */
    @Benchmark
    public int encodeContainerSideBatch() {
        writer.reset();
        for (NetlinkRequest request : containerSide) {
            request.encode(writer, ++sequence, 0);
        }
        return writer.position();
    }

    /** The kernel's RTM_NEWLINK for the veth peer (1,512 bytes), split from its datagram and decoded. */
    @Benchmark
    public LinkMessage decodeLinkReply() {
        return LinkMessage.decode(NetlinkMessage.parseAll(linkReply).get(0).payload());
    }

    /** An ACK (NLMSG_ERROR with errno 0, capped), as every request gets one. */
    @Benchmark
    public NetlinkAck decodeAck() {
        return NetlinkAck.decode(NetlinkMessage.parseAll(ack).get(0));
    }

    /** A refusal: EEXIST with the kernel's extended-ACK text ("ipv4: Address already assigned"). */
    @Benchmark
    public NetlinkAck decodeError() {
        return NetlinkAck.decode(NetlinkMessage.parseAll(error).get(0));
    }
}
