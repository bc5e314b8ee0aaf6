package io.netwharf.firewall;

import java.util.List;

/**
 * The packet filtering netwharf needs for its networks, one implementation per backend (nftables, and
 * {@link NoFirewall} for hosts whose firewall is managed elsewhere), as
 * netavark keeps its firewall drivers behind one interface. Each network's rules are added and removed on their
 * own, as one atomic change that leaves other networks' rules alone.
 */
public interface Firewall {
    /**
     * Refuses, before any kernel change, a network whose restrictions this backend cannot enforce (icc off,
     * internal), naming them; nftables enforces them all.
     */
    default void checkEnforceable(String network, boolean icc, boolean internal) {}

    /**
     * Creates netwharf's own tables and base chains, empty of networks. Replaces any left by an earlier run, so it
     * always ends in the same state: the runtime adds its networks again afterwards.
     */
    default void setUp() {
        setUp(List.of(), List.of());
    }

    /**
     * Creates the tables with the rules of {@code networks} in them, in one atomic change: a restart reinstalls every
     * network's rules without a moment in which the running containers' traffic goes unfiltered or unmasqueraded.
     */
    void setUp(List<NetworkRules> networks, List<PortForwards> forwards);

    /** {@link #setUp(List, List)} without published ports. */
    default void setUp(List<NetworkRules> networks) {
        setUp(networks, List.of());
    }

    /**
     * Refuses, before any kernel change, published ports this backend cannot forward (all of them, without a
     * firewall: a port the user believes published must not silently stay closed).
     */
    default void checkPublishable(String container) {}

    /** Forwards one container's published ports to it, as one atomic change; a host port already forwarded fails it whole. */
    void addForwards(PortForwards forwards);

    /** Removes what {@link #addForwards} added, given the same forwards. */
    void removeForwards(PortForwards forwards);

    /** Adds the rules of one network: isolation from other netwharf networks, ICC, masquerade, internal. */
    void addNetwork(NetworkRules rules);

    /** Removes everything {@link #addNetwork} added for {@code rules}, given the same rules. */
    void removeNetwork(NetworkRules rules);

    /** Deletes netwharf's tables and every network's rules with them; nothing to delete is not an error. */
    void tearDown();

    /** Frees what the backend holds (not the rules, which stay in the kernel). */
    default void close() {}
}
