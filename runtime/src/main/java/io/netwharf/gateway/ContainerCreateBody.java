package io.netwharf.gateway;

import io.netwharf.container.ContainerRequest;
import io.netwharf.container.NameSettings;
import io.netwharf.container.PortSettings;
import io.netwharf.container.RestartPolicy;
import io.netwharf.container.StdinSettings;
import io.netwharf.protocol.model.EndpointSpec;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.model.NetworkMode;
import io.netwharf.protocol.model.PortBinding;

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
 * The body of {@code POST /containers/create}: the fields netwharf acts on. The spec's fields it does not act on are
 * refused or kept with a warning by {@link UnenforcedSettings}; fields the spec does not have are ignored, as Docker
 * ignores those of other versions. {@code Cmd} and {@code Entrypoint} take a string or a list, as Docker's do. A null
 * among the strings ({@code "Cmd":[null]}) is refused with a 400 naming the field, rather than failing later as a 500.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record ContainerCreateBody(@JsonProperty("Image") String image,
                           @JsonProperty("Hostname") String hostname,
                           @JsonProperty("Domainname") String domainname,
                           @JsonProperty("Cmd") @JsonSetter(contentNulls = Nulls.FAIL)
                           @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> cmd,
                           @JsonProperty("Entrypoint") @JsonSetter(contentNulls = Nulls.FAIL)
                           @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> entrypoint,
                           @JsonProperty("Env") @JsonSetter(contentNulls = Nulls.FAIL) List<String> env,
                           @JsonProperty("WorkingDir") String workingDir,
                           @JsonProperty("User") String user,
                           @JsonProperty("MacAddress") String macAddress,
                           @JsonProperty("StopSignal") String stopSignal,
                           @JsonProperty("StopTimeout") Integer stopTimeout,
                           @JsonProperty("Labels") @JsonSetter(contentNulls = Nulls.FAIL) Map<String, String> labels,
                           @JsonProperty("Tty") boolean tty,
                           @JsonProperty("OpenStdin") boolean openStdin,
                           @JsonProperty("StdinOnce") boolean stdinOnce,
                           @JsonProperty("ExposedPorts") Map<String, Object> exposedPorts,
                           @JsonProperty("HostConfig") HostConfig hostConfig,
                           @JsonProperty("NetworkingConfig") NetworkingConfig networkingConfig) {

    @JsonIgnoreProperties(ignoreUnknown = true)
    record HostConfig(@JsonProperty("NetworkMode") String networkMode,
                      @JsonProperty("PortBindings") Map<String, Object> portBindings,
                      @JsonProperty("PublishAllPorts") boolean publishAllPorts,
                      @JsonProperty("AutoRemove") boolean autoRemove,
                      @JsonProperty("RestartPolicy") Restart restartPolicy,
                      @JsonProperty("GroupAdd") @JsonSetter(contentNulls = Nulls.FAIL) List<String> groupAdd,
                      @JsonProperty("UTSMode") String utsMode,
                      @JsonProperty("Dns") @JsonSetter(contentNulls = Nulls.FAIL) List<String> dns,
                      @JsonProperty("DnsSearch") @JsonSetter(contentNulls = Nulls.FAIL) List<String> dnsSearch,
                      @JsonProperty("DnsOptions") @JsonSetter(contentNulls = Nulls.FAIL) List<String> dnsOptions,
                      @JsonProperty("ExtraHosts") @JsonSetter(contentNulls = Nulls.FAIL) List<String> extraHosts) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Restart(@JsonProperty("Name") String name, @JsonProperty("MaximumRetryCount") Integer maximumRetryCount) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record NetworkingConfig(@JsonProperty("EndpointsConfig") Map<String, NetworkJson.EndpointConfig> endpointsConfig) {}

    /** The deprecated container-wide MacAddress, moved to its endpoint as Docker moves it (v1.44 and later). */
    static final String MAC_DEPRECATED = "The container-wide MacAddress field is now deprecated. It should be specified in EndpointsConfig instead.";

    /**
     * What is asked, for the engine; refuses first what netwharf cannot honour. {@code kept} are the descriptive
     * settings of the body ({@link UnenforcedSettings}), kept for inspect; {@code warnings} receives what the create
     * answer must warn of.
     */
    ContainerRequest request(String name, Map<String, String> kept, List<String> warnings) {
        checkSupported();
        Map<String, EndpointSpec> endpoints = endpoints();
        if (macAddress != null && !macAddress.isEmpty()) {
            moveMacToEndpoint(endpoints);
            warnings.add(MAC_DEPRECATED);
        }
        return new ContainerRequest(name, image, command(), env, workingDir, user, hostConfig == null ? null : hostConfig.groupAdd(),
                networkMode(), endpoints, labels, kept, stopSignal, stopTimeout, hostConfig != null && hostConfig.autoRemove(),
                restartPolicy(), names(), ports(warnings), new StdinSettings(openStdin, openStdin && stdinOnce));
    }

    /** Docker's text for published ports that go nowhere in host mode (the daemon's create warning). */
    static final String PORTS_IN_HOST_MODE = "Published ports are discarded when using host network mode";

    /**
     * {@code ExposedPorts}, {@code PortBindings} and {@code PublishAllPorts}, checked with Docker's words
     * ({@code invalid port specification: "x"}); in host mode the bindings are dropped with Docker's warning, as the
     * process already listens on the host's addresses.
     */
    private PortSettings ports(List<String> warnings) {
        List<String> exposed = new ArrayList<>();
        if (exposedPorts != null) {
            exposedPorts.keySet().forEach(key -> exposed.add(portKey(key).containerKey()));
        }
        List<PortBinding> bindings = new ArrayList<>();
        boolean publishAll = hostConfig != null && hostConfig.publishAllPorts();
        if (hostConfig != null && hostConfig.portBindings() != null) {
            hostConfig.portBindings().forEach((key, value) -> {
                PortBinding port = portKey(key);
                if (!exposed.contains(port.containerKey())) {
                    exposed.add(port.containerKey()); // a published port is exposed, as the docker CLI says it is
                }
                if (value == null) {
                    return;
                }
                if (!(value instanceof List<?> list)) {
                    throw NetwharfException.badParameter("invalid port bindings for " + key + ": expected a list of {HostIp, HostPort}");
                }
                for (Object entry : list) {
                    bindings.add(binding(port, entry));
                }
            });
        }
        if ((!bindings.isEmpty() || publishAll) && NetworkMode.parse(networkMode()) instanceof NetworkMode.Host) {
            warnings.add(PORTS_IN_HOST_MODE);
            return new PortSettings(exposed, List.of(), false);
        }
        if ((!bindings.isEmpty() || publishAll) && NetworkMode.parse(networkMode()) instanceof NetworkMode.Container) {
            throw NetwharfException.badParameter("conflicting options: port publishing and the container type network mode");
        }
        return new PortSettings(exposed, bindings, publishAll);
    }

    /** A key of ExposedPorts or PortBindings, {@code 80/tcp} or {@code 80}: the container port, as a binding to nothing. */
    private static PortBinding portKey(String key) {
        int slash = key.indexOf('/');
        String port = slash < 0 ? key : key.substring(0, slash);
        String protocol = slash < 0 ? "tcp" : key.substring(slash + 1).toLowerCase(java.util.Locale.ROOT);
        int number = portNumber(port, port);
        if (number < 1) {
            throw NetwharfException.badParameter("invalid port specification: \"" + port + "\"");
        }
        return new PortBinding("", 0, 0, number, protocol.isEmpty() ? "tcp" : protocol);
    }

    /** One {@code {HostIp, HostPort}} of a container port: HostPort empty (any), a port, or a range {@code 8000-8010}. */
    private static PortBinding binding(PortBinding port, Object entry) {
        if (!(entry instanceof Map<?, ?> fields)) {
            throw NetwharfException.badParameter("invalid port binding for " + port.containerKey() + ": expected {HostIp, HostPort}");
        }
        String hostIp = fields.get("HostIp") == null ? "" : fields.get("HostIp").toString();
        String hostPort = fields.get("HostPort") == null ? "" : fields.get("HostPort").toString();
        int start = 0;
        int end = 0;
        if (!hostPort.isEmpty()) {
            int dash = hostPort.indexOf('-');
            start = portNumber(dash < 0 ? hostPort : hostPort.substring(0, dash), hostPort);
            end = dash < 0 ? start : portNumber(hostPort.substring(dash + 1), hostPort);
            if (end < start) {
                throw NetwharfException.badParameter("invalid port specification: \"" + hostPort + "\"");
            }
        }
        return new PortBinding(hostIp, start, end, port.containerPort(), port.protocol());
    }

    /** A port number 0..65535 in ASCII digits, else Docker's refusal naming {@code spec}. */
    private static int portNumber(String text, String spec) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(ch -> ch >= '0' && ch <= '9')
                || Integer.parseInt(text) > 65535) {
            throw NetwharfException.badParameter("invalid port specification: \"" + spec + "\"");
        }
        return Integer.parseInt(text);
    }

    /** Host name, DNS settings and hosts entries, as given: the engine checks them with Docker's rules and messages. */
    private NameSettings names() {
        return hostConfig == null ? new NameSettings(hostname, domainname, null, null, null, null)
                : new NameSettings(hostname, domainname, hostConfig.dns(), hostConfig.dnsSearch(), hostConfig.dnsOptions(),
                hostConfig.extraHosts());
    }

    /**
     * Docker's {@code handleMACAddressBC}: the container-wide MAC goes to the endpoint of the mode's network (made
     * when no endpoint is given); it must agree with that endpoint's own. A container in host, none or container mode
     * has no interface of its own for it: refused, in Docker's words (where Docker 28 would warn and drop it).
     */
    private void moveMacToEndpoint(Map<String, EndpointSpec> endpoints) {
        NetworkMode mode = NetworkMode.parse(networkMode());
        if (!mode.joinsNetworks()) {
            throw NetwharfException.badParameter("conflicting options: mac-address and the network mode");
        }
        String modeNetwork = NetworkMode.networkReference(networkMode());
        if (endpoints.isEmpty()) {
            endpoints.put(modeNetwork, new EndpointSpec(null, List.of(), macAddress, null, false));
            return;
        }
        // "default" and "bridge" name the same network, whichever the client wrote where.
        String modeName = endpoints.keySet().stream().filter(k -> NetworkMode.networkReference(k).equals(modeNetwork))
                .findFirst().orElse(null);
        EndpointSpec endpoint = modeName == null ? null : endpoints.get(modeName);
        if (endpoint == null) {
            throw NetwharfException.badParameter("unable to migrate container-wide MAC address to a specific network: "
                    + "HostConfig.NetworkMode must match the identity of a network in NetworkSettings.Networks");
        }
        if (endpoint.macAddress() != null && !endpoint.macAddress().equals(macAddress)) {
            throw NetwharfException.badParameter(
                    "the container-wide MAC address must match the endpoint-specific MAC address for the main network, or be left empty");
        }
        endpoints.put(modeName, new EndpointSpec(endpoint.ipv4Address(), endpoint.aliases(), macAddress, endpoint.interfaceName(),
                endpoint.noneMode()));
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
            throw NetwharfException.badParameter("no image was given: Image is required (a pulled name: netwharf runs the process on the host's filesystem)");
        }
        if (tty) {
            throw NetwharfException.badParameter("netwharf does not allocate terminals: create the container without -t (Tty)");
        }
        if (exposedPorts != null && !exposedPorts.isEmpty() && NetworkMode.parse(networkMode()) instanceof NetworkMode.Container) {
            // Docker's validateNetContainerMode: the ports would be another container's.
            throw NetwharfException.badParameter("conflicting options: port exposing and the container type network mode");
        }
        checkUtsMode();
    }

    /**
     * {@code --uts host}: the process shares the host's host name. It does in host network mode; in the others it gets
     * a UTS namespace of its own (its {@code --hostname}), so the setting cannot hold there.
     */
    private void checkUtsMode() {
        if (hostConfig == null || !"host".equals(hostConfig.utsMode())) {
            return;
        }
        if (hostname != null && !hostname.isEmpty()) {
            throw NetwharfException.badParameter("conflicting options: hostname and the UTS mode");
        }
        if (!(NetworkMode.parse(networkMode()) instanceof NetworkMode.Host)) {
            throw NetwharfException.badParameter("netwharf gives the process of a container a UTS namespace of its own unless it is in "
                    + "host network mode: create the container without --uts (HostConfig.UTSMode)");
        }
    }

    /** {@code --restart}, checked with Docker's messages. */
    private RestartPolicy restartPolicy() {
        Restart asked = hostConfig == null ? null : hostConfig.restartPolicy();
        return asked == null ? RestartPolicy.NO
                : RestartPolicy.of(asked.name(), asked.maximumRetryCount());
    }
}
