package io.netwharf.gateway;

import io.netwharf.container.ContainerView;
import io.netwharf.container.PortSettings;
import io.netwharf.protocol.model.PortBinding;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * A container's ports in Docker's shapes: {@code Config.ExposedPorts}, {@code HostConfig.PortBindings} as asked,
 * {@code NetworkSettings.Ports} (what {@code docker port} reads) and the list's {@code Ports} (the PORTS column of
 * {@code docker ps}) as published while it runs, with the host ports it got.
 */
final class PortsJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private PortsJson() {}

    /** {@code {"80/tcp": {}}}. */
    static ObjectNode exposed(PortSettings ports) {
        ObjectNode json = NODES.objectNode();
        ports.exposed().forEach(key -> json.putObject(key));
        return json;
    }

    /** {@code {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}}, as asked (an empty HostPort: any). */
    static ObjectNode bindings(PortSettings ports) {
        ObjectNode json = NODES.objectNode();
        for (PortBinding b : ports.bindings()) {
            ArrayNode list = json.has(b.containerKey()) ? (ArrayNode) json.get(b.containerKey()) : json.putArray(b.containerKey());
            String hostPort = b.hostPort() == 0 ? "" : b.hostPortEnd() > b.hostPort() ? b.hostPort() + "-" + b.hostPortEnd()
                    : Integer.toString(b.hostPort());
            list.addObject().put("HostIp", b.hostIp()).put("HostPort", hostPort);
        }
        return json;
    }

    /**
     * {@code NetworkSettings.Ports}: each exposed port with its bindings as published, null when not published;
     * empty while the container does not run (nothing is published then).
     */
    static ObjectNode published(ContainerView c) {
        ObjectNode json = NODES.objectNode();
        if (c.network() == null) {
            return json;
        }
        List<PortBinding> published = c.network().ports();
        for (String key : c.config().ports().exposed()) {
            json.putNull(key);
        }
        for (PortBinding b : published) {
            ArrayNode list = json.get(b.containerKey()) instanceof ArrayNode a ? a : json.putArray(b.containerKey());
            list.addObject().put("HostIp", hostIp(b)).put("HostPort", Integer.toString(b.hostPort()));
        }
        return json;
    }

    /** The list's {@code Ports}: published ones with their host side, exposed ones without. */
    static ArrayNode summary(ContainerView c) {
        ArrayNode json = NODES.arrayNode();
        List<PortBinding> published = c.network() == null ? List.of() : c.network().ports();
        for (PortBinding b : published) {
            json.addObject().put("IP", hostIp(b)).put("PrivatePort", b.containerPort()).put("PublicPort", b.hostPort())
                    .put("Type", b.protocol());
        }
        for (String key : c.config().ports().exposed()) {
            if (published.stream().noneMatch(b -> b.containerKey().equals(key))) {
                int slash = key.indexOf('/');
                json.addObject().put("PrivatePort", Integer.parseInt(key.substring(0, slash))).put("Type", key.substring(slash + 1));
            }
        }
        return json;
    }

    private static String hostIp(PortBinding b) {
        return b.hostIp().isEmpty() ? "0.0.0.0" : b.hostIp();
    }
}
