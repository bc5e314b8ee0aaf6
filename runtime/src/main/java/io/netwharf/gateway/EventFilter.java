package io.netwharf.gateway;

import io.netwharf.container.ImageReference;
import io.netwharf.protocol.model.Event;

import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The {@code filters} of {@code GET /events}, matched as moby's events filter does ({@code daemon/events/filter.go}):
 * {@code type}, {@code event} and {@code scope} exactly; {@code container}, {@code network} and the other object kinds
 * by the event's id or {@code name} attribute, whole or as a prefix (whatever the event's type, as Docker: a
 * {@code container} filter leaves out the events of networks, whose name is the network's); {@code image} by the
 * image's id or name, with or without its tag ({@code image} attribute of a container's events); {@code label} by the
 * attributes. Several values of one key: any; several keys: all. A key Docker does not know is refused.
 */
final class EventFilter implements Predicate<Event> {
    /** Docker's keys; netwharf has no volumes, plugins, nodes, services, secrets or configs, so those match no event of theirs. */
    static final Set<String> KEYS = Set.of("config", "container", "daemon", "event", "image", "label", "network", "node", "plugin",
            "scope", "secret", "service", "type", "volume");
    private static final Set<String> OBJECTS = Set.of("config", "container", "daemon", "network", "node", "plugin", "secret", "service",
            "volume");
    /** moby matches these event values as prefixes: Docker's actions carry the command after them ({@code exec_start: sh}). */
    private static final Set<String> PREFIX_ACTIONS = Set.of("health_status", "exec_create", "exec_start");

    private final DockerFilters filters;

    private EventFilter(DockerFilters filters) {
        this.filters = filters;
    }

    static EventFilter parse(Optional<String> json) {
        return new EventFilter(DockerFilters.parse(json, KEYS));
    }

    @Override
    public boolean test(Event event) {
        return matchesAction(event.action())
                && filters.matchesExactly("type", event.type().text())
                && filters.matchesExactly("scope", "local")
                && OBJECTS.stream().allMatch(key -> byIdOrName(key, event))
                && matchesImage(event)
                && filters.matchesLabels("label", event.attributes());
    }

    private boolean matchesAction(String action) {
        if (filters.get("event").stream().anyMatch(PREFIX_ACTIONS::contains)) {
            return fuzzy("event", action);
        }
        return filters.matchesExactly("event", action);
    }

    private boolean byIdOrName(String key, Event event) {
        return fuzzy(key, event.actorId()) || fuzzy(key, event.attributes().getOrDefault("name", ""));
    }

    /** Docker's {@code FuzzyMatch}: no value given, or one that equals {@code source} or begins it. */
    private boolean fuzzy(String key, String source) {
        return filters.matchesAny(key, source::startsWith);
    }

    /** The image's id or name ({@code image} of a container's event), as given or without its tag. */
    private boolean matchesImage(Event event) {
        if (!filters.has("image")) {
            return true;
        }
        String name = event.attributes().getOrDefault(event.type() == Event.Type.IMAGE ? "name" : "image", "");
        return Stream.of(event.actorId(), name, untagged(event.actorId()), untagged(name))
                .anyMatch(candidate -> filters.get("image").contains(candidate));
    }

    /** moby's {@code stripTag}: the familiar repository name, or the text itself when it is not a reference. */
    private static String untagged(String image) {
        return ImageReference.of(image).map(ImageReference::repository).orElse(image);
    }
}
