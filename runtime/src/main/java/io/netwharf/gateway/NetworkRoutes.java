package io.netwharf.gateway;

import io.netwharf.Netwharf;
import io.netwharf.container.ContainerEngine;
import io.netwharf.protocol.model.EndpointSpec;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.protocol.model.NetworkMode;
import io.netwharf.protocol.model.Resolver;
import io.netwharf.protocol.model.NetworkSpec;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.delete;
import static org.apache.pekko.http.javadsl.server.Directives.extractExecutionContext;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.parameterOptional;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEndOrSingleSlash;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;

/**
 * {@code /networks}: list, inspect, create, remove, connect, disconnect and prune, over the runtime's networks, the
 * predefined {@code bridge}, {@code host} and {@code none} among them, which are refused changes with Docker's
 * messages.
 */
final class NetworkRoutes {
    private static final Set<String> LIST_FILTERS = Set.of("name", "id", "driver", "label", "type", "scope", "dangling");
    private static final Set<String> PRUNE_FILTERS = Set.of("label", "label!", "until");
    private static final Resolver<NetworkInfo> NETWORKS = Resolver.networks();

    private final Netwharf netwharf;
    private final ContainerEngine containers;
    NetworkRoutes(Netwharf netwharf, ContainerEngine containers) {
        this.netwharf = netwharf;
        this.containers = containers;
    }

    Route route() {
        return pathPrefix("networks", () -> concat(
                pathEndOrSingleSlash(() -> get(() -> parameterOptional("filters", this::list))),
                path("create", () -> post(() -> DockerJson.entity(NetworkJson.CreateRequest.class, this::create))),
                path("prune", () -> post(() -> parameterOptional("filters", this::prune))),
                pathPrefix(PathMatchers.segment(), reference -> concat(
                        pathEndOrSingleSlash(() -> concat(
                                get(() -> inspect(reference)),
                                delete(() -> remove(reference)))),
                        path("connect", () -> post(() -> DockerJson.entity(NetworkJson.ConnectRequest.class,
                                request -> connect(reference, request)))),
                        path("disconnect", () -> post(() -> DockerJson.entity(NetworkJson.DisconnectRequest.class,
                                request -> disconnect(reference, request))))))));
    }

    // ---- reading ------------------------------------------------------------------------------------------------

    private Route list(Optional<String> filtersParam) {
        // name and id are regular expressions in Docker (Args.Match), as for containers.
        DockerFilters filters = DockerFilters.parse(filtersParam, LIST_FILTERS).withRegex("name", "id");
        for (String type : filters.get("type")) {
            if (!type.equals("custom") && !type.equals("builtin")) {
                throw DockerApiException.badRequest("invalid filter: 'type'='" + type + "'");
            }
        }
        for (String dangling : filters.get("dangling")) {
            if (!Set.of("true", "false", "1", "0").contains(dangling)) {
                throw DockerApiException.badRequest("invalid filter 'dangling=" + dangling + "'");
            }
        }
        // Filtered on the route's dispatcher, never on the thread of the actor whose answer completed the list.
        return extractExecutionContext(executor -> onSuccess(all().thenComposeAsync(networks -> {
            List<NetworkInfo> matching = networks.stream().filter(n -> matches(filters, n)).toList();
            if (!filters.has("dangling")) {
                return CompletableFuture.completedFuture(matching.stream().map(n -> listed(n)).toList());
            }
            boolean wanted = filters.get("dangling").contains("true") || filters.get("dangling").contains("1");
            return withContainers(matching).thenApply(inspected -> inspected.entrySet().stream()
                    .filter(e -> wanted ? !isPredefined(e.getKey()) && e.getValue().isEmpty()
                            : isPredefined(e.getKey()) || !e.getValue().isEmpty())
                    .map(e -> listed(e.getKey())).toList());
        }, executor), body -> DockerJson.complete(StatusCodes.OK, body)));
    }

    private Map<String, Object> listed(NetworkInfo n) {
        return NetworkJson.network(n, Map.of());
    }

    private boolean matches(DockerFilters f, NetworkInfo n) {
        return f.matches("name", n.name())
                && f.matches("id", n.id())
                && f.matchesExactly("driver", n.driver())
                && f.matchesLabels("label", n.labels())
                && f.matchesAny("type", t -> t.equals("builtin") == isPredefined(n))
                && f.matchesExactly("scope", NetworkJson.scopeOf(n.driver()));
    }

    private Route inspect(String reference) {
        // verbose and scope are accepted and change nothing: there is no swarm.
        return onSuccess(resolve(reference).thenCompose(n -> withContainers(List.of(n))), inspected -> {
            Map.Entry<NetworkInfo, Map<String, Object>> e = inspected.entrySet().iterator().next();
            return DockerJson.complete(StatusCodes.OK, NetworkJson.network(e.getKey(), e.getValue()));
        });
    }

    /** Every network, in Docker's order (the runtime's): bridge, host, none, then user networks. */
    private CompletionStage<List<NetworkInfo>> all() {
        return netwharf.listNetworks();
    }

