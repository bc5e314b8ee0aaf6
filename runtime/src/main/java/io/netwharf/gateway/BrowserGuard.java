package io.netwharf.gateway;

import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Host;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Keeps web pages away from the API. The docker CLI, docker-compose and the SDKs never send {@code Origin}; a
 * browser sends it on every cross-origin request and on every POST, so a request with one comes from a page and is
 * refused ({@link #refuseCrossOrigin}; there is no {@code --api-cors-header} to allow one: moby has removed it). A page can also reach a plain TCP
 * listener as its own origin through DNS rebinding (evil.example resolved to 127.0.0.1): such requests carry the
 * page's name in {@code Host}, so a plain TCP listener answers only requests whose {@code Host} is an IP address, a
 * loopback name, the name it was told to listen on, or this machine's host name ({@link #checkHost}). A TLS listener
 * needs no such check: the browser would refuse its certificate, which does not name evil.example; a Unix socket
 * cannot be reached by a browser at all.
 */
public final class BrowserGuard {
    /** What clients send over a Unix socket: the docker CLI "api.moby.localhost" (older ones "docker"), the SDKs "localhost". */
    private static final Set<String> LOCAL_NAMES = Set.of("localhost", "docker", "api.moby.localhost");
    private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    private static final Path KERNEL_HOSTNAME = Path.of("/proc/sys/kernel/hostname");

    private BrowserGuard() {}

    /** Answers 403 to a request that carries an {@code Origin} header, before anything else is done. */
    public static Route refuseCrossOrigin(Supplier<Route> inner) {
        return Directives.optionalHeaderValueByName("Origin", origin -> origin.isPresent()
                ? DockerErrors.error(StatusCodes.FORBIDDEN, "cross-origin request refused (Origin: " + origin.get()
                        + "): the API does not serve web pages, and a page must not drive it")
                : inner.get());
    }

    /**
     * Answers 403 to a request whose {@code Host} is a name other than those a client of {@code listener} uses (see
     * the class comment), before anything else is done.
     */
    public static Route checkHost(ListenAddress.Tcp listener, Route inner) {
        Set<String> names = Set.of(normalized(listener.host()), hostName().orElse(""));
        return Directives.extractRequest(request -> {
            String host = hostOf(request);
            if (allowed(host, names)) {
                return inner;
            }
            return DockerErrors.error(StatusCodes.FORBIDDEN, "request refused: Host \"" + host + "\" is not a name this daemon "
                    + "answers to over plain TCP (a web page using DNS rebinding sends its own name); use an IP address, "
                    + "localhost or the name it listens on (" + listener.host() + "), or serve TCP with TLS");
        });
    }

    private static String hostOf(HttpRequest request) {
        return request.getHeader(Host.class).map(h -> h.host().address()).orElse("");
    }

    static boolean allowed(String host, Set<String> listenerNames) {
        String name = normalized(host);
        return name.isEmpty() || LOCAL_NAMES.contains(name) || name.endsWith(".localhost") || listenerNames.contains(name)
                || isAddressLiteral(name);
    }

    /** Lower case, without IPv6 brackets or a trailing dot. */
    private static String normalized(String host) {
        String name = host.toLowerCase(Locale.ROOT);
        if (name.startsWith("[") && name.endsWith("]")) {
            name = name.substring(1, name.length() - 1);
        }
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    /** An IP address written out cannot be rebound: a page served from it is the daemon itself. */
    private static boolean isAddressLiteral(String name) {
        return IPV4.matcher(name).matches() || name.contains(":"); // a name has no ':', an IPv6 address has
    }

    private static Optional<String> hostName() {
        try {
            return Optional.of(normalized(Files.readString(KERNEL_HOSTNAME).strip())).filter(name -> !name.isEmpty());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
