package io.netwharf.gateway;

import io.netwharf.container.ContainerView;
import io.netwharf.container.ImageReference;
import io.netwharf.protocol.model.NetworkInfo;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code filters} of {@code GET /containers/json}: {@code name} and {@code id} (the value itself or a regular
 * expression found in it, as Docker; the name with its leading {@code /}, as Docker stores it, so {@code ^/web$}
 * is one container), {@code status}, {@code network} (name or id) and {@code label} ({@code key} or
 * {@code key=value}), {@code publish} and {@code expose} (a port or a range of ports, with or without its protocol:
 * {@code 80}, {@code 8000-8080/udp}; matched, as Docker's, against the ports of {@code -p} and the exposed ones),
 * {@code ancestor} (an image's name or id, whole or a prefix: netwharf's images have no parents, so the containers made
 * from that image) and {@code before} / {@code since} (a container: those created before or after it). Values of
 * one filter are alternatives (labels must all match); different filters must all match.
 */
final class ContainerFilter {
    private static final Set<String> KNOWN = Set.of("name", "id", "status", "network", "label", "publish", "expose", "ancestor",
            "before", "since");
    private static final Pattern RANGE = Pattern.compile("(\\d{1,5})(?:-(\\d{1,5}))?");
    private static final Pattern ID_PREFIX = Pattern.compile("(sha256:)?[a-f0-9]{1,64}");
    private static final Set<String> STATUSES = Set.of("created", "restarting", "running", "removing", "paused", "exited", "dead");

    private final DockerFilters filters;
    /** The ports asked by {@code publish} and by {@code expose}, as Docker's keys ({@code 80/tcp}). */
    private final Set<String> published;
    private final Set<String> exposed;
    /** The containers {@code before} and {@code since} name, once resolved. */
    private final List<ContainerView> before;
    private final List<ContainerView> since;

    private ContainerFilter(DockerFilters filters, List<ContainerView> before, List<ContainerView> since) {
        this.filters = filters;
        this.published = ports(filters, "publish");
        this.exposed = ports(filters, "expose");
        this.before = before;
        this.since = since;
    }

    /** The filters as given; {@link #resolved} finds the containers of {@code before} and {@code since}. */
    static ContainerFilter parse(Optional<String> json) {
        DockerFilters filters = DockerFilters.parse(json, KNOWN).withRegex("name", "id");
        for (String status : filters.get("status")) {
            if (!STATUSES.contains(status)) {
                throw DockerApiException.badRequest("invalid filter 'status=" + status + "'");
            }
        }
        return new ContainerFilter(filters, List.of(), List.of());
    }

    /**
     * With the containers of {@code before} and {@code since} found by {@code find} (the engine's one resolver: an
     * unknown one fails with its "No such container", as Docker's list does).
     */
    CompletionStage<ContainerFilter> resolved(Function<String, CompletionStage<ContainerView>> find) {
        CompletableFuture<List<ContainerView>> beforeViews = all(filters.get("before"), find);
        CompletableFuture<List<ContainerView>> sinceViews = all(filters.get("since"), find);
        return beforeViews.thenCombine(sinceViews, (b, s) -> new ContainerFilter(filters, b, s));
    }

    private static CompletableFuture<List<ContainerView>> all(Collection<String> references,
                                                              Function<String, CompletionStage<ContainerView>> find) {
        List<CompletableFuture<ContainerView>> found = references.stream().map(r -> find.apply(r).toCompletableFuture()).toList();
        return CompletableFuture.allOf(found.toArray(CompletableFuture[]::new))
                .thenApply(v -> found.stream().map(CompletableFuture::join).toList());
    }

    /** Docker's {@code portOp}: each value a port or a range, the protocol tcp when not given. */
    private static Set<String> ports(DockerFilters filters, String key) {
        Set<String> ports = new HashSet<>();
        for (String value : filters.get(key)) {
            if (value.contains(":")) {
                throw DockerApiException.badRequest("filter for '" + key + "' should not contain ':': " + value);
            }
            int slash = value.indexOf('/');
            String range = slash < 0 ? value : value.substring(0, slash);
            String protocol = slash < 0 || slash == value.length() - 1 ? "tcp" : value.substring(slash + 1);
            Matcher m = RANGE.matcher(range);
            int start = m.matches() ? Integer.parseInt(m.group(1)) : -1;
            int end = m.matches() && m.group(2) != null ? Integer.parseInt(m.group(2)) : start;
            if (start < 0 || end > 65535 || end < start) {
                throw DockerApiException.badRequest("error while looking up for " + key + " " + value + ": invalid port range " + range);
            }
            for (int port = start; port <= end; port++) {
                ports.add(port + "/" + protocol);
            }
        }
        return ports;
    }

    /** A status filter lists stopped containers without {@code all}, as Docker's does. */
    boolean asksForStatus() {
        return filters.has("status");
    }

    boolean matches(ContainerView c, Collection<NetworkInfo> networks) {
        return filters.matches("name", "/" + c.name())
                && filters.matches("id", c.id())
                && filters.matchesExactly("status", c.status().dockerName())
                && filters.matchesLabels("label", c.config().labels())
                && filters.matchesAny("network", f -> onNetwork(c, f, networks))
                && (published.isEmpty() || c.config().ports().bindings().stream().anyMatch(b -> published.contains(b.containerKey())))
                && (exposed.isEmpty() || c.config().ports().exposed().stream().anyMatch(exposed::contains))
                && filters.matchesAny("ancestor", image -> fromImage(c, image))
                && before.stream().allMatch(b -> c.config().created().isBefore(b.config().created()))
                && since.stream().allMatch(s -> c.config().created().isAfter(s.config().created()));
    }

    /**
     * Made from the image {@code image} names: by name (normalised as Docker's, so {@code debian} is
     * {@code debian:latest}), or by id, whole or a prefix, with or without {@code sha256:}.
     */
    private static boolean fromImage(ContainerView c, String image) {
        String id = ContainerJson.imageId(c.config().image());
        if (id.isEmpty()) {
            return false;
        }
        Optional<String> named = ImageReference.of(image).map(ImageReference::id);
        if (named.isPresent() && named.get().equals(id)) {
            return true;
        }
        return ID_PREFIX.matcher(image).matches() && id.startsWith(image.startsWith("sha256:") ? image : "sha256:" + image);
    }

    /** On the network while running (its endpoints), or configured for it while not. */
    private static boolean onNetwork(ContainerView c, String filter, Collection<NetworkInfo> networks) {
        String name = networks.stream().filter(n -> n.name().equals(filter) || n.id().equals(filter)).map(NetworkInfo::name)
                .findFirst().orElse(filter);
        if (c.network() != null) {
            return c.network().endpoints().containsKey(name) || c.config().networkMode().text().equals(name);
        }
        return c.config().networks().containsKey(name) || c.config().networkMode().text().equals(name);
    }
}
