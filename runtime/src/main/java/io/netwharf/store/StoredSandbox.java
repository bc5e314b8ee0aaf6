package io.netwharf.store;

/**
 * A container's network side as the runtime keeps it: its namespace (bind-mounted under the exec root, named after
 * the short id) when it has one of its own.
 *
 * @param label      the container's name, for logs
 * @param mode       the network mode's text ({@code bridge}, {@code none}, {@code host}, {@code container:<id>}, a network)
 * @param sharesWith for {@code container:} mode, the full id of the container whose namespace it joined; else null
 * @param phase      {@link Phase#INTENT} until the namespace and its endpoints are made
 */
public record StoredSandbox(String containerId, String label, String mode, String sharesWith, Phase phase) {}
