package io.netwharf.container;

import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.store.StoredImage;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The image names the engine knows, by normalised name, and how a user's reference finds one: by name
 * ({@code debian}, {@code debian:latest}, {@code docker.io/library/debian}) or by id, whole or a unique prefix, with or
 * without {@code sha256:}, as Docker finds images. Owned by the {@link EngineActor}, which also knows the containers
 * that use them.
 */
final class Images {
    private static final Pattern ID_PREFIX = Pattern.compile("(sha256:)?[a-f0-9]{1,64}");
    private final Map<String, ImageInfo> byName = new LinkedHashMap<>();

    /** The images a store kept; a row whose name no longer reads as one is left out. */
    void restore(List<StoredImage> rows) {
        for (StoredImage row : rows) {
            ImageReference.of(row.reference()).ifPresent(reference -> byName.put(reference.normalized(), new ImageInfo(reference, row.created())));
        }
    }

    /** Adds {@code reference} as known since {@code now}; empty when it was known already. */
    Optional<ImageInfo> add(ImageReference reference, Instant now) {
        if (byName.containsKey(reference.normalized())) {
            return Optional.empty();
        }
        ImageInfo image = new ImageInfo(reference, now);
        byName.put(reference.normalized(), image);
        return Optional.of(image);
    }

    void remove(ImageInfo image) {
        byName.remove(image.reference().normalized());
    }

    List<ImageInfo> all() {
        return List.copyOf(byName.values());
    }

    /** The image {@code reference} names; refused with Docker's "No such image" when none, or an invalid name. */
    ImageInfo find(String reference) {
        Optional<ImageReference> name = ImageReference.of(reference);
        if (name.isPresent() && byName.containsKey(name.get().normalized())) {
            return byName.get(name.get().normalized());
        }
        if (ID_PREFIX.matcher(reference).matches()) {
            String prefix = reference.startsWith("sha256:") ? reference : "sha256:" + reference;
            List<ImageInfo> matching = byName.values().stream().filter(i -> i.id().startsWith(prefix)).toList();
            if (matching.size() == 1) {
                return matching.get(0);
            }
        }
        if (name.isEmpty() && !ID_PREFIX.matcher(reference).matches()) {
            ImageReference.parse(reference); // neither a name nor an id: Docker's refusal ("invalid reference format")
        }
        throw NetwharfException.notFound("No such image: " + name.map(ImageReference::familiar).orElse(reference));
    }
}
