package io.netwharf.gateway;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netwharf.Netwharf;
import io.netwharf.container.ContainerEngine;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.ProductVersion;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.headers.Server;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;

import java.util.List;
import java.util.regex.Pattern;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.handleExceptions;
import static org.apache.pekko.http.javadsl.server.Directives.handleRejections;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.Directives.respondWithDefaultHeaders;

/**
 * The Docker Engine API as netwharf serves it: system routes ({@code /_ping}, {@code /version}, {@code /info}),
 * networks, the container routes given, images (names for the host's filesystem), events, and Docker's 404s for the object kinds the CLI probes in
 * {@code docker inspect}. Paths may carry an API version from {@value #MIN_API_VERSION} to {@value #API_VERSION}
 * ({@code /v1.51/networks}) or none. Every response carries Docker's headers; every error is Docker's JSON
 * ({@link DockerErrors}). Requests from web pages (with an {@code Origin} header) are refused ({@link BrowserGuard}).
 */
public final class DockerApi {
    public static final String API_VERSION = "1.51";
    public static final String MIN_API_VERSION = "1.24";
    private static final Pattern VERSION = Pattern.compile("v([0-9]+\\.[0-9]+)");

    private DockerApi() {}

    /** The whole API over the runtime's networks and the engine's containers. */
    public static Route route(Netwharf netwharf, ContainerEngine containers) {
        ContainerRoutes containerRoutes = new ContainerRoutes(containers, netwharf);
        Route api = concat(
                new SystemRoutes(containers).route(),
                new NetworkRoutes(netwharf, containers).route(),
                containerRoutes.route(),
                containerRoutes.execRoute(),
                new ImageRoutes(containers).route(),
                new DiskUsageRoutes(containers, netwharf).route(),
                new EventRoutes(netwharf).route(),
                probes());
        // Built once: the DSL calls each () -> supplier per request, and building the handlers and the versioned
        // alternative there cost CPU on every request (JFR showed the rejection handler being built for each).
        Route versionedOrNot = concat(pathPrefix(PathMatchers.segment(VERSION), version -> checked(version, api)), api);
        ExceptionHandler exceptions = DockerErrors.exceptionHandler();
        RejectionHandler rejections = DockerErrors.rejectionHandler();
        return respondWithDefaultHeaders(headers(), () -> handleExceptions(exceptions, () -> handleRejections(rejections,
                () -> BrowserGuard.refuseCrossOrigin(() -> versionedOrNot))));
    }

    /** The headers on every answer. */
    static List<HttpHeader> headers() {
        return List.of(
                RawHeader.create("Api-Version", API_VERSION),
                RawHeader.create("Docker-Experimental", "false"),
                RawHeader.create("Ostype", "linux"),
                Server.create(ProductVersion.create("netwharf", SystemRoutes.VERSION, "linux")));
    }

    /** Refuses a version outside what netwharf speaks, before looking at the rest of the path, as Docker does. */
    private static Route checked(String version, Route api) {
        if (compare(version, MIN_API_VERSION) < 0) {
            return DockerErrors.error(StatusCodes.BAD_REQUEST, "client version " + version
                    + " is too old. Minimum supported API version is " + MIN_API_VERSION
                    + ", please upgrade your client to a newer version");
        }
        if (compare(version, API_VERSION) > 0) {
            return DockerErrors.error(StatusCodes.BAD_REQUEST, "client version " + version
                    + " is too new. Maximum supported API version is " + API_VERSION);
        }
        return api;
    }

    /** Compares "major.minor" versions numerically: 1.5 < 1.24. */
    static int compare(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < 2; i++) {
            int c = Long.compare(parse(x[i]), parse(y[i]));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static long parse(String digits) {
        // Longer than any long: treat as huge, so "too new" rather than a crash.
        return digits.length() > 18 ? Long.MAX_VALUE : Long.parseLong(digits);
    }

    /**
     * {@code docker inspect X} asks every kind of object in turn; netwharf has none of these (images: {@link ImageRoutes}).
     * {@code docker volume ls} lists none; a volume cannot be made: a container's process sees the host's filesystem.
     */
    private static Route probes() {
        return concat(
                pathPrefix("volumes", () -> concat(
                        pathEnd(() -> get(() -> complete(DockerJson.response(StatusCodes.OK,
                                JsonNodeFactory.instance.objectNode().<ObjectNode>set("Volumes", JsonNodeFactory.instance.arrayNode())
                                        .putNull("Warnings"))))),
                        path("create", () -> post(() -> DockerErrors.error(StatusCodes.NOT_IMPLEMENTED,
                                "netwharf has no volumes: a container's process sees the host's filesystem"))))),
                pathPrefix("volumes", () -> path(PathMatchers.segment(), x -> get(() ->
                        DockerErrors.error(StatusCodes.NOT_FOUND, "get " + x + ": no such volume")))),
                pathPrefix("plugins", () -> pathPrefix(PathMatchers.segment(), x -> path("json", () -> get(() ->
                        DockerErrors.error(StatusCodes.NOT_FOUND, "plugin \"" + x + "\" not found"))))));
    }
}
