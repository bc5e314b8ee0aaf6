package io.netwharf.container;

import io.netwharf.protocol.model.PortBinding;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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

    /**
     * What the runtime is to publish: the bindings, and with {@code -P} every exposed port without one, on a host
     * port of the runtime's choosing (Docker's rule).
     */
    public List<PortBinding> published() {
        if (!publishAll) {
            return bindings;
        }
        List<PortBinding> published = new ArrayList<>(bindings);
        Set<String> bound = new HashSet<>();
        bindings.forEach(b -> bound.add(b.containerKey()));
        for (String key : exposed) {
            if (!bound.contains(key)) {
                int slash = key.indexOf('/');
                published.add(new PortBinding("", 0, Integer.parseInt(key.substring(0, slash)), key.substring(slash + 1)));
            }
        }
        return published;
    }
}
