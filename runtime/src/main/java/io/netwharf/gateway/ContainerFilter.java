package io.netwharf.gateway;

import io.netwharf.container.ContainerView;
import io.netwharf.protocol.model.NetworkInfo;

import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code filters} of {@code GET /containers/json}: {@code name} (a regular expression, as Docker), {@code id}
 * (prefix), {@code status}, {@code network} (name or id) and {@code label} ({@code key} or {@code key=value}).
 * Values of one filter are alternatives (labels must all match); different filters must all match.
 */
final class ContainerFilter {
    private static final Set<String> KNOWN = Set.of("name", "id", "status", "network", "label");
    private static final Set<String> STATUSES = Set.of("created", "restarting", "running", "removing", "paused", "exited", "dead");

    private final DockerFilters filters;

    private ContainerFilter(DockerFilters filters) {
        this.filters = filters;
    }

    static ContainerFilter parse(Optional<String> json) {
        DockerFilters filters = DockerFilters.parse(json, KNOWN);
        for (String status : filters.get("status")) {
            if (!STATUSES.contains(status)) {
                throw DockerApiException.badRequest("invalid filter 'status=" + status + "'");
            }
        }
        for (String name : filters.get("name")) {
            try {
                Pattern.compile(name);
            } catch (PatternSyntaxException e) {
                throw DockerApiException.badRequest("invalid filter 'name=" + name + "': " + e.getDescription());
            }
        }
        return new ContainerFilter(filters);
    }

    /** A status filter lists stopped containers without {@code all}, as Docker's does. */
    boolean asksForStatus() {
        return filters.has("status");
    }

    boolean matches(ContainerView c, Collection<NetworkInfo> networks) {
        return filters.matchesAny("name", f -> Pattern.compile(f).matcher(c.name()).find())
                && filters.matchesAny("id", f -> c.id().startsWith(f))
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
