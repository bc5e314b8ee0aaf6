package io.netwharf.protocol.rtnetlink;

import io.netwharf.protocol.netlink.Attributes;
import io.netwharf.protocol.netlink.NetlinkFormatException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A link's counters as the kernel keeps them (IFLA_STATS64: struct rtnl_link_stats64, whose first eight u64 are
 * these), read from an RTM_NEWLINK of a dump. A link whose message carries no IFLA_STATS64 has all counters 0.
 */
public record LinkStatistics(String name, long rxPackets, long txPackets, long rxBytes, long txBytes, long rxErrors,
                             long txErrors, long rxDropped, long txDropped) {
    private static final int COUNTERS = 8;

    /** Decodes the name and counters of an RTM_NEWLINK's payload. */
    public static LinkStatistics decode(ByteBuffer payload) {
        ByteBuffer p = payload.duplicate().order(ByteOrder.nativeOrder());
        if (p.remaining() < LinkMessage.STRUCT_LENGTH) {
            throw new NetlinkFormatException("link message of " + p.remaining() + " bytes, shorter than ifinfomsg (" + LinkMessage.STRUCT_LENGTH + ")");
        }
        Attributes a = Attributes.parse(p, p.position() + LinkMessage.STRUCT_LENGTH);
        long[] c = new long[COUNTERS];
        ByteBuffer stats = a.value(Rtnetlink.IFLA_STATS64);
        if (stats != null) {
            ByteBuffer s = stats.duplicate().order(ByteOrder.nativeOrder());
            if (s.remaining() < COUNTERS * Long.BYTES) {
                throw new NetlinkFormatException("IFLA_STATS64 of " + s.remaining() + " bytes, shorter than its first " + COUNTERS + " counters");
            }
            for (int i = 0; i < COUNTERS; i++) {
                c[i] = s.getLong(s.position() + i * Long.BYTES);
            }
        }
        return new LinkStatistics(a.string(Rtnetlink.IFLA_IFNAME), c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]);
    }
}
