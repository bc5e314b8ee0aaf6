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
 * @param iptables             netwharf installs its firewall rules ({@code --iptables}); false: no firewall backend,
 *                             for hosts whose firewall is managed elsewhere
 * @param runDirectory         where container namespaces are bind-mounted ({@code --exec-root})
 * @param hostNetns            the namespace that plays the host (tests and benchmarks give a throwaway one);
 *                             null: the process's own
 * @param namespaceThreads     threads that step into namespaces to create them
 * @param kernelTimeout        how long a command may wait for the kernel work queued ahead of it
 * @param stateDirectory       where the store keeps what netwharf knows ({@code --data-root}); null: nothing is kept,
 *                             and stopping the runtime removes every container and user network it made
 * @param liveRestore          running containers keep running while the daemon is down, and are adopted by its next
 *                             start ({@code --live-restore})
 * @param resolvConf           where the host's name servers are listed, for the embedded DNS of containers that name
 *                             no upstream servers of their own (tests give a file of their own)
 */
public record RuntimeConfig(String bridgeName, String bip, List<PoolBase> defaultAddressPools, int mtu, boolean icc,
                            boolean ipMasquerade, boolean iptables, Path runDirectory, Path hostNetns, int namespaceThreads,
                            Duration kernelTimeout, Path stateDirectory, boolean liveRestore, Path resolvConf) {
    public static final Path DEFAULT_RUN_DIRECTORY = Path.of("/run/netwharf");

    public RuntimeConfig {
        defaultAddressPools = List.copyOf(defaultAddressPools);
    }

    public static RuntimeConfig defaults() {
        return builder().build();
    }

    /** The defaults, to change some of. */
    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private String bridgeName = "netwharf0";
        private String bip;
        private List<PoolBase> defaultAddressPools = AddressPoolsSpec.dockerDefaults();
        private int mtu = 1500;
        private boolean icc = true;
        private boolean ipMasquerade = true;
        private boolean iptables = true;
        private Path runDirectory = DEFAULT_RUN_DIRECTORY;
        private Path hostNetns;
        private int namespaceThreads = 2;
        private Duration kernelTimeout = Duration.ofMinutes(2);
        private Path stateDirectory;
        private boolean liveRestore;
        private Path resolvConf = Path.of("/etc/resolv.conf");

        private Builder() {}

        public Builder bridgeName(String bridgeName) {
            this.bridgeName = bridgeName;
            return this;
        }

        public Builder bip(String bip) {
            this.bip = bip;
            return this;
        }

        public Builder defaultAddressPools(List<PoolBase> pools) {
            this.defaultAddressPools = pools;
            return this;
        }

        public Builder mtu(int mtu) {
            this.mtu = mtu;
            return this;
        }

        public Builder icc(boolean icc) {
            this.icc = icc;
            return this;
        }

        public Builder iptables(boolean iptables) {
            this.iptables = iptables;
            return this;
        }

        public Builder ipMasquerade(boolean ipMasquerade) {
            this.ipMasquerade = ipMasquerade;
            return this;
        }

        public Builder runDirectory(Path runDirectory) {
            this.runDirectory = runDirectory;
            return this;
        }

        public Builder hostNetns(Path hostNetns) {
            this.hostNetns = hostNetns;
            return this;
        }

        public Builder namespaceThreads(int namespaceThreads) {
            this.namespaceThreads = namespaceThreads;
            return this;
        }

        public Builder stateDirectory(Path stateDirectory) {
            this.stateDirectory = stateDirectory;
            return this;
        }

        public Builder liveRestore(boolean liveRestore) {
            this.liveRestore = liveRestore;
            return this;
        }

        public Builder resolvConf(Path resolvConf) {
            this.resolvConf = resolvConf;
            return this;
        }

        public RuntimeConfig build() {
            return new RuntimeConfig(bridgeName, bip, defaultAddressPools, mtu, icc, ipMasquerade, iptables, runDirectory, hostNetns,
                    namespaceThreads, kernelTimeout, stateDirectory, liveRestore, resolvConf);
        }
    }
}
