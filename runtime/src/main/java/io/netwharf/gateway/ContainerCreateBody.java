package io.netwharf.gateway;

import io.netwharf.container.ContainerRequest;
import io.netwharf.protocol.model.EndpointSpec;
import io.netwharf.protocol.model.NetwharfException;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code POST /containers/create}: the fields netwharf acts on. Unknown fields are ignored, as Docker
 * ignores those of other versions; {@code Cmd} and {@code Entrypoint} take a string or a list, as Docker's do. A
 * null among the strings ({@code "Cmd":[null]}) is refused with a 400 naming the field, rather than failing later
 * as a 500.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record ContainerCreateBody(@JsonProperty("Image") String image,
                           @JsonProperty("Cmd") @JsonSetter(contentNulls = Nulls.FAIL)
                           @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> cmd,
                           @JsonProperty("Entrypoint") @JsonSetter(contentNulls = Nulls.FAIL)
                           @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> entrypoint,
                           @JsonProperty("Env") @JsonSetter(contentNulls = Nulls.FAIL) List<String> env,
                           @JsonProperty("WorkingDir") String workingDir,
                           @JsonProperty("Labels") @JsonSetter(contentNulls = Nulls.FAIL) Map<String, String> labels,
                           @JsonProperty("Tty") boolean tty,
                           @JsonProperty("HostConfig") HostConfig hostConfig,
                           @JsonProperty("NetworkingConfig") NetworkingConfig networkingConfig) {

    @JsonIgnoreProperties(ignoreUnknown = true)
    record HostConfig(@JsonProperty("NetworkMode") String networkMode,
                      @JsonProperty("PortBindings") Map<String, Object> portBindings,
                      @JsonProperty("PublishAllPorts") boolean publishAllPorts,
                      @JsonProperty("AutoRemove") boolean autoRemove,
                      @JsonProperty("RestartPolicy") RestartPolicy restartPolicy) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record RestartPolicy(@JsonProperty("Name") String name) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record NetworkingConfig(@JsonProperty("EndpointsConfig") Map<String, NetworkJson.EndpointConfig> endpointsConfig) {}

    /** What is asked, for the engine; refuses first what netwharf cannot honour. */
    ContainerRequest request(String name) {
        checkSupported();
        return new ContainerRequest(name, image, command(), env, workingDir, networkMode(), endpoints(), labels,
                hostConfig != null && hostConfig.autoRemove());
    }

    /** The process: the entrypoint followed by the command, as Docker joins them. */
    private List<String> command() {
        List<String> command = new ArrayList<>();
        if (entrypoint != null) {
            command.addAll(entrypoint);
        }
        if (cmd != null) {
            command.addAll(cmd);
        }
        return command;
    }

    private String networkMode() {
        return hostConfig == null ? null : hostConfig.networkMode();
    }

    private Map<String, EndpointSpec> endpoints() {
        Map<String, EndpointSpec> endpoints = new LinkedHashMap<>();
        if (networkingConfig != null && networkingConfig.endpointsConfig() != null) {
            networkingConfig.endpointsConfig().forEach((network, settings) ->
                    endpoints.put(network, settings == null ? EndpointSpec.DYNAMIC : settings.spec()));
        }
        return endpoints;
    }

    /** What netwharf cannot honour is refused rather than silently dropped. */
    private void checkSupported() {
        if (image == null || image.isEmpty()) {
            throw NetwharfException.badParameter("no image was given: Image is required (netwharf records it; it does not pull it)");
        }
        if (tty) {
            throw NetwharfException.badParameter("netwharf does not allocate terminals: create the container without -t (Tty)");
        }
        if (hostConfig != null && ((hostConfig.portBindings() != null && !hostConfig.portBindings().isEmpty()) || hostConfig.publishAllPorts())) {
            throw NetwharfException.badParameter("netwharf does not publish ports yet: create the container without -p/-P (PortBindings)");
        }
        String restart = hostConfig == null || hostConfig.restartPolicy() == null ? null : hostConfig.restartPolicy().name();
        if (restart != null && !restart.isEmpty() && !restart.equals("no")) {
            throw NetwharfException.badParameter("netwharf does not restart containers by policy: create the container without --restart "
                    + restart + " (RestartPolicy)");
        }
    }
}
