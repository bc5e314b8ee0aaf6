package io.netwharf.container;

import io.netwharf.protocol.model.EndpointSpec;
import io.netwharf.protocol.model.NetworkMode;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
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
 * @param workingDir  the process's working directory, absolute; null: {@code /}
 * @param user        whom the process runs as (looked up at each start); null or empty: root
 * @param groupAdd    groups added to the process's supplementary groups
 * @param kept        settings kept for inspect only, as JSON text by their API path (see {@link ContainerRequest})
 * @param stopSignal  the signal a stop or restart sends unless the request names one
 * @param stopTimeout seconds a stop or restart waits before SIGKILL unless the request says; null: Docker's 10
 * @param autoRemove  removed once its process exits or it is stopped ({@code docker run --rm})
 * @param restartPolicy when its process is started again after it exits ({@code --restart})
 * @param names       its host name, DNS settings and extra hosts entries
 * @param ports       the ports it exposes and publishes
 * @param stdin       whether its process gets a stdin to write to ({@code -i})
 */
public record ContainerConfig(String id, String name, String image, List<String> cmd, List<String> env, String workingDir,
                              String user, List<String> groupAdd, NetworkMode networkMode, Map<String, EndpointSpec> networks,
                              Map<String, String> labels, Map<String, String> kept, int stopSignal, Integer stopTimeout,
                              boolean autoRemove, RestartPolicy restartPolicy, Instant created, NameSettings names,
                              PortSettings ports, StdinSettings stdin) {
    public ContainerConfig {
        stdin = stdin == null ? StdinSettings.CLOSED : stdin;
        restartPolicy = restartPolicy == null ? RestartPolicy.NO : restartPolicy;
        names = names == null ? NameSettings.DEFAULT : names;
        ports = ports == null ? PortSettings.NONE : ports;
        cmd = List.copyOf(cmd);
        env = List.copyOf(env);
        groupAdd = List.copyOf(groupAdd);
        networks = Collections.unmodifiableMap(new LinkedHashMap<>(networks));
        labels = Map.copyOf(labels);
        kept = Map.copyOf(kept);
    }

    /** {@code bridge} or a network: the container has a namespace of its own with endpoints on networks. */
    public boolean joinsNetworks() {
        return networkMode.joinsNetworks();
    }

    public ContainerConfig withNetworks(Map<String, EndpointSpec> networks) {
        return new ContainerConfig(id, name, image, cmd, env, workingDir, user, groupAdd, networkMode, networks, labels, kept,
                stopSignal, stopTimeout, autoRemove, restartPolicy, created, names, ports, stdin);
    }

    public ContainerConfig withNetworkMode(NetworkMode networkMode) {
        return new ContainerConfig(id, name, image, cmd, env, workingDir, user, groupAdd, networkMode, networks, labels, kept,
                stopSignal, stopTimeout, autoRemove, restartPolicy, created, names, ports, stdin);
    }

    public ContainerConfig withName(String name) {
        return new ContainerConfig(id, name, image, cmd, env, workingDir, user, groupAdd, networkMode, networks, labels, kept,
                stopSignal, stopTimeout, autoRemove, restartPolicy, created, names, ports, stdin);
    }

    public Path workingDirectory() {
        return Path.of(workingDir == null || workingDir.isEmpty() ? "/" : workingDir);
    }

    /** Whether the process runs as someone else than the daemon's own root (a user or added groups were asked). */
    public boolean asksForUser() {
        return (user != null && !user.isEmpty()) || !groupAdd.isEmpty();
    }
}
