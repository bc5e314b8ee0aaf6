package io.netwharf.bench.stress;

import io.netwharf.network.bridge.BridgeDriver;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What one stress run does.
 *
 * @param containers      N, the containers to launch
 * @param clients         C, concurrent HTTP clients, one keep-alive connection each
 * @param networkMode     {@code bridge} (user networks made for the run, or the default {@code bridge} network with
 *                        {@code networks} 0), {@code none} or {@code host}
 * @param networks        user networks to spread the containers over (round robin); -1: as many as
 *                        {@code perNetwork} needs; 0: the default {@code bridge} network
 * @param perNetwork      containers per user network when {@code networks} is -1 (at most
 *                        {@link BridgeDriver#MAX_PORTS}, a Linux bridge's ports)
 * @param subnetPool      where the user networks' subnets are carved from, each sized for its containers
 * @param cmd             the containers' command; empty: none, a container is its namespace alone
 * @param image           the image name recorded (never pulled)
 * @param host            the daemon to talk to ({@code unix:///path}, {@code tcp://host:port}); null: start one as a
 *                        child process under {@code workDir}
 * @param daemonPid       the pid of the daemon at {@code host}, for its memory; null: no memory figures (a child
 *                        daemon's own pid is used when {@code host} is null)
 * @param daemonHeap      the child daemon's -Xmx
 * @param workDir         the child daemon's socket, data root, exec root and log go under it
 * @param execRoot        where a running daemon (given by {@code host}) keeps namespaces, for the leak check; null: skip
 *                        that check for it
 * @param kernelChecks    look at the kernel from here (bridge ports, links left, nft ruleset): the daemon must share
 *                        this process's network namespace, as a child daemon does
 * @param sample          containers that ping their gateway and a peer
 * @param pingTries       pings tried per address before it counts as unreachable (ARP under load can drop one)
 * @param requestTimeout  how long one API request may take
 * @param warmUp          containers launched and removed the same way before the measured run, in passes of at most N
 *                        (the networks are sized for N; not timed, not in the figures), so that the daemon's JIT has
 *                        compiled its paths, as in a long-running daemon
 */
public record StressSettings(int containers, int clients, String networkMode, int networks, int perNetwork, String subnetPool,
                             List<String> cmd, String image, String host, Long daemonPid, String daemonHeap, Path workDir,
                             Path execRoot, boolean kernelChecks, int sample, int pingTries, Duration requestTimeout,
                             int warmUp) {
    public StressSettings {
        Objects.requireNonNull(networkMode, "networkMode");
        cmd = List.copyOf(cmd);
        if (containers < 1 || clients < 1) {
            throw new IllegalArgumentException("containers and clients must be at least 1");
        }
        if (!List.of("bridge", "none", "host").contains(networkMode)) {
            throw new IllegalArgumentException("network mode must be bridge, none or host, not " + networkMode);
        }
        if (networks < -1 || perNetwork < 1 || perNetwork > BridgeDriver.MAX_PORTS) {
            throw new IllegalArgumentException("networks must be -1 (auto), 0 (the default bridge) or more; containers per network 1.."
                    + BridgeDriver.MAX_PORTS + " (a Linux bridge's ports)");
        }
        if (sample < 0 || pingTries < 1 || warmUp < 0) {
            throw new IllegalArgumentException("sample and warm-up must be at least 0, ping tries at least 1");
        }
    }

    /**
     * N containers by C clients in bridge mode on user networks of at most 1,000 containers each, carved from
     * 10.128.0.0/9, through a child daemon with a 256 MiB heap working under {@code workDir}.
     */
    public static StressSettings defaults(int containers, int clients, Path workDir) {
        return new StressSettings(containers, clients, "bridge", -1, 1000, "10.128.0.0/9", List.of(), "stress", null, null, "256m",
                workDir, null, true, 20, 3, Duration.ofMinutes(2), 0);
    }

    public StressSettings withNetworks(int networks) {
        return new StressSettings(containers, clients, networkMode, networks, perNetwork, subnetPool, cmd, image, host, daemonPid,
                daemonHeap, workDir, execRoot, kernelChecks, sample, pingTries, requestTimeout, warmUp);
    }

    public StressSettings withCmd(List<String> cmd) {
        return new StressSettings(containers, clients, networkMode, networks, perNetwork, subnetPool, cmd, image, host, daemonPid,
                daemonHeap, workDir, execRoot, kernelChecks, sample, pingTries, requestTimeout, warmUp);
    }

    public StressSettings withWarmUp(int warmUp) {
        return new StressSettings(containers, clients, networkMode, networks, perNetwork, subnetPool, cmd, image, host, daemonPid,
                daemonHeap, workDir, execRoot, kernelChecks, sample, pingTries, requestTimeout, warmUp);
    }

    /**
     * Against a running daemon at {@code host} (pid for its memory, exec root for the namespace files) in another
     * network namespace: the kernel checks made from this process cannot see it, so they are off.
     */
    public StressSettings withRunningDaemon(String host, long daemonPid, Path execRoot) {
        return new StressSettings(containers, clients, networkMode, networks, perNetwork, subnetPool, cmd, image, host, daemonPid,
                daemonHeap, workDir, execRoot, false, sample, pingTries, requestTimeout, warmUp);
    }

    /** Whether the run starts its own daemon. */
    public boolean childDaemon() {
        return host == null;
    }
}
