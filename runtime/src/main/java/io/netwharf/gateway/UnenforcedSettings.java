package io.netwharf.gateway;

import io.netwharf.protocol.model.NetwharfException;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The settings of {@code POST /containers/create} (the v1.51 spec's ContainerConfig and HostConfig) that netwharf
 * does not act on, each classified, so that none is dropped silently: a user must never believe a restriction holds
 * when it does not.
 *
 * <ul>
 *   <li>{@link Verdict#REFUSE}: it restricts or isolates something (mounts, capabilities, cgroup limits, namespaces
 *       other than the network's): a 400 naming the field and the docker CLI flag.</li>
 *   <li>{@link Verdict#WARN}: it only describes (metadata, build-time settings): accepted with a warning in the
 *       create answer's {@code Warnings}, Docker's own way, and kept for inspect.</li>
 * </ul>
 *
 * A value that is null, false, 0, "" or empty is absent: clients send every field with its zero value (the docker CLI
 * sends {@code "Memory":0}, {@code "MemorySwappiness":-1}, {@code "Dns":[]}...). Fields are matched case-insensitively,
 * as Docker's JSON decoding and the gateway's mapper match them. Not classified, because Docker itself does nothing
 * with them here: {@code AttachStdin/Stdout/Stderr} (the client's own plan to attach); {@code OpenStdin} and
 * {@code StdinOnce} are acted on ({@link ContainerCreateBody}), {@code ArgsEscaped} (Windows), {@code ContainerIDFile} (the CLI writes that file itself),
 * {@code ConsoleSize} (terminals, refused with {@code Tty}), and the endpoint fields that are answers, not requests
 * ({@code NetworkID}, {@code IPAddress}...).
 */
final class UnenforcedSettings {
    enum Verdict { REFUSE, WARN }

    /**
     * One setting: where it is in the body, the flag a docker CLI user gave, and what netwharf does not do (for a
     * refusal, completing "netwharf does not ...") or why it is only kept (for a warning).
     */
    private record Setting(String section, String field, String flag, Verdict verdict, String what, Predicate<JsonNode> absent) {
        String path() {
            return section.isEmpty() ? field : section + "." + field;
        }

        String refusal() {
            return "netwharf does not " + what + ": create the container without " + flag + " (" + path() + ")";
        }

        String warning() {
            return path() + " (" + flag + ") is kept but netwharf does not act on it: " + what;
        }
    }

    private static final String CONFIG = "";
    private static final String HOST = "HostConfig";
    private static final Predicate<JsonNode> ZERO = UnenforcedSettings::zero;
    /** The modes that name the host's own namespace: a netwharf process is in the host's, so these hold as asked. */
    private static final Predicate<JsonNode> ZERO_OR_HOST = v -> zero(v) || (v.isTextual() && v.asText().equals("host"));
    private static final List<Setting> SETTINGS = new ArrayList<>();

    static {
        // ---- ContainerConfig ----
        refuse(CONFIG, "Volumes", "-v", "mount volumes: the process sees the host's filesystem");
        refuse(CONFIG, "Healthcheck", "--health-cmd", "run health checks", UnenforcedSettings::noHealthcheck);
        refuse(CONFIG, "NetworkDisabled", "--network none", "disable networking this way: create it in network mode none");
        warn(CONFIG, "OnBuild", "ONBUILD", "it is used by image builds only");
        warn(CONFIG, "Shell", "SHELL", "it is used by image builds only");

        // ---- HostConfig: resource limits (cgroups) ----
        String limits = "enforce resource limits (it makes no cgroup)";
        for (String[] limit : new String[][] {{"CpuShares", "--cpu-shares"}, {"Memory", "--memory"}, {"CgroupParent", "--cgroup-parent"},
                {"BlkioWeight", "--blkio-weight"}, {"BlkioWeightDevice", "--blkio-weight-device"},
                {"BlkioDeviceReadBps", "--device-read-bps"}, {"BlkioDeviceWriteBps", "--device-write-bps"},
                {"BlkioDeviceReadIOps", "--device-read-iops"}, {"BlkioDeviceWriteIOps", "--device-write-iops"},
                {"CpuPeriod", "--cpu-period"}, {"CpuQuota", "--cpu-quota"}, {"CpuRealtimePeriod", "--cpu-rt-period"},
                {"CpuRealtimeRuntime", "--cpu-rt-runtime"}, {"CpusetCpus", "--cpuset-cpus"}, {"CpusetMems", "--cpuset-mems"},
                {"KernelMemoryTCP", "--kernel-memory-tcp"}, {"MemoryReservation", "--memory-reservation"},
                {"MemorySwap", "--memory-swap"}, {"NanoCpus", "--cpus"}, {"OomKillDisable", "--oom-kill-disable"},
                {"Ulimits", "--ulimit"}, {"CpuCount", "--cpu-count"}, {"CpuPercent", "--cpu-percent"},
                {"IOMaximumIOps", "--io-maxiops"}, {"IOMaximumBandwidth", "--io-maxbandwidth"}, {"ShmSize", "--shm-size"},
                {"OomScoreAdj", "--oom-score-adj"}, {"StorageOpt", "--storage-opt"},
                // Gone from the spec since v1.42, still sent by older clients (docker-java, docker-py).
                {"KernelMemory", "--kernel-memory"}}) {
            refuse(HOST, limit[0], limit[1], limits);
        }
        // The CLI sends -1 for "not set"; 0 and below mean no limit.
        refuse(HOST, "MemorySwappiness", "--memory-swappiness", limits, v -> zero(v) || (v.isNumber() && v.asLong() == -1));
        refuse(HOST, "PidsLimit", "--pids-limit", limits, v -> zero(v) || (v.isNumber() && v.asLong() <= 0));

        // ---- HostConfig: filesystem ----
        String mounts = "mount anything: the process sees the host's filesystem";
        refuse(HOST, "Binds", "-v", mounts);
        refuse(HOST, "Mounts", "--mount", mounts);
        refuse(HOST, "VolumeDriver", "--volume-driver", mounts);
        refuse(HOST, "VolumesFrom", "--volumes-from", mounts);
        refuse(HOST, "Tmpfs", "--tmpfs", mounts);
        refuse(HOST, "ReadonlyRootfs", "--read-only", "make the filesystem read-only: the process sees the host's filesystem");

        // ---- HostConfig: privileges and isolation ----
        String privileges = "change the process's privileges (it keeps the capabilities of the user it runs as)";
        refuse(HOST, "CapAdd", "--cap-add", privileges);
        refuse(HOST, "CapDrop", "--cap-drop", privileges);
        refuse(HOST, "Privileged", "--privileged", privileges);
        refuse(HOST, "SecurityOpt", "--security-opt", "apply security options (no seccomp, AppArmor, SELinux or no-new-privileges)");
        refuse(HOST, "MaskedPaths", "--security-opt systempaths=unconfined", "mask paths: the process sees the host's filesystem");
        refuse(HOST, "ReadonlyPaths", "--security-opt systempaths=unconfined", "mask paths: the process sees the host's filesystem");
        refuse(HOST, "Devices", "--device", "control access to devices");
        refuse(HOST, "DeviceCgroupRules", "--device-cgroup-rule", "control access to devices");
        refuse(HOST, "DeviceRequests", "--gpus", "control access to devices");
        refuse(HOST, "Sysctls", "--sysctl", "set sysctls");
        refuse(HOST, "Init", "--init", "run an init process");
        refuse(HOST, "Runtime", "--runtime", "use OCI runtimes");
        refuse(HOST, "Isolation", "--isolation", "offer isolation technologies", v -> zero(v) || (v.isTextual() && v.asText().equals("default")));
        String namespaces = "make namespaces other than the network's: the process is in the host's";
        refuse(HOST, "IpcMode", "--ipc", namespaces, ZERO_OR_HOST);
        refuse(HOST, "PidMode", "--pid", namespaces, ZERO_OR_HOST);
        // host: as the network mode allows (ContainerCreateBody).
        refuse(HOST, "UTSMode", "--uts", namespaces, ZERO_OR_HOST);
        refuse(HOST, "UsernsMode", "--userns", namespaces, ZERO_OR_HOST);
        refuse(HOST, "CgroupnsMode", "--cgroupns", namespaces, ZERO_OR_HOST);
        refuse(HOST, "Cgroup", "--cgroup", namespaces, ZERO_OR_HOST);
        refuse(HOST, "Links", "--link", "provide legacy links: put the containers on a user-defined network");

        // ---- HostConfig: descriptive ----
        warn(HOST, "Annotations", "--annotation", "annotations are for OCI runtimes, which netwharf does not use");
        warn(HOST, "LogConfig", "--log-driver", "netwharf keeps the output in a json-file log of its own, without rotation (docker logs reads it)",
                v -> zero(v) || zero(field(v, "Type")));
    }

    private static void refuse(String section, String field, String flag, String what) {
        refuse(section, field, flag, what, ZERO);
    }

    private static void refuse(String section, String field, String flag, String what, Predicate<JsonNode> absent) {
        SETTINGS.add(new Setting(section, field, flag, Verdict.REFUSE, what, absent));
    }

    private static void warn(String section, String field, String flag, String why) {
        warn(section, field, flag, why, ZERO);
    }

    private static void warn(String section, String field, String flag, String why, Predicate<JsonNode> absent) {
        SETTINGS.add(new Setting(section, field, flag, Verdict.WARN, why, absent));
    }

    /** What a body asked of the settings netwharf only keeps: the warnings, and the values by path for inspect. */
    record Kept(List<String> warnings, Map<String, JsonNode> values) {}

    private UnenforcedSettings() {}

    /**
     * Refuses (400) the first setting of {@code body} that netwharf does not enforce, in the order of the spec;
     * otherwise answers the descriptive settings given, with their warnings.
     */
    static Kept check(JsonNode body) {
        List<String> warnings = new ArrayList<>();
        Map<String, JsonNode> values = new LinkedHashMap<>();
        for (Setting setting : SETTINGS) {
            JsonNode section = setting.section().isEmpty() ? body : field(body, setting.section());
            JsonNode value = field(section, setting.field());
            if (setting.absent().test(value)) {
                continue;
            }
            if (setting.verdict() == Verdict.WARN) {
                warnings.add(setting.warning());
                values.put(setting.path(), value);
            } else {
                throw NetwharfException.badParameter(setting.refusal());
            }
        }
        checkEndpoints(field(field(body, "NetworkingConfig"), "EndpointsConfig"));
        return new Kept(warnings, values);
    }

    /** An endpoint's settings that netwharf does not act on: legacy links, link-local addresses, gateway priority. */
    private static void checkEndpoints(JsonNode endpoints) {
        if (endpoints == null || !endpoints.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = endpoints.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> endpoint = it.next();
            String where = "NetworkingConfig.EndpointsConfig." + endpoint.getKey() + ".";
            if (!zero(field(endpoint.getValue(), "Links"))) {
                throw NetwharfException.badParameter("netwharf does not provide legacy links: put the containers on a user-defined network: "
                        + "create the container without --link (" + where + "Links)");
            }
            if (!zero(field(field(endpoint.getValue(), "IPAMConfig"), "LinkLocalIPs"))) {
                throw NetwharfException.badParameter("netwharf does not assign link-local addresses: create the container without "
                        + "--link-local-ip (" + where + "IPAMConfig.LinkLocalIPs)");
            }
            if (!zero(field(endpoint.getValue(), "GwPriority"))) {
                throw NetwharfException.badParameter("netwharf does not choose the default route by priority: create the container "
                        + "without --gw-priority (" + where + "GwPriority)");
            }
        }
    }

    /** null, false, 0, "", [] or {}: what clients send for a setting they were not given. */
    static boolean zero(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return true;
        }
        if (value.isBoolean()) {
            return !value.booleanValue();
        }
        if (value.isNumber()) {
            return value.decimalValue().signum() == 0;
        }
        if (value.isTextual()) {
            return value.textValue().isEmpty();
        }
        return value.isContainerNode() && value.isEmpty();
    }

    /** No health check: none given, one with no test (an image's would be inherited: there is none), or NONE. */
    private static boolean noHealthcheck(JsonNode value) {
        JsonNode test = field(value, "Test");
        return zero(value) || zero(test) || (test.isArray() && test.get(0).isTextual() && test.get(0).asText().equals("NONE"));
    }

    /** {@code name} in {@code object}: the exact name first, else ignoring case, as Go's JSON decoding matches fields. */
    static JsonNode field(JsonNode object, String name) {
        if (object == null || !object.isObject()) {
            return null;
        }
        JsonNode exact = object.get(name);
        if (exact != null) {
            return exact;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (entry.getKey().equalsIgnoreCase(name)) {
                return entry.getValue();
            }
        }
        return null;
    }
}
