package io.netwharf.protocol.model;

import java.util.Set;

/**
 * A container's network mode ({@code HostConfig.NetworkMode}), parsed once from Docker's spelling: {@code bridge}
 * (or {@code default}, or nothing), {@code host}, {@code none}, {@code container:<name or id>}, or the name or id of
 * a network. Everything else asks the parsed mode what it allows, so the spellings and Docker's refusals live here
 * alone.
 */
public sealed interface NetworkMode {
    /** The default network's name, which Docker also accepts as {@code default} in requests. */
    String BRIDGE = "bridge";
    /** The default network mode's other spelling; nothing asked is this one, as in Docker. */
    String DEFAULT = "default";
    String HOST = "host";
    String NONE = "none";
    /** The networks every Docker host has; a user network cannot take these names. */
    Set<String> PREDEFINED = Set.of(BRIDGE, HOST, NONE);

    String SHARED_NAMESPACE_REFUSAL = sharedNamespaceRefusal("connected to");
    String NONE_REFUSAL = "container cannot be connected to multiple networks with one of the networks in private (none) mode";
    /** Docker's runconfig.ErrConflictHostNetwork: its answer for connecting a container to the host network. */
    String HOST_NETWORK_REFUSAL = "container cannot be disconnected from host network or connected to host network";

    /** Docker's refusal for a container in host or {@code container:} mode, which has no endpoints of its own. */
    static String sharedNamespaceRefusal(String verb) {
        return "container sharing network namespace with another container or host cannot be " + verb + " any other network";
    }

    /**
     * The default network, as it was asked: {@code bridge}, or {@code default} (what the docker CLI sends when no
     * network is given, and what Docker shows back in {@code HostConfig.NetworkMode}).
     */
    record Bridge(String text) implements NetworkMode {
        public Bridge {
            if (!BRIDGE.equals(text) && !DEFAULT.equals(text)) {
                throw new IllegalArgumentException("the default network's mode is bridge or default, not " + text);
            }
        }
    }

    /** The host's own namespace. */
    record Host() implements NetworkMode {
        @Override
        public String text() {
            return HOST;
        }
    }

    /** A namespace of its own with loopback only. */
    record None() implements NetworkMode {
        @Override
        public String text() {
            return NONE;
        }
    }

    /** The namespace of another container, by its name, id or unique id prefix (the runtime takes the full id). */
    record Container(String reference) implements NetworkMode {
        static final String PREFIX = "container:";

        public Container {
            if (reference == null || reference.isEmpty()) {
                throw NetwharfException.badParameter("Invalid network mode: invalid container format container:<name|id>");
            }
        }

        @Override
        public String text() {
            return PREFIX + reference;
        }
    }

    /** A user-defined network, by its name, id or unique id prefix. */
    record Network(String reference) implements NetworkMode {
        public Network {
            if (reference == null || reference.isEmpty()) {
                throw NetwharfException.badParameter("invalid network mode: it names no network");
            }
        }

        @Override
        public String text() {
            return reference;
        }

        @Override
        public boolean usesEmbeddedDns() {
            return true;
        }
    }

    NetworkMode BRIDGE_MODE = new Bridge(BRIDGE);
    NetworkMode DEFAULT_MODE = new Bridge(DEFAULT);
    NetworkMode HOST_MODE = new Host();
    NetworkMode NONE_MODE = new None();

    /** Docker's spelling; null or empty is the default network, spelt {@code default} as Docker keeps it. */
    static NetworkMode parse(String text) {
        if (text == null || text.isEmpty() || text.equals(DEFAULT)) {
            return DEFAULT_MODE;
        }
        if (text.equals(BRIDGE)) {
            return BRIDGE_MODE;
        }
        if (text.equals(HOST)) {
            return HOST_MODE;
        }
        if (text.equals(NONE)) {
            return NONE_MODE;
        }
        // Docker takes a bare "container" as container mode without its container, and refuses it.
        if (text.startsWith(Container.PREFIX) || text.equals("container")) {
            return new Container(text.substring(Math.min(text.length(), Container.PREFIX.length())));
        }
        return new Network(text);
    }

    /** A network reference as written in a request's endpoint settings: Docker's {@code default} is {@code bridge}. */
    static String networkReference(String text) {
        return text == null || text.isEmpty() || text.equals(DEFAULT) ? BRIDGE : text;
    }

    /** As Docker writes it back ({@code HostConfig.NetworkMode}). */
    String text();

    /** Bridge or a network: the container has a namespace of its own, with endpoints on networks. */
    default boolean joinsNetworks() {
        return this instanceof Bridge || this instanceof Network;
    }

    /**
     * Whether the container gets the embedded DNS server at 127.0.0.11 (and a resolv.conf naming it): as in Docker, a
     * container whose mode is a user-defined network; on the default bridge it gets the host's upstream servers.
     */
    default boolean usesEmbeddedDns() {
        return false;
    }

    /** The network a bridge-style mode joins first; null for the others. */
    default String network() {
        if (this instanceof Network n) {
            return n.reference();
        }
        return this instanceof Bridge ? BRIDGE : null;
    }

    /**
     * Why no container can be connected to the network of this mode (host, none: Docker's messages, which are not
     * those of {@link #connectRefusal}); null for a mode whose network takes endpoints.
     */
    default NetwharfException joinRefusal() {
        if (this instanceof Host) {
            return NetwharfException.badParameter(HOST_NETWORK_REFUSAL);
        }
        return this instanceof None ? NetwharfException.badParameter(NONE_REFUSAL) : null;
    }

    /** Why a container in this mode cannot be connected to a network (Docker's message); null when it can. */
    default NetwharfException connectRefusal() {
        if (this instanceof Host || this instanceof Container) {
            return NetwharfException.badParameter(SHARED_NAMESPACE_REFUSAL);
        }
        if (this instanceof None) {
            return NetwharfException.badParameter(NONE_REFUSAL);
        }
        return null;
    }
}
