package io.netwharf.gateway;

import io.netwharf.Netwharf;
import io.netwharf.container.ContainerActor.WaitCondition;
import io.netwharf.container.ContainerConfig;
import io.netwharf.container.ContainerEngine;
import io.netwharf.container.ContainerRequest;
import io.netwharf.container.Signals;
import io.netwharf.kernel.ProcessTable;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.protocol.model.NetwharfException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.delete;
import static org.apache.pekko.http.javadsl.server.Directives.extractExecutionContext;
import static org.apache.pekko.http.javadsl.server.Directives.extractMaterializer;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.parameterMap;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;

/**
 * The container endpoints of the Docker Engine API, as far as the network needs them: create, start, stop, kill,
 * restart, wait, remove, list, inspect, logs, attach and exec ({@link ExecRoutes}); a create needs a pulled image
 * ({@link ImageRoutes}), as Docker's.
 */
final class ContainerRoutes {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> PRUNE_FILTERS = Set.of("label", "label!", "until");

    private final ContainerEngine engine;
    private final Netwharf netwharf;
    private final ExecRoutes execs;

    ContainerRoutes(ContainerEngine engine, Netwharf netwharf) {
        this.engine = engine;
        this.netwharf = netwharf;
        this.execs = new ExecRoutes(engine);
    }

    Route route() {
        return pathPrefix("containers", () -> concat(
                path("create", () -> post(() -> parameterMap(query -> DockerJson.entity(JsonNode.class, tree ->
                        answer(() -> create(query.get("name"), tree)))))),
                path("json", () -> get(() -> parameterMap(query -> extractExecutionContext(executor ->
                        answer(() -> list(query, executor)))))),
                path("prune", () -> post(() -> parameterMap(query -> answer(() -> prune(query))))),
                pathPrefix(PathMatchers.segment(), this::container)));
    }

    /** {@code /exec/{id}/...}: the sessions {@code POST /containers/{id}/exec} made. */
    Route execRoute() {
        return execs.route();
    }

    /** {@code /containers/{id}/...}: {@code container} is an id, a name or a unique id prefix. */
    private Route container(String container) {
        return concat(
                pathEnd(() -> delete(() -> parameterMap(query -> answer(() -> engine.remove(container, flag(query, "force"))
                        .thenApply(done -> noContent()))))),
                path("json", () -> get(() -> answer(() -> inspect(container)))),
                path("start", () -> post(() -> answer(() -> engine.start(container).thenApply(ContainerRoutes::changed)))),
                // The container's own stop signal and timeout unless the request gives them, as Docker.
                path("stop", () -> post(() -> parameterMap(query -> answer(() -> engine.inspect(container).thenCompose(found ->
                        engine.stop(found.id(), grace(query, found.config()), Signals.parse(query.get("signal"), found.config().stopSignal())))
                        .thenApply(ContainerRoutes::changed))))),
                path("kill", () -> post(() -> parameterMap(query -> answer(() -> engine.kill(container,
                        Signals.parse(query.get("signal"), Signals.SIGKILL)).thenApply(done -> noContent()))))),
                path("restart", () -> post(() -> parameterMap(query -> answer(() -> engine.inspect(container).thenCompose(found ->
                        engine.restart(found.id(), grace(query, found.config()))).thenApply(done -> noContent()))))),
                path("rename", () -> post(() -> parameterMap(query -> answer(() -> engine.rename(container, query.get("name"))
                        .thenApply(done -> noContent()))))),
                path("wait", () -> post(() -> parameterMap(query -> answer(() -> engine.waitFor(container, condition(query))
                        .thenApply(ContainerRoutes::waitResponse))))),
                path("top", () -> get(() -> parameterMap(query -> answer(() -> {
                    ContainerTop.checkArgs(query.get("ps_args"));
                    return engine.inspect(container).thenApply(view -> DockerJson.response(StatusCodes.OK, ContainerTop.of(view, ProcessTable.host())));
                })))),
                path("stats", () -> get(() -> parameterMap(query -> answer(() ->
                        new ContainerStats(engine, netwharf, ProcessTable.host()).response(container, query))))),
                path("logs", () -> get(() -> parameterMap(query -> answer(() -> engine.inspect(container)
                        .thenApply(view -> ContainerLogs.response(view, query)))))),
                path("attach", () -> post(() -> parameterMap(query -> extractRequest(request -> extractMaterializer(materializer ->
                        answer(() -> engine.inspect(container).thenApply(view -> ContainerAttach.response(view, query, request,
                                materializer.system().dispatchers().lookup(UnixSocketListener.IO_DISPATCHER))))))))),
                path("exec", () -> post(() -> DockerJson.entity(ExecRoutes.ExecConfig.class, config ->
                        answer(() -> execs.create(container, config))))));
    }

