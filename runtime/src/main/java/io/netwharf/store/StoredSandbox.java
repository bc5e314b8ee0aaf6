package io.netwharf.store;

import io.netwharf.protocol.model.PortBinding;

import java.util.List;

/**
 * A container's network side as the runtime keeps it: its namespace (bind-mounted under the exec root, named after
 * the short id) when it has one of its own.
 *
 * @param label      the container's name, for logs
 * @param mode       the network mode's text ({@code bridge}, {@code none}, {@code host}, {@code container:<id>}, a network)
 * @param sharesWith for {@code container:} mode, the full id of the container whose namespace it joined; else null
 * @param phase      {@link Phase#INTENT} until the namespace and its endpoints are made
 * @param dnsServers the upstream servers its embedded DNS forwards to ({@code --dns}); empty: the host's
 * @param ports      its published ports, with the host ports they got, forwarded to its address on its first network
 */
public record StoredSandbox(String containerId, String label, String mode, String sharesWith, Phase phase, List<String> dnsServers,
                            List<PortBinding> ports) {
    public StoredSandbox {
        dnsServers = dnsServers == null ? List.of() : List.copyOf(dnsServers);
        ports = ports == null ? List.of() : List.copyOf(ports);
    }

    public StoredSandbox(String containerId, String label, String mode, String sharesWith, Phase phase) {
        this(containerId, label, mode, sharesWith, phase, List.of(), List.of());
    }
}
