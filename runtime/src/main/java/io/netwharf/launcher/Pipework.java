package io.netwharf.launcher;

import io.netwharf.ipam.Ipv4;
import io.netwharf.ipam.Ipv4Subnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * pipework's job done through a running daemon's Docker Engine API: give a container of netwharf's an interface on a
 * host link with a given address. A bridge joins (or makes) the bridge network on that bridge; any other link gets a
 * macvlan network on it as parent; a link that does not exist is made as a bridge when its name starts with
 * {@code br}, as pipework does. The network is found among the daemon's (by bridge name or macvlan parent) or created
 * as {@code pipework-<host-if>} on the address's subnet; the container is then connected with the address, the MAC
 * and the interface name asked. A container in {@code none} mode, pipework's usual case, is connected too: the
 * request carries the endpoint option {@link #NONE_MODE_OPTION} (Docker refuses to connect a {@code none} container,
 * and so does netwharf without that option).
 *
 * <p>Which kind a host link is, is read from {@code /sys/class/net} in this process's network namespace: run it
 * where the daemon runs, as pipework runs on the host.
 */
final class Pipework {
    /** Endpoint driver option: connect even though the container is in {@code none} mode (pipework's use). */
    static final String NONE_MODE_OPTION = "io.netwharf.pipework";
    /** Docker's endpoint driver option for the interface's name inside the container (Docker 28). */
    static final String IFNAME_OPTION = "com.docker.network.endpoint.ifname";
    private static final String BRIDGE_NAME_OPTION = "com.docker.network.bridge.name";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What was done, for the command to print. */
    record Outcome(String container, String network, boolean networkCreated, String driver) {}

    private final ApiClient api;
    private final Path sysClassNet;

    Pipework(ApiClient api, Path sysClassNet) {
        this.api = api;
        this.sysClassNet = sysClassNet;
    }

    Outcome apply(PipeworkRequest request) throws IOException {
        JsonNode container = found(api.get("/containers/" + encode(request.container()) + "/json"), "container " + request.container());
        if (!container.path("State").path("Running").asBoolean()) {
            throw new IllegalStateException("container " + request.container()
                    + " is not running: its network namespace exists only while it runs (start it first)");
        }
        String driver = driverFor(request.hostInterface());
        JsonNode network = existingNetwork(request.hostInterface());
        boolean created = false;
        if (network == null) {
            network = createNetwork(request, driver);
            created = true;
        } else {
            driver = network.path("Driver").asText();
            checkFits(request, network);
        }
        connect(request, container, network);
        return new Outcome(container.path("Name").asText().replaceFirst("^/", ""), network.path("Name").asText(), created, driver);
    }

    /** bridge or macvlan, from what the host link is (or, absent, pipework's rule: names starting with br are bridges). */
    private String driverFor(String hostInterface) {
        Path link = sysClassNet.resolve(hostInterface);
        if (Files.exists(link)) {
            return Files.isDirectory(link.resolve("bridge")) ? "bridge" : "macvlan";
        }
        if (hostInterface.startsWith("br")) {
            return "bridge";
        }
        throw new IllegalArgumentException("host interface " + hostInterface + " does not exist (a missing one is made, as a "
                + "bridge, only when its name starts with br)");
    }

    /** The daemon's network on that host link: the bridge network on that bridge, or the macvlan network on that parent. */
    private JsonNode existingNetwork(String hostInterface) throws IOException {
        JsonNode networks = JSON.readTree(ok(api.get("/networks"), "list networks").body());
        for (JsonNode n : networks) {
            JsonNode options = n.path("Options");
            boolean onBridge = n.path("Driver").asText().equals("bridge") && options.path(BRIDGE_NAME_OPTION).asText().equals(hostInterface);
            boolean onParent = n.path("Driver").asText().equals("macvlan") && options.path("parent").asText().equals(hostInterface);
            if (onBridge || onParent) {
                return n;
            }
        }
        return null;
    }

    private JsonNode createNetwork(PipeworkRequest request, String driver) throws IOException {
        String name = "pipework-" + request.hostInterface();
        ObjectNode body = JSON.createObjectNode();
        body.put("Name", name);
        body.put("Driver", driver);
        body.put("CheckDuplicate", true);
        body.putObject("Options").put(driver.equals("bridge") ? BRIDGE_NAME_OPTION : "parent", request.hostInterface());
        ObjectNode config = body.putObject("IPAM").putArray("Config").addObject();
        config.put("Subnet", request.subnet().toString());
        if (request.gateway() != null) {
            config.put("Gateway", Ipv4.format(request.gateway()));
        }
        String id = JSON.readTree(ok(api.post("/networks/create", JSON.writeValueAsString(body)), "create network " + name).body())
                .path("Id").asText();
        return found(api.get("/networks/" + id), "network " + name);
    }

    /** An existing network must hold the address, and its gateway must be the one asked for, if any. */
    private static void checkFits(PipeworkRequest request, JsonNode network) {
        JsonNode config = network.path("IPAM").path("Config").path(0);
        String name = network.path("Name").asText();
        Ipv4Subnet subnet = Ipv4Subnet.parse(config.path("Subnet").asText());
        if (!subnet.contains(request.address()) || subnet.prefixLength() != request.subnet().prefixLength()) {
            throw new IllegalArgumentException(Ipv4.format(request.address()) + "/" + request.subnet().prefixLength()
                    + " does not fit network " + name + " on " + request.hostInterface() + ", whose subnet is " + subnet);
        }
        if (request.gateway() != null && !config.path("Gateway").asText().equals(Ipv4.format(request.gateway()))) {
            throw new IllegalArgumentException("network " + name + " on " + request.hostInterface() + " has gateway "
                    + config.path("Gateway").asText() + ", not " + Ipv4.format(request.gateway()));
        }
    }

    private void connect(PipeworkRequest request, JsonNode container, JsonNode network) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("Container", container.path("Id").asText());
        ObjectNode endpoint = body.putObject("EndpointConfig");
        endpoint.putObject("IPAMConfig").put("IPv4Address", Ipv4.format(request.address()));
        if (request.mac() != null) {
            endpoint.put("MacAddress", request.mac());
        }
        ObjectNode options = endpoint.putObject("DriverOpts");
        if (request.interfaceName() != null) {
            options.put(IFNAME_OPTION, request.interfaceName());
        }
        if (container.path("HostConfig").path("NetworkMode").asText().equals("none")) {
            options.put(NONE_MODE_OPTION, "true");
        }
        ok(api.post("/networks/" + network.path("Id").asText() + "/connect", JSON.writeValueAsString(body)),
                "connect " + request.container() + " to network " + network.path("Name").asText());
    }

    private static JsonNode found(ApiClient.Response response, String what) throws IOException {
        if (response.status() == 404) {
            throw new IllegalArgumentException("no such " + what);
        }
        return JSON.readTree(ok(response, "inspect " + what).body());
    }

    private static ApiClient.Response ok(ApiClient.Response response, String step) throws IOException {
        if (!response.ok()) {
            String message = response.body();
            try {
                message = JSON.readTree(response.body()).path("message").asText(response.body());
            } catch (IOException e) {
                // not JSON: the body as it came
            }
            throw new IllegalStateException(step + ": " + message);
        }
        return response;
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
