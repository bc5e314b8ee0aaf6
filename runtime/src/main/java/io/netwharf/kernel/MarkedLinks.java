package io.netwharf.kernel;

import io.netwharf.protocol.rtnetlink.LinkMessage;

import java.util.ArrayList;
import java.util.List;

/** The links of one namespace that carry a netwharf mark: what a restart finds of its own. */
public final class MarkedLinks {
    private MarkedLinks() {}

    /** A link and the mark its alias carries. */
    public record Marked(LinkMessage link, LinkMarks.Mark mark) {
        public String name() {
            return link.name();
        }
    }

    /** Every link in {@code socket}'s namespace whose alias is a netwharf mark, in the kernel's order. */
    public static List<Marked> find(NetlinkSocket socket) {
        List<Marked> marked = new ArrayList<>();
        for (LinkMessage link : new Links(socket).list()) {
            LinkMarks.Mark mark = LinkMarks.parse(link.alias());
            if (mark != null) {
                marked.add(new Marked(link, mark));
            }
        }
        return marked;
    }
}
