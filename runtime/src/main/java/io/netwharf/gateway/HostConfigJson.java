package io.netwharf.gateway;

import io.netwharf.container.ContainerConfig;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * A container's {@code HostConfig} in inspect, with every key Docker 28 returns for it, in Docker's order (the v1.51
 * spec's HostConfig; the keys Docker leaves out when unset, such as {@code Init}, {@code Mounts}, {@code Sysctls},
 * are left out here too). What netwharf keeps is shown as kept; what it does in its own way is shown as it is (the
 * process is in the host's IPC, PID and cgroup namespaces, nothing is masked, there is no private {@code /dev/shm});
 * every other setting has Docker's value for "not set", since netwharf refuses them (see {@link UnenforcedSettings}).
 * Clients read these keys without checking ({@code docker inspect -f '{{.HostConfig.Dns}}'}, compose, the SDKs).
 */
final class HostConfigJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** The log driver whose format the container's log has (Docker's json-file: one JSON line per write, with its stream). */
    static final String LOG_DRIVER = "json-file";

    private HostConfigJson() {}

    static ObjectNode of(ContainerConfig config) {
        ObjectNode json = NODES.objectNode();
        json.putNull("Binds");
        json.put("ContainerIDFile", "");
        json.putObject("LogConfig").put("Type", LOG_DRIVER).putObject("Config");
        json.put("NetworkMode", config.networkMode().text());
        json.set("PortBindings", PortsJson.bindings(config.ports()));
        ObjectNode restart = json.putObject("RestartPolicy");
        restart.put("Name", config.restartPolicy().name());
        restart.put("MaximumRetryCount", config.restartPolicy().maximumRetryCount());
        json.put("AutoRemove", config.autoRemove());
        json.put("VolumeDriver", "");
        json.putNull("VolumesFrom");
        json.putArray("ConsoleSize").add(0).add(0);
        json.putNull("CapAdd");
        json.putNull("CapDrop");
        json.put("CgroupnsMode", "host");
        // As Docker shows them: the DNS lists always, the hosts entries and groups null when none.
        json.set("Dns", strings(config.names().dns()));
        json.set("DnsOptions", strings(config.names().dnsOptions()));
        json.set("DnsSearch", strings(config.names().dnsSearch()));
        json.set("ExtraHosts", config.names().extraHosts().isEmpty() ? NODES.nullNode() : strings(config.names().extraHosts()));
        json.set("GroupAdd", config.groupAdd().isEmpty() ? NODES.nullNode() : strings(config.groupAdd()));
        json.put("IpcMode", "host");
        json.put("Cgroup", "");
        json.putNull("Links");
        json.put("OomScoreAdj", 0);
        json.put("PidMode", "host");
        json.put("Privileged", false);
        json.put("PublishAllPorts", config.ports().publishAll());
        json.put("ReadonlyRootfs", false);
        json.putNull("SecurityOpt");
        json.put("UTSMode", "");
        json.put("UsernsMode", "");
        json.put("ShmSize", 0);
        json.put("Runtime", ""); // no OCI runtime: netwharf starts the process itself
        json.put("Isolation", "");
        resources(json);
        json.putNull("MaskedPaths");
        json.putNull("ReadonlyPaths");
        return json;
    }

    /** Docker's Resources, all unset: netwharf makes no cgroup and refuses limits. */
    private static void resources(ObjectNode json) {
        for (String zero : List.of("CpuShares", "Memory", "NanoCpus")) {
            json.put(zero, 0);
        }
        json.put("CgroupParent", "");
        json.put("BlkioWeight", 0);
        for (String empty : List.of("BlkioWeightDevice", "BlkioDeviceReadBps", "BlkioDeviceWriteBps", "BlkioDeviceReadIOps",
                "BlkioDeviceWriteIOps")) {
            json.putArray(empty);
        }
        for (String zero : List.of("CpuPeriod", "CpuQuota", "CpuRealtimePeriod", "CpuRealtimeRuntime")) {
            json.put(zero, 0);
        }
        json.put("CpusetCpus", "");
        json.put("CpusetMems", "");
        json.putArray("Devices");
        json.putNull("DeviceCgroupRules");
        json.putNull("DeviceRequests");
        json.put("MemoryReservation", 0);
        json.put("MemorySwap", 0);
        json.putNull("MemorySwappiness");
        json.put("OomKillDisable", false);
        json.putNull("PidsLimit");
        json.putArray("Ulimits");
        for (String zero : List.of("CpuCount", "CpuPercent", "IOMaximumIOps", "IOMaximumBandwidth")) {
            json.put(zero, 0);
        }
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode array = NODES.arrayNode();
        values.forEach(array::add);
        return array;
    }
}
