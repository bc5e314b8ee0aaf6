package io.netwharf.store;

import java.time.Instant;

/**
 * An image name the engine knows (pulled once): netwharf's images are names for the host's filesystem, so the name
 * is all there is.
 *
 * @param id        {@code sha256:...}, derived from the reference
 * @param reference the normalised name, {@code docker.io/library/debian:latest}
 * @param created   when it was first pulled
 */
public record StoredImage(String id, String reference, Instant created) {}
