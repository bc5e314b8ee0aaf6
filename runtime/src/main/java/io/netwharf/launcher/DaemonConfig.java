package io.netwharf.launcher;

import io.netwharf.cluster.ClusterSettings;
import io.netwharf.gateway.ListenAddress;
import io.netwharf.gateway.ServerTls;
import io.netwharf.gateway.TcpExposure;
import io.netwharf.gateway.TlsOptions;
import io.netwharf.ipam.AddressPoolsSpec;
import io.netwharf.ipam.PoolBase;
import io.netwharf.runtime.RuntimeConfig;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What {@code netwharf daemon} runs with: the runtime's settings, where the gateway listens, where state is kept.
 * Read from a HOCON file whose keys are those of Docker's daemon.json (JSON is HOCON, so a daemon.json with only these
 * keys is read as is), with command-line flags over it.
 *
 * @param runtime  the runtime's settings; its store is kept in the data root, and {@code live-restore} is its
 *                 {@code liveRestore}
 * @param hosts    where the gateway listens ({@code -H}, {@code hosts}); never empty
 * @param dataRoot where netwharf keeps its state ({@code --data-root}, {@code data-root})
 * @param tls      how TCP is served ({@code --tls}, {@code --tlsverify}, {@code --tlscacert}, {@code --tlscert},
 *                 {@code --tlskey}; the same keys in the file)
 * @param cluster  the cluster this node joins ({@code --cluster-bind}, {@code --cluster-seed}, {@code --vxlan-port}; the
 *                 keys {@code cluster-bind}, {@code cluster-seeds}, {@code vxlan-port}); null: a single node
 */
public record DaemonConfig(RuntimeConfig runtime, List<ListenAddress> hosts, Path dataRoot, TlsOptions tls, ClusterSettings cluster) {
    public static final Path DEFAULT_CONFIG_FILE = Path.of("/etc/netwharf/daemon.conf");
    public static final Path DEFAULT_DATA_ROOT = Path.of("/var/lib/netwharf");

    /** The keys a configuration file may have, in Docker's daemon.json spelling. */
    public static final Set<String> KEYS = Set.of("hosts", "data-root", "exec-root", "bridge", "bip", "default-address-pools",
            "mtu", "icc", "ip-masq", "iptables", "tls", "tlsverify", "tlscacert", "tlscert", "tlskey", "live-restore",
            "cluster-bind", "cluster-seeds", "vxlan-port");

