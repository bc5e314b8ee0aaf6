package io.netwharf.runtime;

import io.netwharf.firewall.Firewall;
import io.netwharf.firewall.PortForwards;
import io.netwharf.kernel.HostKernel;
import io.netwharf.kernel.Links;
import io.netwharf.kernel.NetlinkSocket;

/**
 * Makes a container's published ports reachable, in the host's namespace: its bridge routes packets from 127.0.0.1
 * ({@code route_localnet}, for the host's own connections to {@code 127.0.0.1:<port>}), its bridge port may send a
 * packet back where it came from (hairpin, for the container reaching its own port through the host's address),
 * and the firewall forwards the ports ({@link Firewall#addForwards}, one atomic change). Called on the kernel
 * dispatcher, from any of its threads: the one netlink socket is used under this object's lock.
 */
final class PortPublisher implements AutoCloseable {
    private final HostKernel kernel;
    private final Firewall firewall;
    private NetlinkSocket socket;

    PortPublisher(HostKernel kernel, Firewall firewall) {
        this.kernel = kernel;
        this.firewall = firewall;
    }

    /** {@code bridge}: the bridge of the network the ports are published from; {@code port}: the container's port on it. */
    synchronized void publish(String bridge, String port, PortForwards forwards) {
        kernel.sysctl().write(kernel.host(), "net/ipv4/conf/" + bridge + "/route_localnet", "1");
        socket().execute(Links.setHairpin(port, true));
        firewall.addForwards(forwards);
    }

    /** The forwards go; the bridge keeps route_localnet (other containers may need it) and the port goes with its container. */
    void unpublish(PortForwards forwards) {
        firewall.removeForwards(forwards);
    }

    private NetlinkSocket socket() {
        if (socket == null) {
            socket = kernel.openHostSocket();
        }
        return socket;
    }

    @Override
    public synchronized void close() {
        if (socket != null) {
            socket.close();
        }
    }
}
