package io.netwharf.network.host;

import io.netwharf.ipam.PoolBase;
import io.netwharf.ipam.Taken;
import io.netwharf.kernel.Netns;
import io.netwharf.network.NetworkDefinition;
import io.netwharf.network.NetworkDriver;
import io.netwharf.protocol.model.EndpointInfo;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.netlink.HardwareAddress;

import java.util.List;
import java.util.Map;

/**
 * Docker's {@code host} network (driver {@code host}) and, with {@code driver = "null"}, its {@code none} network:
 * networks that make nothing in the kernel and take no endpoints. A container in host mode uses the host's namespace
 * itself; one in none mode gets a namespace with loopback only, which its sandbox makes. The runtime lists and
 * inspects both like any network, with the containers in that mode.
 */
public class HostDriver implements NetworkDriver {
    private final String driver;

    public HostDriver() {
        this("host");
    }

    protected HostDriver(String driver) {
        this.driver = driver;
    }

    @Override
    public Created create(NetworkDefinition definition, List<Taken> taken, List<PoolBase> candidates) {
        return new Created(new NetworkInfo(definition.id(), definition.name(), driver, null, null, null, null, 0, false, false,
                false, true, Map.of(), Map.of(), definition.created(), Map.of()), null);
    }

    @Override
    public void attach(EndpointInfo endpoint, String peerName, HardwareAddress mac, Netns sandbox) {
        throw NetwharfException.forbidden("the " + driver + " network takes no endpoints");
    }

    @Override
    public void enable(EndpointInfo endpoint) {
        throw NetwharfException.forbidden("the " + driver + " network takes no endpoints");
    }

    @Override
    public void detach(EndpointInfo endpoint, boolean deleteLink) {
        // It never took one.
    }

    @Override
    public void remove() {
        throw NetwharfException.forbidden(driver + " is a pre-defined network and cannot be removed");
    }

    @Override
    public void close() {
        // Holds nothing.
    }
}
