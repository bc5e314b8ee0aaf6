package io.netwharf.container;

import io.netwharf.protocol.model.EndpointSpec;

import java.util.List;
import java.util.Map;

/**
 * What a client asks for when it creates a container ({@code POST /containers/create}); the engine adds the id and
 * the creation time to make its {@link ContainerConfig}.
 *
 * @param name        null or empty: the short id
 * @param image       the image's name, kept (the gateway asks for a pulled one; the engine takes any label)
 * @param user        {@code name}, {@code uid}, {@code name:group} or {@code uid:gid} to run the process as; null or
 *                    empty: root
 * @param groupAdd    groups (names or gids) added to the process's supplementary groups
 * @param networkMode {@code bridge} (or Docker's {@code default}), {@code none}, {@code host},
 *                    {@code container:<name or id>}, or a network's name or id
 * @param endpoints   per network: static address and aliases; other networks named here are joined too
 * @param kept        settings netwharf keeps for inspect without acting on them, as JSON text by their API path
 *                    ({@code Domainname}, {@code HostConfig.LogConfig})
 * @param stopSignal  the signal a stop sends unless the request names one ({@code --stop-signal}); null: SIGTERM
 * @param stopTimeout seconds a stop waits before SIGKILL unless the request says ({@code --stop-timeout}); null: 10
 * @param autoRemove  remove the container once its process exits or it is stopped ({@code docker run --rm})
 * @param restartPolicy when its process is started again ({@code --restart}); null: {@code no}
 * @param names       host name, DNS settings, extra hosts; null: the defaults
 * @param ports       exposed and published ports; null: none
 * @param stdin       whether the process gets a stdin to write to; null: /dev/null
 */
public record ContainerRequest(String name, String image, List<String> cmd, List<String> env, String workingDir,
                               String user, List<String> groupAdd, String networkMode, Map<String, EndpointSpec> endpoints,
                               Map<String, String> labels, Map<String, String> kept, String stopSignal, Integer stopTimeout,
                               boolean autoRemove, RestartPolicy restartPolicy, NameSettings names, PortSettings ports,
                               StdinSettings stdin) {
    public ContainerRequest {
        stdin = stdin == null ? StdinSettings.CLOSED : stdin;
        names = names == null ? NameSettings.DEFAULT : names;
        ports = ports == null ? PortSettings.NONE : ports;
        restartPolicy = restartPolicy == null ? RestartPolicy.NO : restartPolicy;
        cmd = cmd == null ? List.of() : List.copyOf(cmd);
        env = env == null ? List.of() : List.copyOf(env);
        groupAdd = groupAdd == null ? List.of() : List.copyOf(groupAdd);
        endpoints = endpoints == null ? Map.of() : endpoints;
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        kept = kept == null ? Map.of() : Map.copyOf(kept);
    }

    /** A container on {@code networkMode} running {@code cmd} (none: the namespace alone), with an image label only. */
    public static ContainerRequest of(String name, String networkMode, String... cmd) {
        return new ContainerRequest(name, "none", List.of(cmd), List.of(), null, null, List.of(), networkMode, Map.of(), Map.of(),
                Map.of(), null, null, false, RestartPolicy.NO, null, null, null);
    }

    public ContainerRequest withRestartPolicy(RestartPolicy policy) {
        return new ContainerRequest(name, image, cmd, env, workingDir, user, groupAdd, networkMode, endpoints, labels, kept, stopSignal,
                stopTimeout, autoRemove, policy, names, ports, stdin);
    }
}
