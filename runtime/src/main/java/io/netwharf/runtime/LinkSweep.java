package io.netwharf.runtime;

import io.netwharf.kernel.HostKernel;
import io.netwharf.kernel.LinkMarks;
import io.netwharf.kernel.Links;
import io.netwharf.kernel.MarkedLinks;
import io.netwharf.kernel.NetlinkSocket;
import io.netwharf.kernel.Netns;
import io.netwharf.store.StoredEndpoint;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The reconcile's sweep of the links netwharf marked ({@link LinkMarks}): in the host's namespace, the bridges of
 * networks the store does not have and the host ends of endpoints not kept; inside each kept namespace, the links
 * of endpoints not kept (macvlan and ipvlan links live there). Endpoints' links go before bridges. The configured
 * default bridge always stays: it is adopted at every start.
 */
final class LinkSweep {
    private static final Logger LOG = LoggerFactory.getLogger(LinkSweep.class);

    private final HostKernel kernel;
    private final String defaultBridge;

    LinkSweep(HostKernel kernel, String defaultBridge) {
        this.kernel = kernel;
        this.defaultBridge = defaultBridge;
    }

    /**
     * Removes what the store does not account for: links of networks not in {@code networkIds}, of endpoints not in
     * {@code keptEndpoints}, in the host and in {@code keptNamespaces} (names under the exec root). Answers how many.
     */
    int sweep(Set<String> networkIds, Set<StoredEndpoint> keptEndpoints, Set<String> keptNamespaces) {
        Set<String> kept = keptEndpoints.stream().map(e -> e.containerId() + " " + e.networkId()).collect(Collectors.toSet());
        int removed;
        try (NetlinkSocket socket = kernel.openHostSocket()) {
            removed = sweep(socket, "the host", networkIds, kept);
        }
        for (String name : keptNamespaces) {
            try (Netns netns = kernel.sandboxes().open(name); NetlinkSocket socket = kernel.sandboxes().openSocket(netns)) {
                removed += sweep(socket, "namespace " + name, networkIds, kept);
            }
        }
        return removed;
    }

    private int sweep(NetlinkSocket socket, String where, Set<String> networkIds, Set<String> keptEndpoints) {
        List<MarkedLinks.Marked> doomed = new ArrayList<>();
        for (MarkedLinks.Marked marked : MarkedLinks.find(socket)) {
            LinkMarks.Mark mark = marked.mark();
            boolean known = mark.isEndpoint() ? keptEndpoints.contains(mark.containerId() + " " + mark.networkId())
                    : networkIds.contains(mark.networkId()) || marked.name().equals(defaultBridge);
            if (!known) {
                doomed.add(marked);
            }
        }
        // Endpoints' links first: a bridge goes once its ports have.
        doomed.sort(Comparator.comparing(marked -> !marked.mark().isEndpoint()));
        Links links = new Links(socket);
        int removed = 0;
        for (MarkedLinks.Marked marked : doomed) {
            try {
                links.deleteIfPresent(marked.name());
                removed++;
                LOG.debug("removed {} from {}: marked '{}', unknown to the store", marked.name(), where, marked.link().alias());
            } catch (RuntimeException e) {
                LOG.error("could not remove link {} from {} (marked '{}'): {}", marked.name(), where, marked.link().alias(), e.getMessage());
            }
        }
        return removed;
    }
}
