package io.netwharf.container;

import io.netwharf.protocol.model.PortBinding;

import java.util.List;

/**
 * The ports a container exposes and publishes.
 *
 * @param exposed    {@code ExposedPorts} ({@code EXPOSE}, {@code --expose}), as Docker's keys {@code 80/tcp}
 * @param bindings   {@code HostConfig.PortBindings} ({@code -p}), a range written out port by port
 * @param publishAll {@code -P}: every exposed port without a binding is published on a host port the runtime chooses
 */
public record PortSettings(List<String> exposed, List<PortBinding> bindings, boolean publishAll) {
    public static final PortSettings NONE = new PortSettings(List.of(), List.of(), false);

    public PortSettings {
        exposed = exposed == null ? List.of() : List.copyOf(exposed);
        bindings = bindings == null ? List.of() : List.copyOf(bindings);
    }
}