    /**
     * Creates a container from the body, read as a tree (through the gateway's one way of reading bodies) for the
     * settings netwharf does not act on ({@link UnenforcedSettings}: refused, or kept with a warning in the answer, as
     * Docker warns), and as the fields it acts on.
     */
    private CompletionStage<HttpResponse> create(String name, JsonNode tree) {
        ContainerCreateBody body = DockerJson.parse(ByteString.fromString(tree.toString()), ContainerCreateBody.class);
        UnenforcedSettings.Kept kept = UnenforcedSettings.check(tree);
        List<String> warnings = new ArrayList<>(kept.warnings());
        Map<String, String> keptJson = new LinkedHashMap<>();
        kept.values().forEach((path, value) -> keptJson.put(path, value.toString()));
        ContainerRequest request = body.request(name, keptJson, warnings);
        // Only a pulled image, as Docker: clients pull on this 404 and create again. The engine takes any label
        // (embedded users have no images); the image's name is what the container keeps.
        return engine.image(request.image()).thenCompose(image -> engine.create(request)).thenApply(id -> {
            ArrayNode warned = NODES.arrayNode();
            warnings.forEach(warned::add);
            return DockerJson.response(StatusCodes.CREATED, NODES.objectNode().put("Id", id).set("Warnings", warned));
        });
    }

    private CompletionStage<HttpResponse> inspect(String container) {
        return engine.inspect(container).thenCombine(networkIds(), (view, ids) -> DockerJson.response(StatusCodes.OK,
                ContainerJson.inspect(view, ids)));
    }

    /**
     * Filtered on {@code executor} (the route's dispatcher): the lists complete on the thread of the actor that answered
     * last, which must not wait while a filter runs.
     */
    private CompletionStage<HttpResponse> list(Map<String, String> query, Executor executor) {
        boolean all = flag(query, "all");
        ContainerFilter parsed = ContainerFilter.parse(Optional.ofNullable(query.get("filters")));
        int limit = limit(query.get("limit"));
        return parsed.resolved(engine::inspect).thenCompose(filter -> engine.list().thenCombineAsync(netwharf.listNetworks(), (views, networks) -> {
            Instant now = Instant.now();
            Map<String, String> ids = networkIds(networks);
            ArrayNode json = NODES.arrayNode();
            views.stream().filter(v -> all || v.runningOrRestarting() || filter.asksForStatus())
                    .filter(v -> filter.matches(v, networks))
                    .limit(limit > 0 ? limit : Long.MAX_VALUE)
                    .forEach(v -> json.add(ContainerJson.summary(v, ids, now)));
            return DockerJson.response(StatusCodes.OK, json);
        }, executor));
    }

    /** Removes the containers that are not running (filters {@code label}, {@code label!}, {@code until}). */
    private CompletionStage<HttpResponse> prune(Map<String, String> query) {
        DockerFilters filters = DockerFilters.parse(Optional.ofNullable(query.get("filters")), PRUNE_FILTERS);
        List<Instant> until = filters.get("until").stream().map(DockerTime::until).toList();
        return engine.list().thenCompose(views -> {
            List<CompletableFuture<String>> removed = views.stream()
                    .filter(v -> !v.runningOrRestarting()
                            && filters.matchesLabels("label", v.config().labels())
                            && filters.matchesLabels("label!", v.config().labels())
                            && until.stream().allMatch(u -> v.config().created().isBefore(u)))
                    // One started meanwhile is refused and stays, as in Docker.
                    .map(v -> engine.remove(v.id(), false).thenApply(done -> v.id()).exceptionally(f -> null).toCompletableFuture())
                    .toList();
            return CompletableFuture.allOf(removed.toArray(CompletableFuture[]::new)).thenApply(v -> {
                ArrayNode ids = NODES.arrayNode();
                removed.stream().map(CompletableFuture::join).filter(id -> id != null).forEach(ids::add);
                return DockerJson.response(StatusCodes.OK, NODES.objectNode().<ObjectNode>set("ContainersDeleted", ids).put("SpaceReclaimed", 0));
            });
        });
    }

