package io.netwharf.firewall;

import io.netwharf.protocol.model.PortBinding;

import java.util.List;
import java.util.Objects;

/**
 * One container's published ports as the firewall forwards them: traffic for a local address of the host on each
 * binding's host port goes to the container's {@code address} on its container port.
 *
 * @param container the container's id, for messages
 * @param address   the container's IPv4 address on the network its ports are published from
 * @param bindings  with their host ports chosen (never 0, no range)
 */
public record PortForwards(String container, String address, List<PortBinding> bindings) {
    public PortForwards {
        Objects.requireNonNull(container, "container");
        Objects.requireNonNull(address, "address");
        bindings = List.copyOf(bindings);
    }
}
