package io.netwharf.gateway;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The {@code filters} query parameter of Docker's list and prune endpoints: JSON, either {@code {"name":{"x":true}}}
 * or the older {@code {"name":["x"]}}. Several values of one key match when any of them does; different keys must
 * all match. Keys outside the endpoint's own set are refused with 400 {@code invalid filter 'x'}, as Docker does.
 */
public final class DockerFilters {
    public static final DockerFilters NONE = new DockerFilters(Map.of());

    private final Map<String, Set<String>> values;

    private DockerFilters(Map<String, Set<String>> values) {
        this.values = values;
    }

    /** Parses the parameter (absent or empty: no filters), refusing keys not in {@code allowed}. */
    public static DockerFilters parse(Optional<String> json, Collection<String> allowed) {
        if (json.isEmpty() || json.get().isBlank()) {
            return NONE;
        }
        JsonNode root;
        try {
            root = DockerJson.mapper().readTree(json.get());
        } catch (IOException e) {
            throw DockerApiException.badRequest("invalid filter: " + DockerJson.firstLine(e.getMessage()));
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
        return new DockerFilters(values);
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
