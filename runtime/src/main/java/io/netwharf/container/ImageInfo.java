package io.netwharf.container;

import java.time.Instant;
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
    public static final List<String> ENV = List.of(ContainerActor.DEFAULT_PATH);

    public String id() {
        return reference.id();
    }
}