    /** By full id, then name, then unique id prefix: the shared resolver, as the runtime and the engine resolve. */
    private CompletionStage<NetworkInfo> resolve(String reference) {
        return all().thenApply(networks -> NETWORKS.resolve(reference, networks, NetworkInfo::id, NetworkInfo::name));
    }

    /** Each network with its {@code Containers} entries, in the given order. */
    private CompletionStage<Map<NetworkInfo, Map<String, Object>>> withContainers(List<NetworkInfo> networks) {
        return netwharf.listContainers().thenCompose(all -> {
            Map<String, String> names = new TreeMap<>();
            all.forEach(c -> names.put(c.id(), c.name()));
            CompletableFuture<Map<NetworkInfo, Map<String, Object>>> result = CompletableFuture.completedFuture(new LinkedHashMap<>());
            for (NetworkInfo n : networks) {
                result = result.thenCompose(map -> containersOf(n, names).thenApply(c -> {
                    map.put(n, c);
                    return map;
                }));
            }
            return result;
        });
    }

    private CompletionStage<Map<String, Object>> containersOf(NetworkInfo n, Map<String, String> names) {
        return netwharf.inspectNetwork(n.id()).thenApply(inspected -> {
            Map<String, Object> entries = new TreeMap<>();
            inspected.endpoints().forEach((id, e) -> entries.put(id, NetworkJson.endpoint(names.getOrDefault(id, ""), e)));
            return entries;
        });
    }

    private static boolean isPredefined(NetworkInfo n) {
        return n.isDefault();
    }

    // ---- changing -----------------------------------------------------------------------------------------------

    private Route create(NetworkJson.CreateRequest request) {
        NetworkSpec spec = NetworkCreation.spec(request);
        return onSuccess(netwharf.createNetwork(spec), created -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("Id", created.id());
            body.put("Warning", "");
            return DockerJson.complete(StatusCodes.CREATED, body);
        });
    }

    private Route remove(String reference) {
        return onSuccess(resolve(reference).thenCompose(n -> {
            if (isPredefined(n)) {
                throw NetwharfException.forbidden(n.name() + " is a pre-defined network and cannot be removed");
            }
            return netwharf.removeNetwork(n.id());
        }), done -> complete(HttpResponse.create().withStatus(StatusCodes.NO_CONTENT)));
    }

    private Route connect(String reference, NetworkJson.ConnectRequest request) {
        EndpointSpec spec = request.endpointConfig() == null ? EndpointSpec.DYNAMIC : request.endpointConfig().spec();
        String container = request.container() == null ? "" : request.container();
        return changed(resolve(reference).thenCompose(n -> {
            // host and none take no endpoints.
            NetwharfException refusal = isPredefined(n) ? NetworkMode.parse(n.name()).joinRefusal() : null;
            if (refusal != null) {
                throw refusal;
            }
            return containers.connect(container, n.name(), spec);
        }));
    }

    private Route disconnect(String reference, NetworkJson.DisconnectRequest request) {
        String container = request.container() == null ? "" : request.container();
        // Force matters to Docker for unreachable swarm peers only; a local disconnect is the same either way.
        return changed(resolve(reference).thenCompose(n -> {
            if (n.driver().equals("host") || n.driver().equals("null")) {
                throw NetwharfException.badParameter("container cannot be disconnected from " + n.name() + " network");
            }
            return containers.disconnect(container, n.name());
        }));
    }

    /** 200 with an empty body, as Docker answers connect and disconnect. */
    private static Route changed(CompletionStage<?> change) {
        return onSuccess(change, done -> complete(HttpResponse.create().withStatus(StatusCodes.OK)));
    }

    private Route prune(Optional<String> filtersParam) {
        DockerFilters filters = DockerFilters.parse(filtersParam, PRUNE_FILTERS);
        List<Instant> until = filters.get("until").stream().map(DockerTime::until).toList();
        CompletionStage<List<String>> pruned = all().thenCompose(networks -> withContainers(networks.stream()
                .filter(n -> !isPredefined(n)
                        && filters.matchesLabels("label", n.labels())
                        && filters.matchesLabels("label!", n.labels())
                        && until.stream().allMatch(u -> n.created().isBefore(u)))
                .toList()))
                .thenCompose(inspected -> {
                    List<String> removed = new ArrayList<>();
                    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
                    for (Map.Entry<NetworkInfo, Map<String, Object>> e : inspected.entrySet()) {
                        if (!e.getValue().isEmpty()) {
                            continue;
                        }
                        NetworkInfo n = e.getKey();
                        // One at a time; a network that gained an endpoint meanwhile stays, as in Docker.
                        chain = chain.thenCompose(v -> netwharf.removeNetwork(n.id()).handle((done, failure) -> {
                            if (failure == null) {
                                removed.add(n.name());
                            }
                            return null;
                        }));
                    }
                    return chain.thenApply(v -> removed);
                });
        return onSuccess(pruned, names -> DockerJson.complete(StatusCodes.OK, Map.of("NetworksDeleted", names)));
    }

}
