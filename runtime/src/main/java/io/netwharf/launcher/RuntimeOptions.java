package io.netwharf.launcher;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The runtime's flags in dockerd's spelling, shared by {@code netwharf} and {@code netwharf daemon} (a picocli mixin).
 * A flag not given stays null, so that a configuration file or the defaults can fill it in.
 */
public final class RuntimeOptions {
    @Option(names = {"-b", "--bridge"}, description = "the default network's bridge (default: netwharf0)")
    String bridge;

    @Option(names = "--bip", description = "the default bridge's address and prefix, e.g. 172.17.0.1/16 (default: keep an existing "
            + "bridge's address, else the first free subnet of the address pools)")
    String bip;

    @Option(names = "--default-address-pool", paramLabel = "base=CIDR,size=N",
            description = "where free subnets are chosen from, repeatable (default: Docker's, 172.17-31.0.0/16 then 192.168.0.0/16 in /20s)")
    List<String> addressPools;

    @Option(names = "--mtu", description = "MTU of the default network and of networks that set none (default: 1500)")
    Integer mtu;

    @Option(names = "--icc", arity = "1", paramLabel = "true|false",
            description = "containers on the default network reach each other (default: true)")
    Boolean icc;

    @Option(names = "--ip-masq", arity = "1", paramLabel = "true|false",
            description = "masquerade the default network's traffic leaving the host (default: true)")
    Boolean ipMasquerade;

    @Option(names = "--iptables", arity = "1", paramLabel = "true|false",
            description = "install netwharf's firewall rules (nftables): isolation, icc, masquerading (default: true). "
                    + "false: none, for a host whose firewall is managed elsewhere (masquerading off)")
    Boolean iptables;

    @Option(names = "--exec-root", description = "where container namespaces are kept (default: /run/netwharf)")
    Path execRoot;

    /** The flags given, under the keys of daemon.json (see {@link io.netwharf.launcher.DaemonConfig#KEYS}). */
    public Config toConfig() {
        Map<String, Object> given = new HashMap<>();
        put(given, "bridge", bridge);
        put(given, "bip", bip);
        put(given, "default-address-pools", addressPools == null || addressPools.isEmpty() ? null : addressPools);
        put(given, "mtu", mtu);
        put(given, "icc", icc);
        put(given, "ip-masq", ipMasquerade);
        put(given, "iptables", iptables);
        put(given, "exec-root", execRoot == null ? null : execRoot.toAbsolutePath().toString());
        return ConfigFactory.parseMap(given, "command line");
    }

    static void put(Map<String, Object> config, String key, Object value) {
        if (value != null) {
            config.put(key, value);
        }
    }
}
