package io.netwharf.protocol.model;

import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * Turns a user's reference to a network or a container into the one object it names, with Docker's rules (moby's
 * {@code FindNetwork} and {@code GetContainer}): a full id first, then an exact name, then a unique id prefix. An
 * ambiguous name or prefix is a 400 and an unknown reference a 404, each with Docker's message. The engine, the
 * runtime and the gateway all resolve through here, so they cannot disagree.
 *
 * @param <T> what is looked up: a network's info, a runtime record, a container's registry entry
 */
public final class Resolver<T> {
    /** What the resolver may ask of a set of candidates; an owner with indexes answers without a scan. */
    public interface Candidates<T> {
        /** The object with exactly this id, or null. */
        T byId(String id);

        /** The objects with exactly this name. */
        List<T> byName(String name);

        /** Up to {@code limit} objects whose id starts with {@code prefix}. */
        List<T> byIdPrefix(String prefix, int limit);
    }

    /** The kind of object resolved, with Docker's messages for it. */
    public enum Kind {
        NETWORK {
            @Override
            NetwharfException empty() {
                return NetwharfException.badParameter("No network name or ID supplied");
            }

            @Override
            NetwharfException notFound(String reference) {
                return NetwharfException.notFound("network " + reference + " not found");
            }

            @Override
            NetwharfException ambiguousName(String reference, int matches) {
                return NetwharfException.badParameter("network " + reference + " is ambiguous (" + matches + " matches found on name)");
            }

            @Override
            NetwharfException ambiguousPrefix(String reference, int matches) {
                return NetwharfException.badParameter("network " + reference + " is ambiguous (" + matches
                        + " matches found based on ID prefix)");
            }

            @Override
            String name(String reference) {
                return reference;
            }
        },
        CONTAINER {
            @Override
            NetwharfException empty() {
                return NetwharfException.badParameter("No container name or ID supplied");
            }

            @Override
            NetwharfException notFound(String reference) {
                return NetwharfException.notFound("No such container: " + reference);
            }

            @Override
            NetwharfException ambiguousName(String reference, int matches) {
                // The engine keeps names unique; Docker has no message for this case.
                return NetwharfException.badParameter("container name " + reference + " is ambiguous (" + matches + " matches found on name)");
            }

            @Override
            NetwharfException ambiguousPrefix(String reference, int matches) {
                return NetwharfException.badParameter("multiple IDs found with provided prefix: " + reference);
            }

            /** Docker shows container names with a leading slash and accepts them either way. */
            @Override
            String name(String reference) {
                return reference.startsWith("/") ? reference.substring(1) : reference;
            }
        };

        abstract NetwharfException empty();

        abstract NetwharfException notFound(String reference);

        abstract NetwharfException ambiguousName(String reference, int matches);

        abstract NetwharfException ambiguousPrefix(String reference, int matches);

        abstract String name(String reference);
    }

    private final Kind kind;

    private Resolver(Kind kind) {
        this.kind = kind;
    }

    public static <T> Resolver<T> networks() {
        return new Resolver<>(Kind.NETWORK);
    }

    public static <T> Resolver<T> containers() {
        return new Resolver<>(Kind.CONTAINER);
    }

    /** The object {@code reference} names among {@code candidates}, or Docker's refusal. */
    public T resolve(String reference, Candidates<T> candidates) {
        if (reference == null || reference.isEmpty()) {
            throw kind.empty();
        }
        T byId = candidates.byId(reference);
        if (byId != null) {
            return byId;
        }
        List<T> named = candidates.byName(kind.name(reference));
        if (named.size() == 1) {
            return named.get(0);
        }
        if (named.size() > 1) {
            throw kind.ambiguousName(reference, named.size());
        }
        // Docker counts every match in its message; two are enough to refuse, so stop there for a container index.
        List<T> prefixed = candidates.byIdPrefix(reference, kind == Kind.NETWORK ? Integer.MAX_VALUE : 2);
        if (prefixed.size() == 1) {
            return prefixed.get(0);
        }
        if (prefixed.size() > 1) {
            throw kind.ambiguousPrefix(reference, prefixed.size());
        }
        throw kind.notFound(reference);
    }

    /** Resolves among a small collection by scanning it: networks, or a list fetched for one request. */
    public T resolve(String reference, Collection<T> all, Function<T, String> id, Function<T, String> name) {
        return resolve(reference, scanning(all, id, name));
    }

    /** The not-found refusal for {@code reference}, for an owner that knows by other means that it names nothing. */
    public NetwharfException notFound(String reference) {
        return kind.notFound(reference);
    }

    private static <T> Candidates<T> scanning(Collection<T> all, Function<T, String> id, Function<T, String> name) {
        return new Candidates<>() {
            @Override
            public T byId(String wanted) {
                return all.stream().filter(t -> id.apply(t).equals(wanted)).findFirst().orElse(null);
            }

            @Override
            public List<T> byName(String wanted) {
                return all.stream().filter(t -> wanted.equals(name.apply(t))).toList();
            }

            @Override
            public List<T> byIdPrefix(String prefix, int limit) {
                return all.stream().filter(t -> id.apply(t).startsWith(prefix)).limit(limit).toList();
            }
        };
    }
}