    private CompletionStage<Map<String, String>> networkIds() {
        return netwharf.listNetworks().thenApply(this::networkIds);
    }

    private Map<String, String> networkIds(List<NetworkInfo> networks) {
        Map<String, String> ids = new HashMap<>();
        networks.forEach(n -> ids.put(n.name(), n.id()));
        return ids;
    }

    /**
     * The answer to a wait: its headers at once and its body when the container exits, as Docker does. The docker
     * CLI waits for the headers before it starts the container ({@code docker run -d}).
     */
    private static HttpResponse waitResponse(CompletionStage<Integer> exit) {
        Source<ByteString, ?> body = Source.completionStage(exit.thenApply(code ->
                ByteString.fromArray(DockerJson.bytes(NODES.objectNode().put("StatusCode", code).putNull("Error")))));
        return HttpResponse.create().withStatus(StatusCodes.OK).withEntity(HttpEntities.createChunked(ContentTypes.APPLICATION_JSON, body));
    }

    /** 204 when the state changed, 304 when the container already was where it was asked to go, as Docker. */
    private static HttpResponse changed(boolean changed) {
        return HttpResponse.create().withStatus(changed ? StatusCodes.NO_CONTENT : StatusCodes.NOT_MODIFIED);
    }

    private static HttpResponse noContent() {
        return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
    }

    /** {@code t} of a stop or restart, else the container's stop timeout, else Docker's 10 seconds. */
    private static Duration grace(Map<String, String> query, ContainerConfig config) {
        String t = query.get("t");
        if (t == null || t.isEmpty()) {
            return config.stopTimeout() == null ? ContainerEngine.DEFAULT_STOP_TIMEOUT : seconds(config.stopTimeout());
        }
        try {
            return seconds(Integer.parseInt(t));
        } catch (NumberFormatException e) {
            throw NetwharfException.badParameter("invalid stop timeout t=" + t + ": not a number of seconds");
        }
    }

    private static Duration seconds(int seconds) {
        // Docker: a negative timeout waits for ever; a day is for ever enough here.
        return seconds < 0 ? Duration.ofDays(1) : Duration.ofSeconds(seconds);
    }

    /** {@code limit} of a list; a word is the client's mistake (400), not a fault of ours. */
    private static int limit(String limit) {
        if (limit == null || limit.isEmpty()) {
            return -1;
        }
        try {
            return Integer.parseInt(limit);
        } catch (NumberFormatException e) {
            throw NetwharfException.badParameter("invalid limit " + limit + ": not a number");
        }
    }

    private static WaitCondition condition(Map<String, String> query) {
        String condition = Optional.ofNullable(query.get("condition")).orElse("not-running");
        return switch (condition) {
            case "", "not-running" -> WaitCondition.NOT_RUNNING;
            case "next-exit" -> WaitCondition.NEXT_EXIT;
            case "removed" -> WaitCondition.REMOVED;
            default -> throw NetwharfException.badParameter("invalid condition: " + condition
                    + " (expected not-running, next-exit or removed)");
        };
    }

    static boolean flag(Map<String, String> query, String name) {
        String value = query.get(name);
        return value != null && (value.equals("1") || value.equalsIgnoreCase("true"));
    }

    /** Runs {@code answer}, turning a refusal thrown before or after it started into Docker's error response. */
    static Route answer(Supplier<CompletionStage<HttpResponse>> answer) {
        CompletionStage<HttpResponse> response;
        try {
            response = answer.get();
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        }
        return completeWithFuture(response.exceptionally(DockerErrors::response));
    }
}
