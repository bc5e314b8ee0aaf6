package io.netwharf.launcher;

import io.netwharf.gateway.ListenAddress;
import io.netwharf.ipam.Ipv4;

import org.apache.hc.core5.util.Timeout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code netwharf pipework}: pipework's command line, carried out by a running daemon (see {@link Pipework}). */
@Command(name = "pipework", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Give a running container of netwharf's an interface on a host link, as pipework does, through a running daemon.",
                "A bridge (or a missing link whose name starts with br, made as a bridge) joins the bridge network on it; any other "
                        + "link gets a macvlan network with it as parent. The network is made as pipework-<host-if> on the address's "
                        + "subnet when the daemon has none on that link. Run it in the daemon's network namespace (the host's). "
                        + "Not supported: dhcp, VLAN tags (<mac>@<vlan>)."})
final class PipeworkCommand implements Callable<Integer> {
    @Option(names = {"-H", "--host"}, paramLabel = "unix:///PATH|tcp://HOST[:PORT]",
            description = "the daemon's API (default: $DOCKER_HOST, else unix:///run/netwharf/netwharf.sock)")
    String host;

    @Option(names = "-i", paramLabel = "IFNAME", description = "the interface's name inside the container (default: the next free ethN)")
    String interfaceName;

    @Parameters(index = "0", paramLabel = "HOST-IF", description = "a bridge, or any other link (macvlan parent)")
    String hostInterface;

    @Parameters(index = "1", paramLabel = "CONTAINER", description = "the container's name or id")
    String container;

    @Parameters(index = "2", paramLabel = "IP/PREFIX[@GATEWAY]", description = "the container's address, e.g. 10.1.0.5/24@10.1.0.1")
    String address;

    @Parameters(index = "3", arity = "0..1", paramLabel = "MAC", description = "the interface's MAC (default: 02:42 and the address's four bytes)")
    String mac;

    @Override
    public Integer call() {
        PipeworkRequest request;
        try {
            request = PipeworkRequest.parse(hostInterface, interfaceName, container, address, mac);
        } catch (IllegalArgumentException e) {
            System.err.println("netwharf pipework: " + e.getMessage());
            return 2;
        }
        String daemon = host != null ? host : System.getenv().getOrDefault("DOCKER_HOST", "unix://" + ListenAddress.DEFAULT_SOCKET);
        try (ApiClient api = ApiClient.connect(daemon, 1, Timeout.ofMinutes(2))) {
            Pipework.Outcome done = new Pipework(api, Path.of("/sys/class/net")).apply(request);
            System.out.printf("%s: %s %s/%d on %s (%s network %s%s)%n", done.container(),
                    interfaceName == null ? "a new interface" : interfaceName, Ipv4.format(request.address()),
                    request.subnet().prefixLength(), hostInterface, done.driver(), done.network(), done.networkCreated() ? ", made now" : "");
            return 0;
        } catch (IOException | RuntimeException e) {
            System.err.println("netwharf pipework: " + e.getMessage());
            return 1;
        }
    }
}
