package io.netwharf;

import io.netwharf.cli.HostNetworkReport;
import io.netwharf.ipam.AddressPoolsSpec;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.runtime.RuntimeConfig;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;

/**
 * netwharf's command line. Without a subcommand it starts the runtime with its defaults (flags in dockerd's
 * spelling change them) and runs until it is stopped (Ctrl-C, SIGTERM), then removes what it made but the default
 * bridge.
 */
@Command(name = "netwharf", mixinStandardHelpOptions = true, version = "netwharf 0.1.0",
        description = "Container network runtime for Linux. Without a subcommand: start the runtime and run until stopped.",
        subcommands = {Main.HostNetwork.class})
public final class Main implements Callable<Integer> {
    @Option(names = {"-b", "--bridge"}, description = "the default network's bridge (default: ${DEFAULT-VALUE})")
    String bridge = RuntimeConfig.defaults().bridgeName();

    @Option(names = "--bip", description = "the default bridge's address and prefix, e.g. 172.17.0.1/16 (default: keep an existing "
            + "bridge's address, else the first free subnet of the address pools)")
    String bip;

    @Option(names = "--default-address-pool", paramLabel = "base=CIDR,size=N",
            description = "where free subnets are chosen from, repeatable (default: Docker's, 172.17-31.0.0/16 then 192.168.0.0/16 in /20s)")
    List<String> addressPools = List.of();

    @Option(names = "--mtu", description = "MTU of the default network and of networks that set none (default: ${DEFAULT-VALUE})")
    int mtu = RuntimeConfig.defaults().mtu();

    @Option(names = "--icc", arity = "1", description = "containers on the default network reach each other (default: ${DEFAULT-VALUE})")
    boolean icc = true;

    @Option(names = "--ip-masq", arity = "1", description = "masquerade the default network's traffic leaving the host (default: ${DEFAULT-VALUE})")
    boolean ipMasquerade = true;

    @Option(names = "--exec-root", description = "where container namespaces are kept (default: ${DEFAULT-VALUE})")
    Path execRoot = RuntimeConfig.DEFAULT_RUN_DIRECTORY;

    public static void main(String[] args) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "netwharf-logback.xml");
        }
        LoggerFactory.getLogger(Main.class); // set logging up now, before Pekko's threads log concurrently

        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() {
        RuntimeConfig config;
        try {
            config = config();
        } catch (IllegalArgumentException e) {
            System.err.println("netwharf: " + e.getMessage());
            return 2;
        }
        Netwharf netwharf;
        try {
            netwharf = Netwharf.startStandalone(config).toCompletableFuture().join();
        } catch (CompletionException e) {
            System.err.println("netwharf: cannot start: " + e.getCause().getMessage());
            return 1;
        }
        NetworkInfo bridge = netwharf.inspectNetwork("bridge").toCompletableFuture().join();
        System.err.printf("netwharf is running: default network on bridge %s, subnet %s, gateway %s. Ctrl-C stops it.%n",
                bridge.bridge(), bridge.subnet(), bridge.gateway());
        netwharf.whenTerminated().toCompletableFuture().join();
        return 0;
    }

    private RuntimeConfig config() {
        RuntimeConfig.Builder config = RuntimeConfig.builder().bridgeName(bridge).bip(bip).runDirectory(execRoot)
                .mtu(mtu).icc(icc).ipMasquerade(ipMasquerade);
        if (!addressPools.isEmpty()) {
            config.defaultAddressPools(addressPools.stream().map(AddressPoolsSpec::parse).toList());
        }
        return config.build();
    }

    @Command(name = "host-network", mixinStandardHelpOptions = true,
            description = "Print the host's links, addresses and main-table routes as netwharf reads them (reads only).")
    static final class HostNetwork implements Runnable {
        @Override
        public void run() {
            HostNetworkReport.print(System.out);
        }
    }
}
