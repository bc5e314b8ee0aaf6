package io.netwharf.gateway;

import io.netwharf.container.ContainerEngine;
import io.netwharf.container.ImageReference;
import io.netwharf.protocol.model.NetwharfException;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.PatternSyntaxException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.delete;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.parameterMap;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;

/**
 * The image endpoints of a runtime that runs processes on the host's filesystem, where an image is a name for the
 * host's root: a pull ({@code POST /images/create}) makes a name known at once and downloads nothing, saying so in
 * Docker's progress stream; inspect, list and remove work on the known names, so clients that pull before they create
 * (docker-compose, the docker CLI's {@code run}) work unchanged. Names may contain slashes
 * ({@code /images/docker.io/library/debian:latest/json}), as Docker's routes allow.
 */
final class ImageRoutes {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String JSON_SUFFIX = "/json";
    private static final Set<String> LIST_FILTERS = Set.of("reference", "dangling", "label");

    private final ContainerEngine engine;

    ImageRoutes(ContainerEngine engine) {
        this.engine = engine;
    }

    Route route() {
        return pathPrefix("images", () -> concat(
                path("create", () -> post(() -> parameterMap(query -> ContainerRoutes.answer(() -> pull(query))))),
                path("json", () -> get(() -> parameterMap(query -> ContainerRoutes.answer(() -> list(query))))),
                path(PathMatchers.remaining(), encoded -> {
                    String name = decoded(encoded);
                    return concat(
                            get(() -> name.endsWith(JSON_SUFFIX)
                                    ? ContainerRoutes.answer(() -> inspect(name.substring(0, name.length() - JSON_SUFFIX.length())))
                                    : DockerErrors.error(StatusCodes.NOT_FOUND, "page not found")),
                            delete(() -> parameterMap(query -> ContainerRoutes.answer(() -> remove(name, query)))));
                })));
    }

    /**
     * A pull: {@code fromImage} with {@code tag} (which wins over a tag in the name, as Docker's) or {@code latest}.
     * Imports and other platforms cannot be honoured and are refused before anything is kept.
     */
    private CompletionStage<HttpResponse> pull(Map<String, String> query) {
        if (!blank(query.get("fromSrc"))) {
            return CompletableFuture.completedFuture(DockerErrors.response(StatusCodes.NOT_IMPLEMENTED, "netwharf does not import "
                    + "images: an image is a name for the host's filesystem; pull a name instead (fromSrc)"));
        }
        String fromImage = query.get("fromImage");
        if (blank(fromImage)) {
            throw NetwharfException.badParameter("fromImage is required: the name of the image to pull");
        }
        checkPlatform(query.get("platform"));
        ImageReference reference = ImageReference.parse(fromImage);
        String tag = query.get("tag");
        if (!blank(tag)) {
            reference = reference.withTag(tag);
        }
        ImageReference pulled = reference;
        return engine.pullImage(pulled).thenApply(isNew -> HttpResponse.create().withStatus(StatusCodes.OK)
                .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, ImageJson.pullProgress(pulled, isNew))));
    }

    /** Processes run on the host: only its own platform can be asked for ({@code --platform}). */
    private static void checkPlatform(String platform) {
        if (blank(platform)) {
            return;
        }
        String host = "linux/" + SystemRoutes.arch();
        if (!platform.equals("linux") && !platform.equals(host)) {
            throw NetwharfException.badParameter("netwharf runs processes on the host, which is " + host + ": it cannot provide platform "
                    + platform);
        }
    }

    private CompletionStage<HttpResponse> inspect(String name) {
        return engine.image(name).thenApply(image -> DockerJson.response(StatusCodes.OK, ImageJson.inspect(image)));
    }

    /**
     * Newest first, with filters {@code reference} (a glob on the name, with or without the tag, as Docker's
     * {@code FamiliarMatch}), {@code dangling} (none is: each image is its name) and {@code label} (an image has none);
     * others are refused by name. {@code all} and {@code digests} change nothing: there are no intermediate images and
     * no digests.
     */
    private CompletionStage<HttpResponse> list(Map<String, String> query) {
        DockerFilters filters = DockerFilters.parse(Optional.ofNullable(query.get("filters")), LIST_FILTERS);
        List<PathMatcher> references = filters.get("reference").stream().map(ImageRoutes::glob).toList();
        boolean onlyDangling = filters.get("dangling").stream().anyMatch(ImageRoutes::dangling);
        return engine.images().thenApply(images -> {
            ArrayNode json = NODES.arrayNode();
            images.stream()
                    .filter(i -> references.isEmpty() || references.stream().anyMatch(glob ->
                            glob.matches(Path.of(i.reference().familiar())) || glob.matches(Path.of(i.reference().repository()))))
                    .filter(i -> !onlyDangling && filters.matchesLabels("label", Map.of()))
                    .sorted((a, b) -> b.created().compareTo(a.created()))
                    .forEach(i -> json.add(ImageJson.summary(i)));
            return DockerJson.response(StatusCodes.OK, json);
        });
    }

    private static PathMatcher glob(String pattern) {
        try {
            return FileSystems.getDefault().getPathMatcher("glob:" + pattern);
        } catch (PatternSyntaxException e) {
            throw NetwharfException.badParameter("invalid filter 'reference=" + pattern + "': " + e.getDescription());
        }
    }

    private static boolean dangling(String value) {
        return switch (value) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw NetwharfException.badParameter("Invalid filter 'dangling=" + value + "'");
        };
    }

    private CompletionStage<HttpResponse> remove(String name, Map<String, String> query) {
        return engine.removeImage(name, ContainerRoutes.flag(query, "force"))
                .thenApply(image -> DockerJson.response(StatusCodes.OK, ImageJson.removed(image)));
    }

    /** The rest of the path as text ({@code remaining} is still percent-encoded); a name with a broken escape is no name. */
    private static String decoded(String encoded) {
        try {
            return URLDecoder.decode(encoded.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw NetwharfException.badParameter("invalid reference format");
        }
    }

    private static boolean blank(String value) {
        return value == null || value.isEmpty();
    }
}
