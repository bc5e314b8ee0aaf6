package io.netwharf.kernel;

/**
 * The marks netwharf puts on the links it makes, in their alias ({@code IFLA_IFALIAS}, shown by {@code ip link} as
 * {@code alias}), so a restart tells its own links from everyone else's: a bridge names its network, an endpoint's
 * link its container and network.
 */
public final class LinkMarks {
    private static final String NETWORK = "netwharf network ";
    private static final String ENDPOINT = "netwharf endpoint ";

    private LinkMarks() {}

    /** A mark read back: a network's ({@code containerId} null) or an endpoint's. */
    public record Mark(String networkId, String containerId) {
        public boolean isEndpoint() {
            return containerId != null;
        }
    }

    public static String network(String networkId) {
        return NETWORK + networkId;
    }

    public static String endpoint(String containerId, String networkId) {
        return ENDPOINT + containerId + " " + networkId;
    }

    /** The mark an alias carries; null when it is none of netwharf's. */
    public static Mark parse(String alias) {
        if (alias == null) {
            return null;
        }
        if (alias.startsWith(NETWORK)) {
            String id = alias.substring(NETWORK.length());
            return id.isEmpty() || id.contains(" ") ? null : new Mark(id, null);
        }
        if (alias.startsWith(ENDPOINT)) {
            String[] ids = alias.substring(ENDPOINT.length()).split(" ");
            return ids.length == 2 ? new Mark(ids[1], ids[0]) : null;
        }
        return null;
    }
}
