package io.netwharf.container;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * An image netwharf knows: a name pulled once, standing for the host's root filesystem (a container's process runs
 * on the host's files). It has no layers and no size; its environment is what a process gets when its container sets
 * no {@code PATH}.
 *
 * @param reference the name, normalised
 * @param created   when it was first pulled
 */
public record ImageInfo(ImageReference reference, Instant created) {
    /** The image's {@code Config.Env}: Docker's default {@code PATH}, which netwharf gives a process that sets none. */
    public static final List<String> ENV = List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");

    /**
     * A container's {@code Config.Env} as Docker makes it at the creation: its own variables, then the image's that it
     * does not set (moby's {@code merge}). Its process gets these.
     */
    public static List<String> environment(List<String> own) {
        List<String> env = new ArrayList<>(own);
        for (String variable : ENV) {
            String key = variable.substring(0, variable.indexOf('=') + 1);
            if (own.stream().noneMatch(e -> e.startsWith(key) || e.equals(key.substring(0, key.length() - 1)))) {
                env.add(variable);
            }
        }
        return env;
    }

    public String id() {
        return reference.id();
    }
}
