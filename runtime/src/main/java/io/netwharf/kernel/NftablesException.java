package io.netwharf.kernel;

import java.util.stream.Collectors;

/**
 * A batch of nftables commands that was refused as a whole, so nothing of it was applied. The message names the
 * operation and gives libnftables' error lines: {@code add firewall rules of network a (...) in netns host: Error:
 * Could not process rule: File exists}. Input refused before libnftables saw it (a name or subnet that cannot go
 * into the nft text) uses the same type with no commands, so callers handle one kind of firewall error.
 *
 * <p>The message leaves out the command libnftables quotes under its carets: for a buffer of several lines,
 * libnftables 1.0.6 quotes the buffer's first line whatever line was at fault. {@link #error()} keeps its text
 * whole, and {@link #commands()} the batch.
 */
public final class NftablesException extends RuntimeException {
    private final String operation;
    private final String error;
    private final String commands;

    public NftablesException(String operation, String error, String commands) {
        super(operation + ": " + errorLines(error));
        this.operation = operation;
        this.error = error;
        this.commands = commands;
    }

    /** The lines that say what went wrong ("Error: ...", "Warning: ..."), without the quoted command and carets. */
    private static String errorLines(String error) {
        String lines = error.lines().filter(l -> l.matches("(\\S+: )?(Error|Warning): .*")).distinct().collect(Collectors.joining("; "));
        return lines.isEmpty() ? error.strip() : lines;
    }

    /** What was being done, where: "add firewall rules of network a (bridge br-a, 10.201.0.0/24) in netns host". */
    public String operation() {
        return operation;
    }

    /** libnftables' error buffer as it wrote it, or netwharf's own reason for refusing before libnftables saw the commands. */
    public String error() {
        return error;
    }

    /** The nft commands that were refused; null when they were never sent. */
    public String commands() {
        return commands;
    }
}
