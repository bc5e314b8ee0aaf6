package io.netwharf.gateway;

import io.netwharf.Netwharf;
import io.netwharf.container.ContainerEngine;
import io.netwharf.container.ContainerView;
import io.netwharf.container.ImageInfo;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.protocol.model.NetwharfException;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.parameterMultiMap;
import static org.apache.pekko.http.javadsl.server.Directives.path;

/**
 * {@code GET /system/df} ({@code docker system df}) in Docker's shape. netwharf's images are names for the host's
 * filesystem and its containers write into no layer of their own, so every size is 0: the answer lists the images
 * with how many containers use each, the containers, and no volumes and no build cache (netwharf has neither).
 */
final class DiskUsageRoutes {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> TYPES = Set.of("container", "image", "volume", "build-cache");

    private final ContainerEngine engine;
    private final Netwharf netwharf;

    DiskUsageRoutes(ContainerEngine engine, Netwharf netwharf) {
        this.engine = engine;
        this.netwharf = netwharf;
    }

    Route route() {
        return path(PathMatchers.segment("system").slash("df"), () -> get(() -> parameterMultiMap(query ->
                ContainerRoutes.answer(() -> usage(query.getOrDefault("type", List.of()))))));
    }

    /** {@code type}: the kinds to answer (none: all), as Docker's; another kind is refused by name. */
    private CompletionStage<HttpResponse> usage(List<String> types) {
        for (String type : types) {
            if (!TYPES.contains(type)) {
                throw NetwharfException.badParameter("unknown object type: " + type + " (expected container, image, volume or build-cache)");
            }
        }
        return engine.list().thenCombine(engine.images(), Listed::new).thenCombine(netwharf.listNetworks(), (both, networks) -> {
            ObjectNode json = NODES.objectNode();
            if (types.isEmpty() || types.contains("image")) {
                json.put("LayersSize", 0);
                ArrayNode images = json.putArray("Images");
                for (ImageInfo image : both.images()) {
                    ObjectNode summary = ImageJson.summary(image);
                    summary.put("SharedSize", 0);
                    summary.put("Containers", both.containers().stream()
                            .filter(c -> ContainerJson.imageId(c.config().image()).equals(image.id())).count());
                    images.add(summary);
                }
            }
            if (types.isEmpty() || types.contains("container")) {
                Map<String, String> ids = new HashMap<>();
                networks.forEach(n -> ids.put(n.name(), n.id()));
                ArrayNode containers = json.putArray("Containers");
                Instant now = Instant.now();
                for (ContainerView c : both.containers()) {
                    containers.add(ContainerJson.summary(c, ids, now).put("SizeRw", 0).put("SizeRootFs", 0));
                }
            }
            if (types.isEmpty() || types.contains("volume")) {
                json.putArray("Volumes");
            }
            if (types.isEmpty() || types.contains("build-cache")) {
                json.putArray("BuildCache");
            }
            return DockerJson.response(StatusCodes.OK, json);
        });
    }

    private record Listed(List<ContainerView> containers, List<ImageInfo> images) {}
}
