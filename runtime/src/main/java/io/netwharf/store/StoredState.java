package io.netwharf.store;

import java.util.List;
import java.util.Map;

/** Everything a store holds, as read at start. */
public record StoredState(List<StoredNetwork> networks, List<StoredSandbox> sandboxes, List<StoredEndpoint> endpoints,
                          List<StoredContainer> containers, Map<String, String> settings) {
    public StoredState {
        networks = List.copyOf(networks);
        sandboxes = List.copyOf(sandboxes);
        endpoints = List.copyOf(endpoints);
        containers = List.copyOf(containers);
        settings = Map.copyOf(settings);
    }
}
