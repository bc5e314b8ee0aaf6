package io.netwharf.store;

import java.util.List;
import java.util.Map;

/** Everything a store holds, as read at start. */
public record StoredState(List<StoredNetwork> networks, List<StoredSandbox> sandboxes, List<StoredEndpoint> endpoints,
                          List<StoredContainer> containers, List<StoredImage> images, Map<String, String> settings) {
    public StoredState {
        images = List.copyOf(images);
        networks = List.copyOf(networks);
        sandboxes = List.copyOf(sandboxes);
        endpoints = List.copyOf(endpoints);
        containers = List.copyOf(containers);
        settings = Map.copyOf(settings);
    }

    /** A state with no images (stores and tests that keep none). */
    public StoredState(List<StoredNetwork> networks, List<StoredSandbox> sandboxes, List<StoredEndpoint> endpoints,
                       List<StoredContainer> containers, Map<String, String> settings) {
        this(networks, sandboxes, endpoints, containers, List.of(), settings);
    }
}
