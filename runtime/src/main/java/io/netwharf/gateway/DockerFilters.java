package io.netwharf.gateway;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The {@code filters} query parameter of Docker's list and prune endpoints: JSON, either {@code {"name":{"x":true}}}
 * or the older {@code {"name":["x"]}}. Several values of one key match when any of them does; different keys must
 * all match. Keys outside the endpoint's own set are refused with 400 {@code invalid filter 'x'}, as Docker does.
 * Keys whose values are regular expressions in Docker ({@code name} and {@code id} of containers and networks) are
 * compiled once with {@link #withRegex} and matched by {@link #matches}, in linear time ({@link DockerRegex}).
 */
public final class DockerFilters {
    public static final DockerFilters NONE = new DockerFilters(Map.of(), Map.of());

    private final Map<String, Set<String>> values;
    private final Map<String, List<DockerRegex>> regexes;

    private DockerFilters(Map<String, Set<String>> values, Map<String, List<DockerRegex>> regexes) {
        this.values = values;
        this.regexes = regexes;
    }

    /** Parses the parameter (absent or empty: no filters), refusing keys not in {@code allowed}. */
    public static DockerFilters parse(Optional<String> json, Collection<String> allowed) {
        if (json.isEmpty() || json.get().isBlank()) {
            return NONE;
        }
        JsonNode root;
        try {
            root = DockerJson.tree(json.get());
        } catch (DockerApiException e) {
            throw DockerApiException.badRequest("invalid filter: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw DockerApiException.badRequest("invalid filter: expected a JSON object");
        }
        Map<String, Set<String>> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (!allowed.contains(e.getKey())) {
                throw DockerApiException.badRequest("invalid filter '" + e.getKey() + "'");
            }
            Set<String> set = new LinkedHashSet<>();
            JsonNode v = e.getValue();
            if (v.isObject()) {
                v.properties().forEach(p -> {
                    if (p.getValue().asBoolean(false)) {
                        set.add(p.getKey());
                    }
                });
            } else if (v.isArray()) {
                v.forEach(x -> set.add(x.asText()));
            } else {
                throw DockerApiException.badRequest("invalid filter '" + e.getKey() + "': values must be an object or an array");
            }
            values.put(e.getKey(), set);
        }
        return new DockerFilters(values, Map.of());
    }

    /**
     * These filters with the values of {@code keys} compiled as regular expressions (RE2 syntax, as Go's regexp), for
     * {@link #matches}. One that does not compile is refused with 400 {@code invalid filter 'name=(': error parsing
     * regexp: ...}: Docker skips it silently and so matches nothing, which hides the mistake.
     */
    public DockerFilters withRegex(String... keys) {
        Map<String, List<DockerRegex>> compiled = new LinkedHashMap<>(regexes);
        for (String key : keys) {
            compiled.put(key, get(key).stream().map(value -> {
                try {
                    return DockerRegex.compile(value);
                } catch (IllegalArgumentException e) {
                    throw DockerApiException.badRequest("invalid filter '" + key + "=" + value + "': " + e.getMessage());
                }
            }).toList());
        }
        return new DockerFilters(values, Map.copyOf(compiled));
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** The values given for {@code key}; empty when none. */
    public Set<String> get(String key) {
        return values.getOrDefault(key, Set.of());
    }

    /** True when {@code key} is not filtered on or one of its values passes {@code test}. */
    public boolean matchesAny(String key, Predicate<String> test) {
        Set<String> v = values.get(key);
        return v == null || v.isEmpty() || v.stream().anyMatch(test);
    }

    /**
     * Docker's {@code Args.Match}: {@code key} is absent, or one of its values equals {@code source} or, as a regular
     * expression, matches somewhere in it. The key must have been compiled with {@link #withRegex}.
     */
    public boolean matches(String key, String source) {
        Set<String> v = values.get(key);
        if (v == null || v.isEmpty() || v.contains(source)) {
            return true;
        }
        List<DockerRegex> compiled = regexes.get(key);
        if (compiled == null) {
            throw new IllegalStateException("filter '" + key + "' was not compiled as a regular expression");
        }
        return compiled.stream().anyMatch(r -> {
            try {
                return r.find(source);
            } catch (IllegalArgumentException e) {
                throw DockerApiException.badRequest("invalid filter '" + key + "=" + r + "': " + e.getMessage());
            }
        });
    }

    /** {@code key} is absent, or one of its values equals {@code value}. */
    public boolean matchesExactly(String key, String value) {
        return matchesAny(key, value::equals);
    }

    /**
     * Docker's label filters: every {@code key} or {@code key=value} given under {@code filterKey} must be present in
     * {@code labels} (for {@code label!}, none of them may be).
     */
    public boolean matchesLabels(String filterKey, Map<String, String> labels) {
        boolean negate = filterKey.endsWith("!");
        for (String wanted : get(filterKey)) {
            int eq = wanted.indexOf('=');
            boolean present = eq < 0 ? labels.containsKey(wanted)
                    : wanted.substring(eq + 1).equals(labels.get(wanted.substring(0, eq)));
            if (present == negate) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
