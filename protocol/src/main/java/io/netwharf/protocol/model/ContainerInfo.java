package io.netwharf.protocol.model;

import java.util.List;
import java.util.Map;

/**
 * A container's network state.
 *
 * @param sandboxKey the path of its network namespace (for {@code container:} mode, the owner's; for {@code host},
 *                   the host's)
 * @param sharesWith for {@code container:} mode, the id of the container whose namespace it joins; else null
 * @param endpoints  keyed by network name, in the order they were connected
 * @param ports      the ports published for it, each with the host port it got
 */
public record ContainerInfo(String id, String name, String networkMode, String sandboxKey, String sharesWith,
                            Map<String, EndpointInfo> endpoints, List<PortBinding> ports) {
    public ContainerInfo {
        ports = ports == null ? List.of() : List.copyOf(ports);
    }

    public ContainerInfo(String id, String name, String networkMode, String sandboxKey, String sharesWith,
                         Map<String, EndpointInfo> endpoints) {
        this(id, name, networkMode, sandboxKey, sharesWith, endpoints, List.of());
    }
}
