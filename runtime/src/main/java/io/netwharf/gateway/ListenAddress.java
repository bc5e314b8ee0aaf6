package io.netwharf.gateway;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * Where the gateway listens: one value of dockerd's {@code -H}/{@code --host}, {@code unix:///path/to.sock} or
 * {@code tcp://host:port}. Other schemes dockerd knows ({@code fd://}, {@code ssh://}, {@code npipe://}) are refused,
 * as are bare paths: the scheme must be written out.
 */
public sealed interface ListenAddress permits ListenAddress.Unix, ListenAddress.Tcp {
    /** dockerd's port for unencrypted TCP. */
    int DEFAULT_TCP_PORT = 2375;
    /** dockerd's port for TCP with TLS, where it listens when TLS is on and no host is given. */
    int DEFAULT_TLS_PORT = 2376;
    Path DEFAULT_SOCKET = Path.of("/run/netwharf/netwharf.sock");

    /** {@code unix:///run/netwharf/netwharf.sock}. */
    static ListenAddress defaultAddress() {
        return new Unix(DEFAULT_SOCKET);
    }

    /** {@code tcp://localhost:2376}: dockerd's default with {@code --tls} and no {@code -H}. */
    static ListenAddress defaultTlsAddress() {
        return new Tcp("localhost", DEFAULT_TLS_PORT);
    }

    /** A Unix domain socket at an absolute path. */
    record Unix(Path path) implements ListenAddress {
        public Unix {
            if (!path.isAbsolute()) {
                throw new IllegalArgumentException("invalid listen address unix://" + path + ": the socket path must be absolute");
            }
            path = path.normalize();
        }

        @Override
        public String toString() {
            return "unix://" + path;
        }
    }

    /**
     * A TCP address; {@code port} 0 asks for any free port (tests). {@code host} is a name or an address, IPv6 without
     * brackets.
     */
    record Tcp(String host, int port) implements ListenAddress {
        public Tcp {
            if (host.isEmpty()) {
                throw new IllegalArgumentException("invalid listen address tcp://:" + port + ": no host");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("invalid listen address tcp://" + host + ":" + port + ": port out of range 0-65535");
            }
        }

        @Override
        public String toString() {
            return "tcp://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /**
     * Parses one {@code -H} value. {@code unix://} alone means the default socket; {@code tcp://host} means port
     * 2375. Throws {@link IllegalArgumentException} naming the value and what is wrong with it.
     */
    static ListenAddress parse(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("invalid listen address \"" + (value == null ? "" : value) + "\": empty");
        }
        String text = value.strip();
        int schemeEnd = text.indexOf("://");
        if (schemeEnd < 0) {
            throw invalid(value, "expected unix:///path/to.sock or tcp://host:port");
        }
        String scheme = text.substring(0, schemeEnd);
        String rest = text.substring(schemeEnd + 3);
        return switch (scheme) {
            case "unix" -> unix(value, rest);
            case "tcp" -> tcp(value, rest);
            case "fd", "ssh", "npipe", "http", "https" ->
                    throw invalid(value, scheme + ":// is not supported by netwharf; use unix:///path/to.sock or tcp://host:port");
            default -> throw invalid(value, "unknown scheme " + scheme + "://; use unix:///path/to.sock or tcp://host:port");
        };
    }

    private static ListenAddress unix(String value, String rest) {
        if (rest.isEmpty()) {
            return defaultAddress();
        }
        if (!rest.startsWith("/")) {
            throw invalid(value, "the socket path must be absolute, as in unix:///run/netwharf/netwharf.sock");
        }
        if (rest.indexOf('\0') >= 0) {
            throw invalid(value, "the socket path contains a NUL character");
        }
        return new Unix(Path.of(rest));
    }

    private static ListenAddress tcp(String value, String rest) {
        if (rest.contains("/") || rest.contains("?") || rest.contains("#") || rest.contains("@")) {
            throw invalid(value, "expected tcp://host:port with nothing after the port");
        }
        URI uri;
        try {
            uri = new URI("tcp://" + rest);
        } catch (URISyntaxException e) {
            throw invalid(value, e.getReason());
        }
        String host = uri.getHost();
        if (host == null) {
            throw invalid(value, "expected tcp://host:port (host is a name, an IPv4 address or a bracketed IPv6 address; port 0-65535)");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort();
        if (port < 0) {
            if (rest.endsWith(":")) {
                throw invalid(value, "empty port");
            }
            port = DEFAULT_TCP_PORT;
        }
        if (port > 65535) {
            throw invalid(value, "port " + port + " out of range 0-65535");
        }
        return new Tcp(host, port);
    }

    private static IllegalArgumentException invalid(String value, String reason) {
        return new IllegalArgumentException("invalid listen address \"" + value + "\": " + reason);
    }
}
