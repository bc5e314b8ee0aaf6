package io.netwharf.container;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.netwharf.protocol.model.NetwharfException;

/**
 * When a container's process is started again after it exits ({@code --restart}, {@code HostConfig.RestartPolicy}):
 * {@code no}, {@code always}, {@code unless-stopped} or {@code on-failure} with at most {@code maximumRetryCount}
 * restarts (0: no limit). The decision is moby's {@code restartmanager.ShouldRestart}; the delay between attempts is
 * {@link RestartBackoff}'s.
 */
public record RestartPolicy(String name, int maximumRetryCount) {
    public static final RestartPolicy NO = new RestartPolicy("no", 0);

    /**
     * The policy a client asks for, checked with Docker's {@code ValidateRestartPolicy} messages; null or empty name:
     * {@code no} (versions before Docker 25 sent an empty name, with any count).
     */
    public static RestartPolicy of(String name, Integer maximumRetryCount) {
        int max = maximumRetryCount == null ? 0 : maximumRetryCount;
        if (name == null || name.isEmpty()) {
            return NO;
        }
        switch (name) {
            case "no", "always", "unless-stopped" -> {
                if (max != 0) {
                    throw NetwharfException.badParameter("invalid restart policy: maximum retry count can only be used with 'on-failure'"
                            + (max < 0 ? " and cannot be negative" : ""));
                }
            }
            case "on-failure" -> {
                if (max < 0) {
                    throw NetwharfException.badParameter("invalid restart policy: maximum retry count cannot be negative");
                }
            }
            default -> throw NetwharfException.badParameter("invalid restart policy: unknown policy '" + name
                    + "'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'");
        }
        return new RestartPolicy(name, max);
    }

    @JsonIgnore
    public boolean isNone() {
        return name.equals("no");
    }

    /**
     * Whether a process that ended with {@code exitCode} is started again: always; unless-stopped when no user stopped
     * it; on-failure on a non-zero exit, while fewer than the maximum restarts were made.
     */
    public boolean restarts(int exitCode, boolean manuallyStopped, int restartCount) {
        return switch (name) {
            case "always" -> true;
            case "unless-stopped" -> !manuallyStopped;
            case "on-failure" -> exitCode != 0 && (maximumRetryCount == 0 || restartCount < maximumRetryCount);
            default -> false;
        };
    }
}
