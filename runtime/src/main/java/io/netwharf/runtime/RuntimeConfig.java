package io.netwharf.runtime;

import io.netwharf.ipam.AddressPoolsSpec;
import io.netwharf.ipam.PoolBase;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The runtime's settings, named after dockerd's flags where one exists.
 *
 * @param bridgeName           the default network's Linux bridge ({@code --bridge})
 * @param bip                  the default bridge's address and prefix, e.g. {@code 172.17.0.1/16} ({@code --bip});
 *                             null: keep an adopted bridge's address, or choose a free subnet
 * @param defaultAddressPools  where free subnets are chosen from ({@code --default-address-pool})
 * @param mtu                  MTU of the default network and of networks that name none ({@code --mtu})
 * @param icc                  containers on the default network reach each other ({@code --icc})
 * @param ipMasquerade         masquerade the default network's traffic leaving the host ({@code --ip-masq})
 * @param runDirectory         where container namespaces are bind-mounted ({@code --exec-root})
 * @param hostNetns            the namespace that plays the host (tests and benchmarks give a throwaway one);
 *                             null: the process's own
 * @param namespaceThreads     threads that step into namespaces to create them
 * @param kernelTimeout        how long a command may wait for the kernel work queued ahead of it
 */
public record RuntimeConfig(String bridgeName, String bip, List<PoolBase> defaultAddressPools, int mtu, boolean icc,
                            boolean ipMasquerade, Path runDirectory, Path hostNetns, int namespaceThreads,
                            Duration kernelTimeout) {
    public static final Path DEFAULT_RUN_DIRECTORY = Path.of("/run/netwharf");

    public RuntimeConfig {
        defaultAddressPools = List.copyOf(defaultAddressPools);
    }

    public static RuntimeConfig defaults() {
        return new RuntimeConfig("netwharf0", null, AddressPoolsSpec.dockerDefaults(), 1500, true, true,
                DEFAULT_RUN_DIRECTORY, null, 2, Duration.ofMinutes(2));
    }

    public RuntimeConfig withBridgeName(String bridgeName) {
        return new RuntimeConfig(bridgeName, bip, defaultAddressPools, mtu, icc, ipMasquerade, runDirectory, hostNetns,
                namespaceThreads, kernelTimeout);
    }

    public RuntimeConfig withBip(String bip) {
        return new RuntimeConfig(bridgeName, bip, defaultAddressPools, mtu, icc, ipMasquerade, runDirectory, hostNetns,
                namespaceThreads, kernelTimeout);
    }

    public RuntimeConfig withDefaultAddressPools(List<PoolBase> pools) {
        return new RuntimeConfig(bridgeName, bip, pools, mtu, icc, ipMasquerade, runDirectory, hostNetns,
                namespaceThreads, kernelTimeout);
    }

    public RuntimeConfig withMtu(int mtu) {
        return new RuntimeConfig(bridgeName, bip, defaultAddressPools, mtu, icc, ipMasquerade, runDirectory, hostNetns,
                namespaceThreads, kernelTimeout);
    }

    public RuntimeConfig withIpMasquerade(boolean ipMasquerade) {
        return new RuntimeConfig(bridgeName, bip, defaultAddressPools, mtu, icc, ipMasquerade, runDirectory, hostNetns,
                namespaceThreads, kernelTimeout);
    }

    public RuntimeConfig withIcc(boolean icc) {
        return new RuntimeConfig(bridgeName, bip, defaultAddressPools, mtu, icc, ipMasquerade, runDirectory, hostNetns,
                namespaceThreads, kernelTimeout);
    }

    public RuntimeConfig withRunDirectory(Path runDirectory) {
        return new RuntimeConfig(bridgeName, bip, defaultAddressPools, mtu, icc, ipMasquerade, runDirectory, hostNetns,
                namespaceThreads, kernelTimeout);
    }

    public RuntimeConfig withHostNetns(Path hostNetns) {
        return new RuntimeConfig(bridgeName, bip, defaultAddressPools, mtu, icc, ipMasquerade, runDirectory, hostNetns,
                namespaceThreads, kernelTimeout);
    }
}
