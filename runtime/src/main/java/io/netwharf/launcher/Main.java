package io.netwharf.launcher;

import io.netwharf.cluster.ClusterSettings;
import io.netwharf.container.ContainerEngine;
import io.netwharf.gateway.Gateway;
import io.netwharf.gateway.DockerApi;
import io.netwharf.Netwharf;
import io.netwharf.kernel.Directories;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.runtime.RuntimeConfig;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * netwharf's command line. Without a subcommand it starts the runtime with its defaults (flags in dockerd's
 * spelling change them) and runs until it is stopped (Ctrl-C, SIGTERM), then removes what it made but the default
 * bridge. {@code daemon} does the same and serves the Docker Engine API gateway.
 */
@Command(name = "netwharf", mixinStandardHelpOptions = true, version = "netwharf 0.1.0",
        description = "Container network runtime for Linux. Without a subcommand: start the runtime and run until stopped.",
        subcommands = {Main.Daemon.class, Main.HostNetwork.class, PipeworkCommand.class})
public final class Main implements Callable<Integer> {
    @Mixin
    RuntimeOptions runtimeOptions = new RuntimeOptions();

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
            config = DaemonConfig.load(runtimeOptions.toConfig(), Optional.empty()).runtime();
        } catch (IllegalArgumentException e) {
            System.err.println("netwharf: " + e.getMessage());
            return 2;
        }
        Netwharf netwharf = start(config);
        if (netwharf == null) {
            return 1;
        }
        stopOnSignals(netwharf);
        NetworkInfo bridge = netwharf.inspectNetwork("bridge").toCompletableFuture().join();
        System.err.printf("netwharf is running: default network on bridge %s, subnet %s, gateway %s. Ctrl-C stops it.%n",
                bridge.bridge(), bridge.subnet(), bridge.gateway());
        netwharf.whenTerminated().toCompletableFuture().join();
        return exitStatus(netwharf, "netwharf");
    }

    /**
     * SIGTERM and SIGINT (Ctrl-C) terminate the actor system, which runs the coordinated shutdown (the gateway
     * unbinds, containers stop, the runtime removes what it made), after which {@code main} returns 0 (1 when
     * something could not be removed, see {@link #exitStatus}). Left to the
     * JVM, the same signals would run that shutdown from a JVM shutdown hook and the process would exit with 143
     * (130 for Ctrl-C) even after a clean stop, which service managers and scripts read as a failure.
     */
    @SuppressWarnings("restriction")
    private static void stopOnSignals(Netwharf netwharf) {
        for (String name : List.of("TERM", "INT")) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> netwharf.system().terminate());
        }
    }

    /**
     * 0 after a clean stop. When the runtime could not remove everything it made (or had not finished when the
     * actor system terminated), says what is left and gives 1, so that a service manager notices.
     */
    static int exitStatus(Netwharf netwharf, String program) {
        CompletableFuture<Done> stopped = netwharf.whenStopped().toCompletableFuture();
        if (!stopped.isDone()) {
            System.err.println(program + ": stopped before the runtime had removed what it made");
            return 1;
        }
        try {
            stopped.join();
            return 0;
        } catch (CompletionException e) {
            System.err.println(program + ": stopped, but " + e.getCause().getMessage());
            return 1;
        }
    }

    private static Netwharf start(RuntimeConfig config) {
        return start(config, ConfigFactory.empty());
    }

    private static Netwharf start(RuntimeConfig config, Config pekko) {
        try {
            return Netwharf.startStandalone(config, pekko).toCompletableFuture().join();
        } catch (CompletionException e) {
            System.err.println("netwharf: cannot start: " + e.getCause().getMessage());
            return null;
        }
    }

    @Command(name = "daemon", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Start the runtime and serve the Docker Engine API on the given sockets until stopped (Ctrl-C, SIGTERM).",
                    "Settings come from the flags, then the configuration file (HOCON, or JSON: keys as in Docker's daemon.json: "
                            + "hosts, data-root, exec-root, bridge, bip, default-address-pools, mtu, icc, ip-masq, iptables, tls, "
                            + "tlsverify, tlscacert, tlscert, tlskey, live-restore, cluster-bind, cluster-seeds, vxlan-port), then the "
                            + "defaults. A flag given on the command line wins over the same key in the file (-H and "
                            + "--default-address-pool replace the file's whole list); unknown keys in the file are refused."})
    static final class Daemon implements Callable<Integer> {
        @Option(names = {"-H", "--host"}, paramLabel = "unix:///PATH|tcp://HOST[:PORT]",
                description = "where to serve the API, repeatable (default: unix:///run/netwharf/netwharf.sock; TCP port default 2375)")
        List<String> hosts;

        @Option(names = "--tls", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
                description = "serve TCP with TLS; implied by --tlsverify. As dockerd, --tls also requires client certificates "
                        + "unless --tlsverify=false. --tls=false: serve TCP without authentication, explicitly (needed to listen "
                        + "on a non-loopback address without TLS)")
        Boolean tls;

        @Option(names = "--tlsverify", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
                description = "serve TCP with TLS and require client certificates signed by --tlscacert (mutual TLS); "
                        + "--tlsverify=false: TLS without client certificates, explicitly")
        Boolean tlsVerify;

        @Option(names = "--tlscacert", paramLabel = "FILE",
                description = "trust client certificates signed only by this CA (default: ~/.docker/ca.pem, or in $DOCKER_CERT_PATH)")
        Path tlsCaCert;

        @Option(names = "--tlscert", paramLabel = "FILE",
                description = "the server's TLS certificate, PEM (default: ~/.docker/cert.pem, or in $DOCKER_CERT_PATH)")
        Path tlsCert;

        @Option(names = "--tlskey", paramLabel = "FILE",
                description = "the server's private key, PEM: PKCS#1, EC or PKCS#8, not encrypted (default: ~/.docker/key.pem, "
                        + "or in $DOCKER_CERT_PATH)")
        Path tlsKey;

        @Option(names = "--data-root", description = "where netwharf keeps its state: the store of networks and containers, and "
                + "container logs under containers/<id>/ (default: /var/lib/netwharf)")
        Path dataRoot;

        @Option(names = "--live-restore", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
                description = "running containers keep running while the daemon is down, and are adopted by its next start "
                        + "(default: false: a stop stops them, and keeps them as exited containers)")
        Boolean liveRestore;

        @Option(names = "--cluster-bind", paramLabel = "IP[:PORT]",
                description = "join a cluster of netwharf nodes: this node's cluster address (Pekko Artery over TCP, port default "
                        + "25520), which is also the local end of its overlay networks' VXLAN links. Without --cluster-seed it "
                        + "starts a cluster that others join")
        String clusterBind;

        @Option(names = "--cluster-seed", paramLabel = "IP[:PORT]",
                description = "a node of the cluster to join, repeatable (its --cluster-bind address)")
        List<String> clusterSeeds;

        @Option(names = "--vxlan-port", paramLabel = "PORT",
                description = "the UDP port of overlay networks' VXLAN links, the same on every node (default: 4789)")
        Integer vxlanPort;

        @Mixin
        RuntimeOptions runtimeOptions = new RuntimeOptions();

        @Option(names = "--config-file", paramLabel = "FILE",
                description = "the daemon's configuration file (default: /etc/netwharf/daemon.conf, read only if it exists)")
        Path configFile;

        /** The command line's settings. */
        DaemonConfig config() {
            Map<String, Object> given = new HashMap<>(runtimeOptions.toConfig().root().unwrapped());
            if (hosts != null && !hosts.isEmpty()) {
                given.put("hosts", hosts);
            }
            if (dataRoot != null) {
                given.put("data-root", dataRoot.toAbsolutePath().toString());
            }
            putIfGiven(given, "live-restore", liveRestore);
            putIfGiven(given, "cluster-bind", clusterBind);
            putIfGiven(given, "cluster-seeds", clusterSeeds == null || clusterSeeds.isEmpty() ? null : clusterSeeds);
            putIfGiven(given, "vxlan-port", vxlanPort);
            putIfGiven(given, "tls", tls);
            putIfGiven(given, "tlsverify", tlsVerify);
            putIfGiven(given, "tlscacert", tlsCaCert == null ? null : tlsCaCert.toAbsolutePath().toString());
            putIfGiven(given, "tlscert", tlsCert == null ? null : tlsCert.toAbsolutePath().toString());
            putIfGiven(given, "tlskey", tlsKey == null ? null : tlsKey.toAbsolutePath().toString());
            Optional<Path> file = configFile != null ? Optional.of(configFile) : DaemonConfig.defaultConfigFile();
            return DaemonConfig.load(ConfigFactory.parseMap(given, "command line"), file);
        }

        private static void putIfGiven(Map<String, Object> given, String key, Object value) {
            if (value != null) {
                given.put(key, value);
            }
        }

        @Override
        public Integer call() {
            DaemonConfig config;
            try {
                config = config();
            } catch (IllegalArgumentException e) {
                System.err.println("netwharf daemon: " + e.getMessage());
                return 2;
            }
            Config cluster = ConfigFactory.empty();
            if (config.cluster() != null) {
                try {
                    Path durable = config.dataRoot().resolve("cluster-data");
                    cluster = config.cluster().pekkoConfig().withFallback(ClusterSettings.durableData(durable));
                    Directories.ensure(durable, Directories.PRIVATE);
                } catch (IOException | IllegalStateException e) {
                    System.err.println("netwharf daemon: " + e.getMessage());
                    return 1;
                }
            }
            Netwharf netwharf = start(config.runtime(), cluster);
            if (netwharf == null) {
                return 1;
            }
            Gateway gateway;
            try {
                // Completes once the containers the store kept are back: nothing is served before.
                ContainerEngine engine = ContainerEngine.start(netwharf.system(), netwharf, config.dataRoot(),
                        config.runtime().kernelTimeout(), config.runtime().liveRestore()).toCompletableFuture().join();
                gateway = Gateway.bind(netwharf.system(), config.hosts(), DockerApi.route(netwharf, engine), config.tls())
                        .toCompletableFuture().join();
            } catch (CompletionException e) {
                System.err.println("netwharf daemon: " + e.getCause().getMessage());
                // Terminating runs the coordinated shutdown, which stops the runtime cleanly first.
                netwharf.system().terminate();
                netwharf.whenTerminated().toCompletableFuture().join();
                return 1;
            }
            // Stop taking requests before the runtime stops (service-stop): unbind runs in an earlier phase.
            // Requests in flight are answered (503 past netwharf.gateway.connections.shutdown-deadline) before it completes.
            Supplier<CompletionStage<Done>> unbind = gateway::unbind;
            CoordinatedShutdown.get(netwharf.system()).addTask(CoordinatedShutdown.PhaseServiceUnbind(), "netwharf-gateway-unbind", unbind);
            stopOnSignals(netwharf);
            System.err.println("netwharf daemon is listening on " + String.join(", ", gateway.boundAddresses()));
            netwharf.whenTerminated().toCompletableFuture().join();
            return exitStatus(netwharf, "netwharf daemon");
        }
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
