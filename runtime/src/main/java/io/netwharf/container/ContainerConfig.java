package io.netwharf.container;

import io.netwharf.protocol.model.EndpointSpec;
import io.netwharf.protocol.model.NetworkMode;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a container is asked to be, kept from its creation until its removal: the network side (mode and networks,
 * applied at each start) and the optional process to run inside its namespace. The image is recorded, never pulled:
 * the process runs on the host's filesystem.
 *
 * @param networkMode as asked; {@code container:} mode keeps the reference given (a name, id or prefix), resolved
 *                    at each start
 * @param networks    for bridge-style modes, the networks joined at start, the mode's own first, each with its
 *                    static address and aliases; empty for the other modes
 * @param cmd         the process to run; empty: none, the container is its network namespace alone
 * @param workingDir  the process's working directory; null: {@code /}
 * @param autoRemove  removed once its process exits or it is stopped ({@code docker run --rm})
 */
public record ContainerConfig(String id, String name, String image, List<String> cmd, List<String> env, String workingDir,
                              NetworkMode networkMode, Map<String, EndpointSpec> networks, Map<String, String> labels,
                              boolean autoRemove, Instant created) {
    public ContainerConfig {
        cmd = List.copyOf(cmd);
        env = List.copyOf(env);
        networks = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(networks));
        labels = Map.copyOf(labels);
    }

    /** {@code bridge} or a network: the container has a namespace of its own with endpoints on networks. */
    public boolean joinsNetworks() {
        return networkMode.joinsNetworks();
    }

    public ContainerConfig withNetworks(Map<String, EndpointSpec> networks) {
        return new ContainerConfig(id, name, image, cmd, env, workingDir, networkMode, networks, labels, autoRemove, created);
    }

    public Path workingDirectory() {
        return Path.of(workingDir == null || workingDir.isEmpty() ? "/" : workingDir);
    }
}
