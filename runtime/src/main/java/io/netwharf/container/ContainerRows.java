package io.netwharf.container;

import io.netwharf.protocol.model.EndpointSpec;
import io.netwharf.protocol.model.NetworkMode;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link ContainerConfig} as the store keeps it ({@code StoredContainer.configJson}): JSON with the network mode in
 * Docker's spelling, the networks in their order, the creation time to the nanosecond.
 */
final class ContainerRows {
    private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The config's JSON form: plain values only, so that what is read back is what was written. */
    private record ConfigJson(String id, String name, String image, List<String> cmd, List<String> env, String workingDir,
                              String user, List<String> groupAdd, String networkMode, LinkedHashMap<String, EndpointSpec> networks,
                              Map<String, String> labels, Map<String, String> kept, int stopSignal, Integer stopTimeout,
                              boolean autoRemove, RestartPolicy restartPolicy, String created, NameSettings names,
                              PortSettings ports, StdinSettings stdin) {}

    private ContainerRows() {}

    static String json(ContainerConfig c) {
        try {
            return JSON.writeValueAsString(new ConfigJson(c.id(), c.name(), c.image(), c.cmd(), c.env(), c.workingDir(), c.user(),
                    c.groupAdd(), c.networkMode().text(), new LinkedHashMap<>(c.networks()), c.labels(), c.kept(), c.stopSignal(),
                    c.stopTimeout(), c.autoRemove(), c.restartPolicy(), c.created().toString(), c.names(), c.ports(), c.stdin()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the config of container " + c.name() + " as JSON", e);
        }
    }

    /** @throws IllegalArgumentException when {@code json} is not a config this class wrote */
    static ContainerConfig config(String json) {
        ConfigJson c;
        try {
            c = JSON.readValue(json, ConfigJson.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a container's config: " + e.getOriginalMessage(), e);
        }
        return new ContainerConfig(c.id(), c.name(), c.image(), orEmpty(c.cmd()), orEmpty(c.env()), c.workingDir(), c.user(),
                orEmpty(c.groupAdd()), NetworkMode.parse(c.networkMode()), c.networks() == null ? Map.of() : c.networks(),
                c.labels() == null ? Map.of() : c.labels(), c.kept() == null ? Map.of() : c.kept(), c.stopSignal(), c.stopTimeout(),
                c.autoRemove(), c.restartPolicy(), Instant.parse(c.created()), c.names(), c.ports(), c.stdin());
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }
}
