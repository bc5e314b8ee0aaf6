package io.netwharf.container;

import io.netwharf.kernel.NameView;
import io.netwharf.protocol.model.ContainerInfo;

import java.time.Instant;

/**
 * A container as its actor sees it at one moment: what was asked ({@link ContainerConfig}), where it is in its life,
 * and while it runs, its network state from the runtime.
 *
 * @param pid      the process's id while it runs; 0 when there is none
 * @param exitCode the last exit code: the status, or 128 + the signal that ended it
 * @param error    why the last start failed; empty if it did not
 * @param network  the namespace and endpoints while running; null otherwise
 * @param log      its output: stdout and stderr in one log, as Docker's json-file
 * @param names    what its process sees of names (host name, /etc files) since its first start; null before
 */
public record ContainerView(ContainerConfig config, Status status, int pid, int exitCode, String error, Instant startedAt,
                            Instant finishedAt, int restartCount, ContainerInfo network, ContainerLog log,
                            NameView names) {
    /**
     * Docker's names for a container's states, the ones netwharf has. {@code RESTARTING}: its process exited and its
     * restart policy starts it again after a delay; meanwhile it has no process and no network.
     */
    public enum Status {
        CREATED, RUNNING, RESTARTING, EXITED;

        public String dockerName() {
            return name().toLowerCase();
        }
    }

    public String id() {
        return config.id();
    }

    public String name() {
        return config.name();
    }

    /** Its host name: the one its process got (in {@code container:} mode, the other container's), else the one it will get. */
    public String hostname() {
        return names != null ? names.hostname() : ContainerFiles.hostname(config);
    }

    /** Its domain name (Docker's {@code Config.Domainname}); empty when none. */
    public String domainname() {
        String domain = names != null ? names.domainname() : config.names().domainname();
        return domain == null ? "" : domain;
    }

    public boolean running() {
        return status == Status.RUNNING;
    }

    /** Running as Docker counts it (its {@code State.Running}, {@code docker ps} without {@code -a}): restarting too. */
    public boolean runningOrRestarting() {
        return status == Status.RUNNING || status == Status.RESTARTING;
    }
}
