package io.netwharf.gateway;

import io.netwharf.container.ContainerConfig;
import io.netwharf.container.ContainerView;
import io.netwharf.container.ImageInfo;
import io.netwharf.container.ImageReference;
import io.netwharf.container.Signals;
import io.netwharf.protocol.model.EndpointInfo;
import io.netwharf.protocol.model.EndpointSpec;
import io.netwharf.protocol.model.NetworkMode;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * Containers in the Docker Engine API's JSON: {@code GET /containers/{id}/json} and the summaries of
 * {@code GET /containers/json}, shaped as Docker 20.10 answers (captured samples) and the v1.51 spec describe them.
 * {@code Image} is the image's id and {@code Config.Image} its name as given, as Docker. Fields about what netwharf
 * does not do (mounts, cgroups) are present with empty values, since clients
 * read them without checking.
 */
final class ContainerJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String ZERO_TIME = "0001-01-01T00:00:00Z";

    private ContainerJson() {}

    /**
     * @param networkIds network ids by name, for a container's networks while it is stopped (its endpoints are gone,
     *                   Docker still shows the network's id)
     */
    static ObjectNode inspect(ContainerView c, Map<String, String> networkIds) {
        ContainerConfig config = c.config();
        ObjectNode json = NODES.objectNode();
        json.put("Id", c.id());
        json.put("Created", time(config.created()));
        json.put("Path", config.cmd().isEmpty() ? "" : config.cmd().get(0));
        json.set("Args", strings(config.cmd().isEmpty() ? List.of() : config.cmd().subList(1, config.cmd().size())));
        ObjectNode state = json.putObject("State");
        state.put("Status", c.status().dockerName());
        state.put("Running", c.runningOrRestarting());
        state.put("Paused", false);
        state.put("Restarting", c.status() == ContainerView.Status.RESTARTING);
        state.put("OOMKilled", false);
        state.put("Dead", false);
        state.put("Pid", c.pid());
        state.put("ExitCode", c.exitCode());
        state.put("Error", c.error());
        state.put("StartedAt", c.startedAt() == null ? ZERO_TIME : time(c.startedAt()));
        state.put("FinishedAt", c.finishedAt() == null ? ZERO_TIME : time(c.finishedAt()));
        json.put("Image", imageId(config.image()));
        // Where the files its process sees are (in container: mode, the other container's), once it has started.
        json.put("ResolvConfPath", c.names() == null ? "" : c.names().resolvConfFile().toString());
        json.put("HostnamePath", c.names() == null ? "" : c.names().hostnameFile().toString());
        json.put("HostsPath", c.names() == null ? "" : c.names().hostsFile().toString());
        json.put("LogPath", c.log().file().toString());
        json.put("Name", "/" + c.name());
        json.put("RestartCount", c.restartCount());
        json.put("Driver", "none");
        json.put("Platform", "linux");
        json.put("MountLabel", "");
        json.put("ProcessLabel", "");
        json.put("AppArmorProfile", "");
        json.putNull("ExecIDs");
        json.set("HostConfig", HostConfigJson.of(config));
        json.putArray("Mounts");
        ObjectNode cfg = json.putObject("Config");
        cfg.put("Hostname", c.hostname());
        cfg.put("Domainname", c.domainname());
        cfg.put("User", config.user() == null ? "" : config.user());
        cfg.put("AttachStdin", false);
        cfg.put("AttachStdout", false);
        cfg.put("AttachStderr", false);
        cfg.put("Tty", false);
        cfg.put("OpenStdin", false);
        cfg.put("StdinOnce", false);
        if (!config.ports().exposed().isEmpty()) {
            cfg.set("ExposedPorts", PortsJson.exposed(config.ports()));
        }
        cfg.set("Env", strings(ImageInfo.environment(config.env()))); // a container stored before the merge gets it too
        cfg.set("Cmd", config.cmd().isEmpty() ? NODES.nullNode() : strings(config.cmd()));
        cfg.put("Image", config.image());
        cfg.putNull("Volumes");
        cfg.put("WorkingDir", config.workingDir() == null ? "" : config.workingDir());
        cfg.putNull("Entrypoint");
        cfg.putNull("OnBuild");
        if (config.stopSignal() != Signals.SIGTERM) {
            cfg.put("StopSignal", Signals.name(config.stopSignal()));
        }
        if (config.stopTimeout() != null) {
            cfg.put("StopTimeout", config.stopTimeout());
        }
        ObjectNode labels = cfg.putObject("Labels");
        config.labels().forEach(labels::put);
        // What was kept without being acted on is shown as it was given (the create answer warned of it).
        config.kept().forEach((path, value) -> {
            int dot = path.indexOf('.');
            ObjectNode section = dot < 0 ? cfg : (ObjectNode) json.get(path.substring(0, dot));
            section.set(path.substring(dot + 1), tree(value));
        });
        json.set("NetworkSettings", networkSettings(c, networkIds));
        return json;
    }

    private static ObjectNode networkSettings(ContainerView c, Map<String, String> networkIds) {
        ObjectNode settings = NODES.objectNode();
        settings.put("Bridge", "");
        settings.put("SandboxID", c.network() == null ? "" : c.id());
        settings.put("HairpinMode", false);
        settings.put("LinkLocalIPv6Address", "");
        settings.put("LinkLocalIPv6PrefixLen", 0);
        settings.set("Ports", PortsJson.published(c));
        settings.put("SandboxKey", c.network() == null ? "" : c.network().sandboxKey());
        settings.putNull("SecondaryIPAddresses");
        settings.putNull("SecondaryIPv6Addresses");
        // The deprecated top-level fields describe the default network's endpoint, as Docker fills them.
        EndpointInfo onDefault = c.network() == null ? null : c.network().endpoints().get("bridge");
        settings.put("EndpointID", onDefault == null ? "" : onDefault.endpointId());
        settings.put("Gateway", onDefault == null || onDefault.gateway() == null ? "" : onDefault.gateway());
        settings.put("GlobalIPv6Address", "");
        settings.put("GlobalIPv6PrefixLen", 0);
        settings.put("IPAddress", onDefault == null ? "" : onDefault.ipv4Address());
        settings.put("IPPrefixLen", onDefault == null ? 0 : onDefault.prefixLength());
        settings.put("IPv6Gateway", "");
        settings.put("MacAddress", onDefault == null ? "" : onDefault.macAddress());
        settings.set("Networks", networks(c, networkIds));
        return settings;
    }

    /** Per network: the endpoint while it runs; the network alone, with empty addresses, while it does not. */
    static ObjectNode networks(ContainerView c, Map<String, String> networkIds) {
        ObjectNode networks = NODES.objectNode();
        ContainerConfig config = c.config();
        if (config.networkMode() instanceof NetworkMode.Container) {
            return networks; // a joiner has no network of its own, as in Docker
        }
        if (!config.joinsNetworks()) {
            String mode = config.networkMode().text();
            networks.set(mode, endpoint(null, EndpointSpec.DYNAMIC, networkIds.getOrDefault(mode, "")));
            return networks;
        }
        config.networks().forEach((name, spec) -> {
            EndpointInfo endpoint = c.network() == null ? null : c.network().endpoints().get(name);
            networks.set(name, endpoint(endpoint, spec, endpoint != null ? endpoint.networkId() : networkIds.getOrDefault(name, "")));
        });
        return networks;
    }

    private static ObjectNode endpoint(EndpointInfo endpoint, EndpointSpec spec, String networkId) {
        ObjectNode json = NODES.objectNode();
        if (spec.ipv4Address() == null) {
            json.putNull("IPAMConfig");
        } else {
            json.putObject("IPAMConfig").put("IPv4Address", spec.ipv4Address());
        }
        json.putNull("Links");
        json.set("Aliases", spec.aliases().isEmpty() ? NODES.nullNode() : strings(spec.aliases()));
        json.put("MacAddress", endpoint == null ? "" : endpoint.macAddress());
        json.putNull("DriverOpts");
        json.put("GwPriority", 0);
        json.put("NetworkID", networkId);
        json.put("EndpointID", endpoint == null ? "" : endpoint.endpointId());
        json.put("Gateway", endpoint == null || endpoint.gateway() == null ? "" : endpoint.gateway());
        json.put("IPAddress", endpoint == null ? "" : endpoint.ipv4Address());
        json.put("IPPrefixLen", endpoint == null ? 0 : endpoint.prefixLength());
        json.put("IPv6Gateway", "");
        json.put("GlobalIPv6Address", "");
        json.put("GlobalIPv6PrefixLen", 0);
        // The names the embedded DNS answers for it; none on the default bridge, which has no embedded DNS (as Docker).
        boolean named = endpoint != null && !endpoint.dnsNames().isEmpty() && !"bridge".equals(endpoint.networkName());
        json.set("DNSNames", named ? strings(endpoint.dnsNames()) : NODES.nullNode());
        return json;
    }

    /** One line of {@code GET /containers/json}. */
    static ObjectNode summary(ContainerView c, Map<String, String> networkIds, Instant now) {
        ContainerConfig config = c.config();
        ObjectNode json = NODES.objectNode();
        json.put("Id", c.id());
        json.set("Names", strings(List.of("/" + c.name())));
        json.put("Image", config.image());
        json.put("ImageID", imageId(config.image()));
        json.put("Command", String.join(" ", config.cmd()));
        json.put("Created", config.created().getEpochSecond());
        json.set("Ports", PortsJson.summary(c));
        ObjectNode labels = json.putObject("Labels");
        config.labels().forEach(labels::put);
        json.put("State", c.status().dockerName());
        json.put("Status", status(c, now));
        json.putObject("HostConfig").put("NetworkMode", config.networkMode().text());
        json.putObject("NetworkSettings").set("Networks", networks(c, networkIds));
        json.putArray("Mounts");
        return json;
    }

    /**
     * The id of the image a container was created from, derived from its name as a pulled image's is (the image may
     * have been removed since, as in Docker); empty for an embedded container's label that is no image name.
     */
    static String imageId(String image) {
        return ImageReference.of(image).map(ImageReference::id).orElse("");
    }

    /** Docker's human status: "Up 3 seconds", "Exited (0) 2 minutes ago", "Created". */
    static String status(ContainerView c, Instant now) {
        return switch (c.status()) {
            case CREATED -> "Created";
            case RUNNING -> "Up " + ago(Duration.between(c.startedAt(), now));
            case RESTARTING -> "Restarting (" + c.exitCode() + ") " + ago(Duration.between(c.finishedAt(), now)) + " ago";
            case EXITED -> "Exited (" + c.exitCode() + ") " + ago(Duration.between(c.finishedAt(), now)) + " ago";
        };
    }

    private static String ago(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 1) {
            return "Less than a second";
        }
        if (s < 60) {
            return s + (s == 1 ? " second" : " seconds");
        }
        long m = s / 60;
        if (m < 60) {
            return m == 1 ? "About a minute" : m + " minutes";
        }
        long h = m / 60;
        return h == 1 ? "About an hour" : h + " hours";
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode array = NODES.arrayNode();
        values.forEach(array::add);
        return array;
    }

    /** JSON text the gateway itself wrote at the creation. */
    private static JsonNode tree(String json) {
        try {
            return DockerJson.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("kept setting is not JSON: " + json, e);
        }
    }

    private static String time(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant);
    }
}
