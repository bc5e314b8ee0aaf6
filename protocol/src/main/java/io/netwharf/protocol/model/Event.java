package io.netwharf.protocol.model;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Something that happened to a container, an image or a network, as Docker's events report it: what kind of object
 * ({@link Type}), what happened ({@code create}, {@code start}, {@code die}, {@code connect}...), the object's id and
 * its attributes (a container's {@code name}, {@code image} and labels; a network's {@code name} and {@code type};
 * what the action adds, such as {@code exitCode} or {@code container}), and when, to the nanosecond since the epoch.
 *
 * @param attributes kept sorted by key, as Docker's JSON has them
 */
public record Event(Type type, String action, String actorId, Map<String, String> attributes, long timeNanos) {
    /** The kinds of object netwharf reports on, by Docker's names. */
    public enum Type {
        CONTAINER("container"), IMAGE("image"), NETWORK("network");

        private final String text;

        Type(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    public Event {
        attributes = Collections.unmodifiableMap(new TreeMap<>(attributes));
    }

    /** An event that happens now: stamped when the change it reports is made, before the change is answered. */
    public static Event now(Type type, String action, String actorId, Map<String, String> attributes) {
        Instant now = Instant.now();
        return new Event(type, action, actorId, attributes, now.getEpochSecond() * 1_000_000_000L + now.getNano());
    }

    public Instant time() {
        return Instant.ofEpochSecond(0, timeNanos);
    }
}