    public DaemonConfig {
        hosts = List.copyOf(hosts);
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("no address to listen on (hosts)");
        }
    }

    /** {@link #DEFAULT_CONFIG_FILE} if it exists. */
    public static Optional<Path> defaultConfigFile() {
        return Files.isRegularFile(DEFAULT_CONFIG_FILE) ? Optional.of(DEFAULT_CONFIG_FILE) : Optional.empty();
    }

    /**
     * The settings from {@code flags} (the command line, with the file's keys: see {@link #KEYS}), then
     * {@code configFile} if given, then the defaults. A key given in both wins from the flags, whole: hosts given as
     * flags replace the file's list. Throws {@link IllegalArgumentException} naming the key or value that is wrong,
     * and the file.
     */
    public static DaemonConfig load(Config flags, Optional<Path> configFile) {
        Config file = ConfigFactory.empty();
        if (configFile.isPresent()) {
            Path path = configFile.get();
            if (!Files.isRegularFile(path)) {
                throw new IllegalArgumentException("configuration file " + path + " does not exist or is not a file");
            }
            try {
                file = ConfigFactory.parseFile(path.toFile(), ConfigParseOptions.defaults().setAllowMissing(false)).resolve();
            } catch (ConfigException e) {
                throw new IllegalArgumentException("cannot read configuration file " + path + ": " + e.getMessage(), e);
            }
            try {
                checkKeys(file);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("configuration file " + path + ": " + e.getMessage(), e);
            }
        }
        checkKeys(flags);
        try {
            return fromConfig(flags.withFallback(file));
        } catch (IllegalArgumentException e) {
            throw configFile.isPresent()
                    ? new IllegalArgumentException(e.getMessage() + " (from the command line or " + configFile.get() + ")", e)
                    : e;
        }
    }

    /** Settings from one config with daemon.json's keys; absent keys take the defaults. */
    public static DaemonConfig fromConfig(Config config) {
        checkKeys(config);
        RuntimeConfig.Builder runtime = RuntimeConfig.builder();
        try {
            if (config.hasPath("bridge")) {
                runtime.bridgeName(config.getString("bridge"));
            }
            if (config.hasPath("bip")) {
                runtime.bip(config.getString("bip"));
            }
            if (config.hasPath("mtu")) {
                runtime.mtu(config.getInt("mtu"));
            }
            if (config.hasPath("icc")) {
                runtime.icc(config.getBoolean("icc"));
            }
            if (config.hasPath("ip-masq")) {
                runtime.ipMasquerade(config.getBoolean("ip-masq"));
            }
            if (config.hasPath("iptables")) {
                runtime.iptables(config.getBoolean("iptables"));
            }
            if (config.hasPath("exec-root")) {
                runtime.runDirectory(absolute("exec-root", config.getString("exec-root")));
            }
            if (config.hasPath("live-restore")) {
                runtime.liveRestore(config.getBoolean("live-restore"));
            }
            if (config.hasPath("default-address-pools")) {
                runtime.defaultAddressPools(pools(config.getList("default-address-pools")));
            }
            TlsOptions tls = tls(config);
            // As dockerd: with TLS and no host given, TCP on localhost:2376 rather than the Unix socket.
            List<ListenAddress> hosts = config.hasPath("hosts")
                    ? config.getStringList("hosts").stream().map(ListenAddress::parse).toList()
                    : List.of(tls.enabled() ? ListenAddress.defaultTlsAddress() : ListenAddress.defaultAddress());
            if (hosts.isEmpty()) {
                throw new IllegalArgumentException("hosts: empty list, nothing to listen on");
            }
            checkTcpListeners(hosts, tls);
            checkFirewallSettings(config, runtime);
            Path dataRoot = config.hasPath("data-root") ? absolute("data-root", config.getString("data-root")) : DEFAULT_DATA_ROOT;
            runtime.stateDirectory(dataRoot);
            return new DaemonConfig(runtime.build(), hosts, dataRoot, tls, cluster(config));
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** The cluster settings when {@code cluster-bind} is given; seeds or a VXLAN port without it are refused. */
    private static ClusterSettings cluster(Config config) {
        if (!config.hasPath("cluster-bind")) {
            for (String key : List.of("cluster-seeds", "vxlan-port")) {
                if (config.hasPath(key)) {
                    throw new IllegalArgumentException(key + " needs cluster-bind (--cluster-bind): the address this node is "
                            + "reached at by the cluster");
                }
            }
            return null;
        }
        return ClusterSettings.parse(config.getString("cluster-bind"),
                config.hasPath("cluster-seeds") ? config.getStringList("cluster-seeds") : List.of(),
                config.hasPath("vxlan-port") ? config.getInt("vxlan-port") : null);
    }

    /** tls and tlsverify as given (absent is not false: see {@link TlsOptions}); the files default to dockerd's. */
    private static TlsOptions tls(Config config) {
        Boolean tls = config.hasPath("tls") ? config.getBoolean("tls") : null;
        Boolean verify = config.hasPath("tlsverify") ? config.getBoolean("tlsverify") : null;
        TlsOptions defaults = TlsOptions.withDefaultFiles(tls, verify);
        return new TlsOptions(tls, verify,
                config.hasPath("tlscacert") ? Path.of(config.getString("tlscacert")) : defaults.caCert(),
                config.hasPath("tlscert") ? Path.of(config.getString("tlscert")) : defaults.cert(),
                config.hasPath("tlskey") ? Path.of(config.getString("tlskey")) : defaults.key());
    }

    /**
     * Before anything starts: a TCP listener that would be open to anyone is refused ({@link TcpExposure}), and with
     * TLS the certificate, key and CA files must be readable and fit together.
     */
    private static void checkTcpListeners(List<ListenAddress> hosts, TlsOptions tls) {
        List<ListenAddress.Tcp> tcp = hosts.stream()
                .filter(ListenAddress.Tcp.class::isInstance).map(ListenAddress.Tcp.class::cast).toList();
        for (ListenAddress.Tcp address : tcp) {
            TcpExposure.refusal(address, tls).ifPresent(refusal -> {
                throw new IllegalArgumentException(refusal);
            });
        }
        if (tls.enabled() && !tcp.isEmpty()) {
            ServerTls.load(tls);
        }
    }

    /**
     * Without netwharf's firewall, the default network's icc off cannot be done: refused, as dockerd refuses it. Its
     * masquerading cannot be done either: dockerd turns it off, and so does netwharf when it was not asked for (the
     * firewall backend logs so at start); asked for explicitly, it is refused rather than dropped.
     */
    private static void checkFirewallSettings(Config config, RuntimeConfig.Builder runtime) {
        RuntimeConfig settings = runtime.build();
        if (settings.iptables()) {
            return;
        }
        if (!settings.icc()) {
            throw new IllegalArgumentException("You specified --iptables=false with --icc=false. ICC=false uses the firewall to "
                    + "function. Please set --icc or --iptables to true.");
        }
        if (config.hasPath("ip-masq") && settings.ipMasquerade()) {
            throw new IllegalArgumentException("--ip-masq=true needs netwharf's firewall, which --iptables=false turns off: "
                    + "drop --ip-masq (masquerading is then off) or set --iptables to true");
        }
        runtime.ipMasquerade(false);
    }

    private static void checkKeys(Config config) {
        Set<String> unknown = new TreeSet<>(config.root().keySet());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown configuration key" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown) + " (known: " + String.join(", ", new TreeSet<>(KEYS)) + ")");
        }
    }

    private static Path absolute(String key, String value) {
        Path path = Path.of(value);
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException(key + ": " + value + " is not an absolute path");
        }
        return path.normalize();
    }

    /** Each pool either {base = "…", size = N} (daemon.json) or "base=…,size=N" (the flag's form). */
    private static List<PoolBase> pools(List<? extends ConfigValue> values) {
        List<PoolBase> pools = new ArrayList<>();
        for (ConfigValue value : values) {
            if (value.valueType() == ConfigValueType.STRING) {
                pools.add(AddressPoolsSpec.parse((String) value.unwrapped()));
            } else if (value.valueType() == ConfigValueType.OBJECT) {
                @SuppressWarnings("unchecked")
                Map<String, Object> pool = (Map<String, Object>) value.unwrapped();
                List<String> fields = new ArrayList<>();
                pool.forEach((key, field) -> fields.add(key + "=" + field));
                pools.add(AddressPoolsSpec.parse(String.join(",", fields)));
            } else {
                throw new IllegalArgumentException("default-address-pools: expected {base = \"172.17.0.0/16\", size = 24} or "
                        + "\"base=172.17.0.0/16,size=24\", not " + value.render());
            }
        }
        if (pools.isEmpty()) {
            throw new IllegalArgumentException("default-address-pools: empty list");
        }
        return pools;
    }
}
