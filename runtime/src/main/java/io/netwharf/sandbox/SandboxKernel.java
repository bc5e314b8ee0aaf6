package io.netwharf.sandbox;

import io.netwharf.protocol.rtnetlink.LinkStatistics;

import java.nio.file.Path;
import java.util.List;

/**
 * The kernel work a {@link SandboxActor} does itself, in its own namespace: everything else (addresses, veth pairs,
 * bridge ports) it asks of other actors. An interface so that the sandbox's sagas and their undo paths can be driven
 * without root, with any step made to fail; {@link NetlinkSandboxKernel} is the real one.
 */
public interface SandboxKernel {
    /**
     * Creates the namespace {@code name}, kept (bind-mounted) until {@link #delete}, with {@code lo} up, and opens a
     * netlink socket inside it. Nothing is left behind when it fails.
     */
    Namespace create(String name);

    /** Opens the existing namespace {@code name} (one a restart adopts) with a netlink socket inside it. */
    Namespace open(String name);

    /**
     * Deletes the namespace {@code name}: unmounts it and removes its file. Safe to call again after a failure, for
     * whatever of it is still there. The kernel frees the namespace, and the veth peers inside it, once nothing holds
     * it any more: the {@link Namespace} must be closed first.
     */
    void delete(String name);

    /** A created namespace, with the socket the sandbox keeps for its work inside it. */
    interface Namespace extends AutoCloseable {
        /** Where the namespace is bind-mounted: the container's sandbox key, and where veth peers are put. */
        Path path();

        /**
         * Configures a veth peer put here under its temporary name {@code peerName}: renames it to
         * {@code interfaceName}, turns IPv6 address generation off, gives it {@code address}/{@code prefixLength},
         * brings it up and, unless {@code gateway} is null, routes by default through {@code gateway}.
         */
        void configure(String peerName, String interfaceName, int address, int prefixLength, Integer gateway);

        /** The counters of every link in the namespace, loopback included. */
        List<LinkStatistics> statistics();

        /** Closes the socket; the namespace stays until deleted. */
        @Override
        void close();
    }
}
