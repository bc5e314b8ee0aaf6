package io.netwharf.sandbox;

import io.netwharf.ipam.Ipv4;
import io.netwharf.kernel.KernelException;
import io.netwharf.kernel.Links;
import io.netwharf.kernel.NetlinkSocket;
import io.netwharf.kernel.Netns;
import io.netwharf.kernel.NetnsDirectory;
import io.netwharf.kernel.NetnsDirectory.ConnectedNetns;
import io.netwharf.kernel.VethEndpoint;

import io.netwharf.protocol.rtnetlink.LinkStatistics;

import java.nio.file.Path;
import java.util.List;

/** The sandbox's kernel work over rtnetlink, with namespaces bind-mounted in a {@link NetnsDirectory}. */
public final class NetlinkSandboxKernel implements SandboxKernel {
    private final NetnsDirectory directory;

    public NetlinkSandboxKernel(NetnsDirectory directory) {
        this.directory = directory;
    }

    @Override
    public Namespace create(String name) {
        ConnectedNetns created = directory.createConnected(name);
        try {
            created.socket().execute(Links.setUp("lo", true));
        } catch (RuntimeException e) {
            created.close(); // our socket and descriptor would keep the namespace alive
            try {
                directory.delete(name);
            } catch (KernelException leftover) {
                e.addSuppressed(leftover);
            }
            throw e;
        }
        // The bind mount keeps the namespace alive and the socket works from outside it: the descriptor is not kept.
        // Held for the container's life it would be a second descriptor per container beside the socket, 20,000 for
        // 10,000 containers (a whole session's limit on some machines); the network's owner opens the namespace for
        // the moment it puts a veth peer there.
        created.netns().close();
        return new Socket(created.netns().path(), created.socket());
    }

    @Override
    public Namespace open(String name) {
        try (Netns netns = directory.open(name)) {
            return new Socket(netns.path(), directory.openSocket(netns));
        }
    }

    @Override
    public void delete(String name) {
        directory.delete(name);
    }

    private record Socket(Path path, NetlinkSocket socket) implements Namespace {
        @Override
        public void configure(String peerName, String interfaceName, int address, int prefixLength, Integer gateway) {
            int peerIndex = new Links(socket).get(peerName).index();
            socket.executeAll(VethEndpoint.containerSide(peerName, peerIndex, interfaceName, Ipv4.toInet(address), prefixLength,
                    gateway == null ? null : Ipv4.toInet(gateway), false));
        }

        @Override
        public List<LinkStatistics> statistics() {
            return new Links(socket).statistics();
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
