package io.netwharf.gateway;

import io.netwharf.container.ContainerView;
import io.netwharf.protocol.model.NetworkInfo;

import java.util.Collection;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code filters} of {@code GET /containers/json}: {@code name} and {@code id} (the value itself or a regular
 * expression found in it, as Docker; the name with its leading {@code /}, as Docker stores it, so {@code ^/web$}
 * is one container), {@code status}, {@code network} (name or id) and {@code label} ({@code key} or
 * {@code key=value}). Values of one filter are alternatives (labels must all match); different filters must all match.
 */
final class ContainerFilter {
    private static final Set<String> KNOWN = Set.of("name", "id", "status", "network", "label");
    private static final Set<String> STATUSES = Set.of("created", "restarting", "running", "removing", "paused", "exited", "dead");

    private final DockerFilters filters;

    private ContainerFilter(DockerFilters filters) {
        this.filters = filters;
    }

    static ContainerFilter parse(Optional<String> json) {
        DockerFilters filters = DockerFilters.parse(json, KNOWN).withRegex("name", "id");
        for (String status : filters.get("status")) {
            if (!STATUSES.contains(status)) {
                throw DockerApiException.badRequest("invalid filter 'status=" + status + "'");
            }
        }
        return new ContainerFilter(filters);
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
                && filters.matchesAny("network", f -> onNetwork(c, f, networks));
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
