package io.netwharf.container;

import io.netwharf.protocol.model.Event;

import java.util.HashMap;
import java.util.Map;

/**
 * The container and image events the engine publishes, with the attributes Docker gives them (moby's
 * {@code LogContainerEventWithAttributes} and {@code LogImageEvent}).
 */
final class ContainerEvents {
    private ContainerEvents() {}

    /** The container's labels, {@code image} and {@code name}, then what the action adds ({@code exitCode}, {@code signal}...). */
    static Event container(ContainerConfig config, String action, Map<String, String> extra) {
        Map<String, String> attributes = new HashMap<>(config.labels());
        if (config.image() != null && !config.image().isEmpty()) {
            attributes.put("image", config.image());
        }
        attributes.put("name", config.name());
        attributes.putAll(extra);
        return Event.now(Event.Type.CONTAINER, action, config.id(), attributes);
    }

    static Event container(ContainerConfig config, String action) {
        return container(config, action, Map.of());
    }

    /** A pull: Docker names the image by its reference ({@code debian:latest}) and its repository ({@code debian}). */
    static Event pulled(ImageReference reference) {
        return Event.now(Event.Type.IMAGE, "pull", reference.familiar(), Map.of("name", reference.repository()));
    }

    /** An untag or a delete: by the image's id, as Docker names them. */
    static Event image(ImageInfo image, String action) {
        return Event.now(Event.Type.IMAGE, action, image.id(), Map.of("name", image.id()));
    }
}
