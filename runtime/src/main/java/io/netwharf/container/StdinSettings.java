package io.netwharf.container;

/**
 * Whether a container's process gets a stdin that attached clients write to ({@code docker run -i}: Docker's
 * {@code OpenStdin}), and whether it ends when the first attached client's input ends ({@code StdinOnce}, which the
 * docker CLI sets with {@code -i}). Without {@code open}, stdin is /dev/null.
 */
public record StdinSettings(boolean open, boolean once) {
    public static final StdinSettings CLOSED = new StdinSettings(false, false);
}
