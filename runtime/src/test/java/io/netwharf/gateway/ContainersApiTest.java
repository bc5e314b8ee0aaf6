package io.netwharf.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netwharf.kernel.Netns;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.netwharf.runtime.RuntimeFixture.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad requests on the container side of the Docker API, over HTTP: each gets Docker's 4xx (and message where Docker's
 * is known) and changes nothing — the container list, the network list, the addresses in use, the kernel's
 * namespaces and links, the engine's data root. Also the framing of {@code logs}. Needs root; runs in CI.
 */
class ContainersApiTest extends ApiTest {
    // ---- helpers -------------------------------------------------------------------------------------------------

    private static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private GatewayFixture.Answer create(String name, String body) {
        return gateway.post("/v1.51/containers/create" + (name == null ? "" : "?name=" + q(name)), body);
    }

    private String created(String name, String body) {
        GatewayFixture.Answer a = create(name, body);
        assertEquals(201, a.status(), a.body());
        return a.json().get("Id").asText();
    }

    private void started(String container) {
        GatewayFixture.Answer a = gateway.post("/v1.51/containers/" + container + "/start", null);
        assertEquals(204, a.status(), a.body());
    }

    private JsonNode inspect(String container) {
        GatewayFixture.Answer a = gateway.get("/v1.51/containers/" + container + "/json");
        assertEquals(200, a.status(), a.body());
        return a.json();
    }

    private String state(String container) {
        return inspect(container).get("State").get("Status").asText();
    }

    /** What a refusal must leave alone: containers (less their human status), networks, bridge addresses, data root. */
    private String snapshot() {
        GatewayFixture.Answer containers = gateway.get("/v1.51/containers/json?all=1");
        assertEquals(200, containers.status(), containers.body());
        List<String> shown = new ArrayList<>();
        containers.json().forEach(c -> shown.add(((ObjectNode) c.deepCopy()).without("Status").toString()));
        GatewayFixture.Answer networks = gateway.get("/v1.51/networks");
        assertEquals(200, networks.status(), networks.body());
        List<String> nets = new ArrayList<>();
        networks.json().forEach(n -> nets.add(n.get("Name").asText() + "=" + n.get("Id").asText()));
        return "containers " + shown + "\nnetworks " + nets + "\nbridge addresses " + await(gateway.netwharf.addressesInUse("bridge"))
                + "\ndata " + containerDirectories();
    }

    private List<String> containerDirectories() {
        Path dir = gateway.dataRoot.resolve("containers");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends the request, expects {@code status} (and {@code message} when not null), and that nothing changed. */
    private GatewayFixture.Answer refused(int status, String message, String method, String path, String body) {
        String before = snapshot();
        GatewayFixture.Answer a = gateway.send(method, path, body);
        assertEquals(status, a.status(), () -> method + " " + path + ": " + a.body());
        if (status != 304) {
            assertEquals("application/json", a.header("Content-Type"), method + " " + path);
            if (message != null) {
                assertEquals(message, a.message(), method + " " + path);
            }
        }
        assertEquals(before, snapshot(), () -> method + " " + path + " changed something");
        return a;
    }

    private GatewayFixture.Answer refusedCreate(int status, String name, String body) {
        return refused(status, null, "POST", "/v1.51/containers/create" + (name == null ? "" : "?name=" + q(name)), body);
    }

    private List<String> namespaces() {
        try {
            return gateway.runtime.namespaces();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> links(String container) {
        String key = inspect(container).get("NetworkSettings").get("SandboxKey").asText();
        try (Netns ns = Netns.open(Path.of(key))) {
            return gateway.box.linkNames(ns);
        }
    }

    // ---- create --------------------------------------------------------------------------------------------------

    @Test
    void createRefusesBadBodiesAndNamesAndChangesNothing() {
        String web = created("web", "{\"Image\":\"debian\"}");

        assertTrue(refusedCreate(400, null, "{\"Image\":").message().startsWith("invalid JSON"));
        refusedCreate(400, null, "not json at all");
        refusedCreate(400, null, "");
        refusedCreate(400, null, "null");
        refusedCreate(400, null, "[\"Image\"]");
        for (String[] wrong : new String[][] {{"Cmd", "5"}, {"HostConfig", "\"x\""}, {"Env", "{\"a\":1}"}, {"Labels", "[1]"},
                {"Image", "7"}, {"Tty", "\"yes\""}, {"NetworkingConfig", "[]"}}) {
            GatewayFixture.Answer a = refusedCreate(400, null, "{\"Image\":\"debian\",\"" + wrong[0] + "\":" + wrong[1] + "}");
            assertTrue(a.message().contains(wrong[0]), wrong[0] + ": " + a.message());
        }
        for (String[] wrong : new String[][] {{"Cmd", "[null]"}, {"Entrypoint", "[\"sh\",null]"}, {"Env", "[null]"},
                {"Labels", "{\"a\":null}"}, {"Cmd", "[[\"sh\"]]"}}) {
            GatewayFixture.Answer a = refusedCreate(400, null, "{\"Image\":\"debian\",\"" + wrong[0] + "\":" + wrong[1] + "}");
            assertTrue(a.message().contains(wrong[0]), wrong[0] + ": " + a.message());
        }
        GatewayFixture.Answer alias = refusedCreate(400, null,
                "{\"Image\":\"debian\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"bridge\":{\"Aliases\":[null]}}}}");
        assertTrue(alias.message().contains("Aliases"), alias.message());
        GatewayFixture.Answer nested = refusedCreate(400, null, "{\"Image\":\"debian\",\"HostConfig\":{\"NetworkMode\":5}}");
        assertTrue(nested.message().contains("HostConfig.NetworkMode"), nested.message());

        assertTrue(refusedCreate(400, null, "{}").message().contains("Image is required"));
        refusedCreate(400, null, "{\"Image\":\"\",\"Cmd\":[\"true\"]}");

        for (String name : List.of("../../etc", "a", "x/y", "..", ".", "/..", "-x", "a b", "web\n")) {
            GatewayFixture.Answer a = refusedCreate(400, name, "{\"Image\":\"debian\"}");
            assertTrue(a.message().startsWith("Invalid container name ("), a.message());
        }
        assertEquals(List.of(web), containerDirectories(), "no directory for a refused name");
        assertTrue(Files.notExists(gateway.dataRoot.resolve("etc")) && Files.notExists(gateway.dataRoot.getParent().resolve("etc")));

        refused(409, "Conflict. The container name \"/web\" is already in use by container \"" + web
                        + "\". You have to remove (or rename) that container to be able to reuse that name.",
                "POST", "/v1.51/containers/create?name=web", "{\"Image\":\"debian\"}");
        refusedCreate(409, "/web", "{\"Image\":\"debian\"}");

        String huge = "{\"Image\":\"debian\",\"Labels\":{\"x\":\"" + "a".repeat((int) DockerJson.MAX_BODY) + "\"}}";
        GatewayFixture.Answer tooLarge = refusedCreate(413, "big", huge);
        assertTrue(tooLarge.message().contains("too large"), tooLarge.message());

        GatewayFixture.Answer ports = refusedCreate(400, "pp", "{\"Image\":\"debian\",\"HostConfig\":{\"PortBindings\":"
                + "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"99999\"}]}}}");
        assertEquals("invalid port specification: \"99999\"", ports.message());
        GatewayFixture.Answer tty = refusedCreate(400, "tt", "{\"Image\":\"debian\",\"Tty\":true}");
        assertTrue(tty.message().contains("Tty"), tty.message());

        refused(400, "cannot join own network namespace", "POST", "/v1.51/containers/create?name=self",
                "{\"Image\":\"debian\",\"HostConfig\":{\"NetworkMode\":\"container:self\"}}");
        refusedCreate(400, "cc", "{\"Image\":\"debian\",\"HostConfig\":{\"NetworkMode\":\"container:\"}}");
        refusedCreate(400, "hh", "{\"Image\":\"debian\",\"HostConfig\":{\"NetworkMode\":\"host\"},"
                + "\"NetworkingConfig\":{\"EndpointsConfig\":{\"bridge\":{}}}}");

        // Fields the spec does not have, of any type, are ignored, as Docker ignores those of other API versions.
        String other = created("other", "{\"Image\":\"debian\",\"SomethingNew\":{\"a\":[1,{\"b\":null}]},"
                + "\"HostConfig\":{\"Newer\":\"lots\",\"NetworkMode\":\"bridge\"},"
                + "\"NetworkingConfig\":{\"Extra\":1,\"EndpointsConfig\":{\"bridge\":{\"SomethingNew\":[]}}}}");
        assertEquals("created", state(other));
        // A field netwharf takes (an endpoint's MAC) with a value of the wrong type is refused, naming it.
        refusedCreate(400, "mac", "{\"Image\":\"debian\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"bridge\":{\"MacAddress\":[]}}}}");
        assertEquals(204, gateway.send("DELETE", "/v1.51/containers/other", (String) null).status());
        assertEquals(List.of(web), containerDirectories());
        assertEquals(List.of(), namespaces(), "creating touches no namespace");
    }

    // ---- settings netwharf does not enforce ----------------------------------------------------------------------

    /** What docker CLI 28 sends for {@code docker run -d --name x debian true} (captured): every field at its zero value. */
    private static final String CLI_RUN = """
            {"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,
             "OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":["true"],"Image":"debian","Volumes":{},"WorkingDir":"",
             "Entrypoint":null,"OnBuild":null,"Labels":{},
             "HostConfig":{"Binds":null,"ContainerIDFile":"","LogConfig":{"Type":"","Config":{}},"NetworkMode":"default",
              "PortBindings":{},"RestartPolicy":{"Name":"no","MaximumRetryCount":0},"AutoRemove":false,"VolumeDriver":"",
              "VolumesFrom":null,"ConsoleSize":[0,0],"CapAdd":null,"CapDrop":null,"CgroupnsMode":"","Dns":[],"DnsOptions":[],
              "DnsSearch":[],"ExtraHosts":null,"GroupAdd":null,"IpcMode":"","Cgroup":"","Links":null,"OomScoreAdj":0,"PidMode":"",
              "Privileged":false,"PublishAllPorts":false,"ReadonlyRootfs":false,"SecurityOpt":null,"UTSMode":"","UsernsMode":"",
              "ShmSize":0,"Isolation":"","CpuShares":0,"Memory":0,"NanoCpus":0,"CgroupParent":"","BlkioWeight":0,
              "BlkioWeightDevice":[],"BlkioDeviceReadBps":[],"BlkioDeviceWriteBps":[],"BlkioDeviceReadIOps":[],
              "BlkioDeviceWriteIOps":[],"CpuPeriod":0,"CpuQuota":0,"CpuRealtimePeriod":0,"CpuRealtimeRuntime":0,"CpusetCpus":"",
              "CpusetMems":"","Devices":[],"DeviceCgroupRules":null,"DeviceRequests":null,"MemoryReservation":0,"MemorySwap":0,
              "MemorySwappiness":-1,"OomKillDisable":false,"PidsLimit":0,"Ulimits":[],"CpuCount":0,"CpuPercent":0,
              "IOMaximumIOps":0,"IOMaximumBandwidth":0,"MaskedPaths":null,"ReadonlyPaths":null},
             "NetworkingConfig":{"EndpointsConfig":{"default":{"IPAMConfig":null,"Links":null,"Aliases":null,"MacAddress":"",
              "DriverOpts":null,"GwPriority":0,"NetworkID":"","EndpointID":"","Gateway":"","IPAddress":"","IPPrefixLen":0,
              "IPv6Gateway":"","GlobalIPv6Address":"","GlobalIPv6PrefixLen":0,"DNSNames":null}}}}""";

    private static JsonNode tree(String json) {
        try {
            return DockerJson.mapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link #CLI_RUN} with {@code field} of {@code section} (null: the top level) set to {@code json}. */
    private static String cliRunWith(String section, String field, String json) {
        ObjectNode body = (ObjectNode) tree(CLI_RUN);
        ObjectNode target = section == null ? body : (ObjectNode) body.get(section);
        target.set(field, tree(json));
        return body.toString();
    }

    @Test
    void whatTheDockerCliSendsWithoutOptionsIsTakenWithoutWarnings() {
        GatewayFixture.Answer a = create("plain", CLI_RUN);
        assertEquals(201, a.status(), a.body());
        assertEquals("[]", a.json().get("Warnings").toString());
        // The host's own namespaces are what a netwharf process is in: asking for them is honoured, not refused.
        for (String mode : List.of("IpcMode", "PidMode", "UsernsMode", "CgroupnsMode")) {
            GatewayFixture.Answer host = create(null, cliRunWith("HostConfig", mode, "\"host\""));
            assertEquals(201, host.status(), mode + ": " + host.body());
        }
        // The host's UTS namespace too, in host network mode; in the others the process has one of its own.
        ObjectNode onHost = (ObjectNode) tree(cliRunWith("HostConfig", "UTSMode", "\"host\""));
        ((ObjectNode) onHost.get("HostConfig")).put("NetworkMode", "host");
        onHost.remove("NetworkingConfig");
        assertEquals(201, create(null, onHost.toString()).status());
        assertTrue(refusedCreate(400, null, cliRunWith("HostConfig", "UTSMode", "\"host\"")).message()
                .endsWith("create the container without --uts (HostConfig.UTSMode)"));
        assertEquals(201, create(null, cliRunWith(null, "Healthcheck", "{\"Test\":[\"NONE\"]}")).status(), "--no-healthcheck");
    }

    @Test
    void settingsThatRestrictOrIsolateAreRefusedNamingFieldAndFlag() {
        created("web", "{\"Image\":\"debian\"}");
        String[][] refusals = {
                // section, field, value, flag
                {null, "Volumes", "{\"/data\":{}}", "-v"},
                {null, "Healthcheck", "{\"Test\":[\"CMD-SHELL\",\"true\"]}", "--health-cmd"},
                {null, "NetworkDisabled", "true", "--network none"},
                {"HostConfig", "Binds", "[\"/tmp:/data\"]", "-v"},
                {"HostConfig", "Mounts", "[{\"Type\":\"tmpfs\",\"Target\":\"/t\"}]", "--mount"},
                {"HostConfig", "Tmpfs", "{\"/t\":\"\"}", "--tmpfs"},
                {"HostConfig", "ReadonlyRootfs", "true", "--read-only"},
                {"HostConfig", "CapDrop", "[\"ALL\"]", "--cap-drop"},
                {"HostConfig", "CapAdd", "[\"NET_ADMIN\"]", "--cap-add"},
                {"HostConfig", "Privileged", "true", "--privileged"},
                {"HostConfig", "SecurityOpt", "[\"no-new-privileges\"]", "--security-opt"},
                {"HostConfig", "Memory", "10485760", "--memory"},
                {"HostConfig", "Memory", "\"lots\"", "--memory"},
                {"HostConfig", "MemorySwappiness", "10", "--memory-swappiness"},
                {"HostConfig", "PidsLimit", "5", "--pids-limit"},
                {"HostConfig", "CpuShares", "512", "--cpu-shares"},
                {"HostConfig", "NanoCpus", "500000000", "--cpus"},
                {"HostConfig", "Ulimits", "[{\"Name\":\"nofile\",\"Soft\":10,\"Hard\":10}]", "--ulimit"},
                {"HostConfig", "Devices", "[{\"PathOnHost\":\"/dev/null\"}]", "--device"},
                {"HostConfig", "Links", "[\"web:w\"]", "--link"},
                {"HostConfig", "Sysctls", "{\"net.ipv4.ip_forward\":\"1\"}", "--sysctl"},
                {"HostConfig", "Init", "true", "--init"},
                {"HostConfig", "PidMode", "\"container:web\"", "--pid"},
                {"HostConfig", "IpcMode", "\"private\"", "--ipc"},
                {"HostConfig", "OomScoreAdj", "500", "--oom-score-adj"},
                {"HostConfig", "ShmSize", "1024", "--shm-size"},
                {"HostConfig", "Runtime", "\"runsc\"", "--runtime"},
                {"HostConfig", "KernelMemory", "1048576", "--kernel-memory"},
        };
        for (String[] r : refusals) {
            GatewayFixture.Answer a = refusedCreate(400, "refused", cliRunWith(r[0], r[1], r[2]));
            String path = r[0] == null ? r[1] : r[0] + "." + r[1];
            assertTrue(a.message().startsWith("netwharf does not "), path + ": " + a.message());
            assertTrue(a.message().endsWith(": create the container without " + r[3] + " (" + path + ")"), path + ": " + a.message());
        }
        // Matched ignoring case, as Docker's JSON decoding and the gateway's mapper match names.
        assertTrue(refusedCreate(400, "refused", "{\"Image\":\"debian\",\"hostconfig\":{\"memory\":1}}").message().contains("--memory"));
        // An endpoint's legacy links and link-local addresses.
        GatewayFixture.Answer links = refusedCreate(400, "refused", "{\"Image\":\"debian\",\"NetworkingConfig\":{\"EndpointsConfig\":"
                + "{\"bridge\":{\"Links\":[\"web:w\"]}}}}");
        assertTrue(links.message().contains("--link (NetworkingConfig.EndpointsConfig.bridge.Links)"), links.message());
        GatewayFixture.Answer linkLocal = refusedCreate(400, "refused", "{\"Image\":\"debian\",\"NetworkingConfig\":{\"EndpointsConfig\":"
                + "{\"bridge\":{\"IPAMConfig\":{\"LinkLocalIPs\":[\"169.254.1.1\"]}}}}}");
        assertTrue(linkLocal.message().contains("--link-local-ip"), linkLocal.message());
        assertEquals(List.of(), namespaces());
    }

    @Test
    void restartPoliciesAreCheckedWithDockersMessagesAndShownByInspect() {
        String[][] refusals = {
                {"{\"Name\":\"always\",\"MaximumRetryCount\":3}",
                        "invalid restart policy: maximum retry count can only be used with 'on-failure'"},
                {"{\"Name\":\"no\",\"MaximumRetryCount\":-1}",
                        "invalid restart policy: maximum retry count can only be used with 'on-failure' and cannot be negative"},
                {"{\"Name\":\"on-failure\",\"MaximumRetryCount\":-2}", "invalid restart policy: maximum retry count cannot be negative"},
                {"{\"Name\":\"sometimes\"}",
                        "invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'"},
        };
        for (String[] r : refusals) {
            assertEquals(r[1], refusedCreate(400, "r", cliRunWith("HostConfig", "RestartPolicy", r[0])).message());
        }
        ObjectNode autoRemove = (ObjectNode) tree(cliRunWith("HostConfig", "RestartPolicy", "{\"Name\":\"always\"}"));
        ((ObjectNode) autoRemove.get("HostConfig")).put("AutoRemove", true);
        assertEquals("can't create 'AutoRemove' container with restart policy", refusedCreate(400, "r", autoRemove.toString()).message());

        created("flaky", cliRunWith("HostConfig", "RestartPolicy", "{\"Name\":\"on-failure\",\"MaximumRetryCount\":5}"));
        JsonNode policy = inspect("flaky").get("HostConfig").get("RestartPolicy");
        assertEquals("on-failure", policy.get("Name").asText());
        assertEquals(5, policy.get("MaximumRetryCount").asInt());
        created("service", cliRunWith("HostConfig", "RestartPolicy", "{\"Name\":\"unless-stopped\"}"));
        assertEquals("unless-stopped", inspect("service").get("HostConfig").get("RestartPolicy").get("Name").asText());
        assertEquals(0, inspect("service").get("RestartCount").asInt());
        created("legacy", cliRunWith("HostConfig", "RestartPolicy", "{\"Name\":\"\",\"MaximumRetryCount\":4}"));
        assertEquals("no", inspect("legacy").get("HostConfig").get("RestartPolicy").get("Name").asText(), "before Docker 25: empty is no");
    }

    @Test
    void aContainerWaitingToRestartShowsRestartingAndAStopEndsIt() throws Exception {
        created("crash", cliRunWith("HostConfig", "RestartPolicy", "{\"Name\":\"always\"}").replace("[\"true\"]",
                "[\"sh\",\"-c\",\"exit 7\"]"));
        started("crash");
        JsonNode seen = null;
        for (int i = 0; i < 400 && (seen == null || !seen.get("State").get("Restarting").asBoolean()); i++) {
            seen = inspect("crash");
        }
        assertEquals("restarting", seen.get("State").get("Status").asText(), seen.toString());
        assertTrue(seen.get("State").get("Running").asBoolean(), "Docker shows a restarting container as running");
        assertEquals(7, seen.get("State").get("ExitCode").asInt());
        GatewayFixture.Answer list = gateway.get("/v1.51/containers/json?filters=" + q("{\"status\":[\"restarting\"]}"));
        assertTrue(list.body().contains("\"Restarting (7) "), list.body());
        assertEquals(409, gateway.send("DELETE", "/v1.51/containers/crash", (String) null).status(), "restarting: removed only when forced");
        assertEquals(204, gateway.post("/v1.51/containers/crash/stop", null).status());
        Thread.sleep(300);
        JsonNode stopped = inspect("crash");
        assertEquals("exited", stopped.get("State").get("Status").asText(), stopped.toString());
        int count = stopped.get("RestartCount").asInt();
        Thread.sleep(500);
        assertEquals(count, inspect("crash").get("RestartCount").asInt(), "no restart after a user's stop");
    }

    @Test
    void descriptiveSettingsAreKeptWithAWarningAndShownByInspect() {
        ObjectNode json = (ObjectNode) tree(CLI_RUN);
        json.set("OnBuild", tree("[\"RUN true\"]"));
        ((ObjectNode) json.get("HostConfig")).set("LogConfig", tree("{\"Type\":\"syslog\",\"Config\":{}}"));
        ((ObjectNode) json.get("HostConfig")).set("Annotations", tree("{\"org.example\":\"x\"}"));
        json.set("ExposedPorts", tree("{\"80/tcp\":{}}"));
        GatewayFixture.Answer a = create("described", json.toString());
        assertEquals(201, a.status(), a.body());
        List<String> warnings = new ArrayList<>();
        a.json().get("Warnings").forEach(w -> warnings.add(w.asText()));
        assertEquals(3, warnings.size(), warnings.toString());
        for (String field : List.of("OnBuild (ONBUILD)",
                "HostConfig.Annotations (--annotation)", "HostConfig.LogConfig (--log-driver)")) {
            assertTrue(warnings.stream().anyMatch(w -> w.startsWith(field + " is kept but netwharf does not act on it")), field + ": " + warnings);
        }
        JsonNode inspected = inspect("described");
        assertEquals("[\"RUN true\"]", inspected.get("Config").get("OnBuild").toString());
        assertEquals("{\"80/tcp\":{}}", inspected.get("Config").get("ExposedPorts").toString());
        assertEquals("syslog", inspected.get("HostConfig").get("LogConfig").get("Type").asText());
        assertEquals("x", inspected.get("HostConfig").get("Annotations").get("org.example").asText());
    }

    @Test
    void aStopSendsTheContainersStopSignalAndWaitsItsStopTimeout() {
        created("int", "{\"Image\":\"debian\",\"Cmd\":[\"sleep\",\"100\"],\"StopSignal\":\"SIGINT\"}");
        started("int");
        assertEquals("SIGINT", inspect("int").get("Config").get("StopSignal").asText());
        assertEquals(204, gateway.post("/v1.51/containers/int/stop", null).status());
        assertEquals(130, inspect("int").get("State").get("ExitCode").asInt(), "128 + SIGINT");
        // A signal named by the request wins.
        started("int");
        assertEquals(204, gateway.post("/v1.51/containers/int/stop?signal=SIGUSR1", null).status());
        assertEquals(138, inspect("int").get("State").get("ExitCode").asInt(), "128 + SIGUSR1");

        // A process that ignores its stop signal is killed once its own stop timeout has passed, not Docker's 10 s.
        created("stubborn", "{\"Image\":\"debian\",\"Cmd\":[\"sh\",\"-c\",\"trap '' INT; echo ready; sleep 100\"],"
                + "\"StopSignal\":\"INT\",\"StopTimeout\":1}");
        started("stubborn");
        for (int i = 0; i < 200 && !readLog("stubborn").contains("ready"); i++) {
            sleep(25); // until the shell ignores SIGINT
        }
        long began = System.nanoTime();
        assertEquals(204, gateway.post("/v1.51/containers/stubborn/stop", null).status());
        long tookMillis = (System.nanoTime() - began) / 1_000_000;
        assertEquals(137, inspect("stubborn").get("State").get("ExitCode").asInt(), "SIGKILL after the stop timeout");
        assertTrue(tookMillis >= 900 && tookMillis < 8_000, tookMillis + " ms");
        assertEquals(1, inspect("stubborn").get("Config").get("StopTimeout").asInt());

        refused(400, "Invalid signal: SIGFOO", "POST", "/v1.51/containers/create?name=bad",
                "{\"Image\":\"debian\",\"StopSignal\":\"SIGFOO\"}");
    }

    // ---- the user a process runs as --------------------------------------------------------------------------------

    /** Runs {@code cmd} in a new container with {@code extra} settings, waits for its exit, returns its stdout. */
    private String output(String name, String extra, String... cmd) {
        com.fasterxml.jackson.databind.node.ArrayNode args = DockerJson.mapper().createArrayNode();
        for (String c : cmd) {
            args.add(c);
        }
        created(name, "{\"Image\":\"debian\",\"Cmd\":" + args + extra + "}");
        started(name);
        GatewayFixture.Answer waited = gateway.post("/v1.51/containers/" + name + "/wait", null);
        assertEquals(200, waited.status(), waited.body());
        return readLog(name);
    }

    /** {@code id} of {@code user} on this host, as the kernel would report it: uid, gid, groups. */
    private static String hostId(String user) throws Exception {
        Process id = new ProcessBuilder("sh", "-c", "id -u " + user + "; id -g " + user + "; id -G " + user).start();
        String out = new String(id.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, id.waitFor());
        return out;
    }

    @Test
    void aProcessRunsAsTheUserAskedWithItsGroups() throws Exception {
        assertEquals(hostId("nobody"), output("nob", ",\"User\":\"nobody\"", "sh", "-c", "id -u; id -g; id -G"));
        // uid:gid with no passwd entry: those ids, that group alone.
        assertEquals("4321\n4322\n4322\n", output("num", ",\"User\":\"4321:4322\"", "sh", "-c", "id -u; id -g; id -G"));
        // Added groups join the user's.
        assertEquals("65534\n65534\n65534 44 5000\n", output("added", ",\"User\":\"65534\",\"HostConfig\":{\"GroupAdd\":[\"44\",\"5000\"]}",
                "sh", "-c", "id -u; id -g; id -G"));
        JsonNode nob = inspect("nob");
        assertEquals("nobody", nob.get("Config").get("User").asText());

        refused(400, "unable to find user nosuchuser: no matching entries in passwd file", "POST", "/v1.51/containers/create?name=uu",
                "{\"Image\":\"debian\",\"Cmd\":[\"true\"],\"User\":\"nosuchuser\"}");
        refused(400, "unable to find group nosuchgroup: no matching entries in group file", "POST", "/v1.51/containers/create?name=uu",
                "{\"Image\":\"debian\",\"Cmd\":[\"true\"],\"User\":\"nobody:nosuchgroup\"}");
        refused(400, "Unable to find group nosuchgroup: no matching entries in group file", "POST", "/v1.51/containers/create?name=uu",
                "{\"Image\":\"debian\",\"Cmd\":[\"true\"],\"HostConfig\":{\"GroupAdd\":[\"nosuchgroup\"]}}");
        refused(400, "uids and gids must be in range 0-2147483647", "POST", "/v1.51/containers/create?name=uu",
                "{\"Image\":\"debian\",\"Cmd\":[\"true\"],\"User\":\"-1\"}");
    }

    // ---- MAC addresses ---------------------------------------------------------------------------------------------

    @Test
    void theContainerWideMacAddressReachesTheMainEndpointInTheKernel() {
        String mac = "02:42:ac:11:aa:01";
        GatewayFixture.Answer a = create("m1", "{\"Image\":\"debian\",\"Cmd\":[\"ip\",\"-o\",\"link\",\"show\",\"eth0\"],"
                + "\"MacAddress\":\"" + mac + "\"}");
        assertEquals(201, a.status(), a.body());
        assertEquals("[\"" + ContainerCreateBody.MAC_DEPRECATED + "\"]", a.json().get("Warnings").toString());
        started("m1");
        assertEquals(200, gateway.post("/v1.51/containers/m1/wait", null).status());
        String link = readLog("m1");
        assertTrue(link.contains("link/ether " + mac + " "), link);
        // The endpoint's own, as docker CLI 28 sends --mac-address, and both agreeing.
        assertTrue(output("m2", ",\"NetworkingConfig\":{\"EndpointsConfig\":{\"default\":{\"MacAddress\":\"02:42:ac:11:aa:02\"}}}",
                "ip", "-o", "link", "show", "eth0").contains("link/ether 02:42:ac:11:aa:02 "));
        assertEquals(201, create("m3", "{\"Image\":\"debian\",\"MacAddress\":\"02:42:ac:11:aa:03\",\"HostConfig\":{\"NetworkMode\":\"default\"},"
                + "\"NetworkingConfig\":{\"EndpointsConfig\":{\"default\":{\"MacAddress\":\"02:42:ac:11:aa:03\"}}}}").status());

        for (String bad : List.of("zz", "02:42:ac:11:aa", "02-42-ac-11-aa-04", "01:00:5e:00:00:01", "00:00:00:00:00:00")) {
            GatewayFixture.Answer refused = refusedCreate(400, "bad", "{\"Image\":\"debian\",\"MacAddress\":\"" + bad + "\"}");
            assertTrue(refused.message().startsWith("invalid config for network bridge: invalid endpoint settings:\ninvalid MAC address " + bad),
                    refused.message());
        }
        refused(400, "conflicting options: mac-address and the network mode", "POST", "/v1.51/containers/create?name=bad",
                "{\"Image\":\"debian\",\"MacAddress\":\"02:42:ac:11:aa:05\",\"HostConfig\":{\"NetworkMode\":\"host\"}}");
        refused(400, "the container-wide MAC address must match the endpoint-specific MAC address for the main network, or be left empty",
                "POST", "/v1.51/containers/create?name=bad", "{\"Image\":\"debian\",\"MacAddress\":\"02:42:ac:11:aa:05\","
                        + "\"NetworkingConfig\":{\"EndpointsConfig\":{\"bridge\":{\"MacAddress\":\"02:42:ac:11:aa:06\"}}}}");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The texts of the container's json-file log (its LogPath), both streams, in order; empty before any output. */
    private String readLog(String container) {
        Path log = Path.of(inspect(container).get("LogPath").asText());
        StringBuilder text = new StringBuilder();
        try {
            if (Files.exists(log)) {
                for (String line : Files.readAllLines(log)) {
                    text.append(GatewayFixture.JSON.readTree(line).get("log").asText());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    @Test
    void theDockerCliRunsAsTheUserAndHearsEveryRefusal() {
        GatewayFixture.Cli run = gateway.docker("run", "-d", "--name", "usr", "--user", "nobody", "--mac-address", "02:42:ac:11:bb:01", "debian",
                "sh", "-c", "id -u; echo $HOME; ip -o link show eth0");
        assertEquals(0, run.exit(), run.toString());
        assertEquals("0", gateway.ok("wait", "usr"));
        List<String> out = gateway.ok("logs", "usr").lines().toList();
        assertEquals("65534", out.get(0));
        assertEquals("/nonexistent", out.get(1), "HOME from passwd, as runc sets it");
        assertTrue(out.get(2).contains("link/ether 02:42:ac:11:bb:01 "), out.get(2));

        for (String[] refused : new String[][] {{"--memory", "10m", "--memory (HostConfig.Memory)"},
                {"-v", "/tmp:/x", "-v (HostConfig.Binds)"}, {"--read-only", null, "--read-only (HostConfig.ReadonlyRootfs)"},
                {"--cap-drop", "ALL", "--cap-drop (HostConfig.CapDrop)"}, {"--pids-limit", "5", "--pids-limit (HostConfig.PidsLimit)"},
                {"--health-cmd", "true", "--health-cmd (Healthcheck)"},
                {"--privileged", null, "--privileged (HostConfig.Privileged)"}, {"--link", "usr:w", "--link (HostConfig.Links)"}}) {
            List<String> args = new ArrayList<>(List.of("run", "-d", refused[0]));
            if (refused[1] != null) {
                args.add(refused[1]);
            }
            args.addAll(List.of("debian", "true"));
            GatewayFixture.Cli cli = gateway.docker(args.toArray(String[]::new));
            assertTrue(cli.exit() != 0 && cli.err().contains(refused[2]), refused[0] + ": " + cli);
        }
        // Warnings reach the user as Docker's do.
        GatewayFixture.Cli described = gateway.docker("create", "--name", "described", "--log-driver", "syslog", "debian");
        assertEquals(0, described.exit(), described.toString());
        assertTrue(described.err().contains("HostConfig.LogConfig (--log-driver) is kept but netwharf does not act on it"), described.toString());
        // A command that cannot be run: the CLI's exit code is Docker's, 126 (it reads "permission denied").
        GatewayFixture.Cli directory = gateway.docker("run", "-d", "--name", "dir", "debian", "/tmp");
        assertEquals(126, directory.exit(), directory.toString());
        assertTrue(directory.err().contains("exec: \"/tmp\": is a directory: permission denied"), directory.toString());
        // Every refused run left nothing behind; the one that failed to start stays created, as in Docker.
        assertEquals(List.of("described", "dir", "usr"), gateway.ok("ps", "-a", "--format", "{{.Names}}").lines().sorted().toList());
        assertEquals("created", state("dir"));
    }

    // ---- the process: working directory, command, environment -------------------------------------------------------

    @Test
    void aProcessThatCanNeverStartIsRefusedAtCreate() {
        refused(400, "the working directory 'tmp' is invalid, it needs to be an absolute path", "POST", "/v1.51/containers/create?name=pp",
                "{\"Image\":\"debian\",\"Cmd\":[\"true\"],\"WorkingDir\":\"tmp\"}");
        refused(400, "invalid WorkingDir: it contains a NUL byte", "POST", "/v1.51/containers/create?name=pp",
                "{\"Image\":\"debian\",\"Cmd\":[\"true\"],\"WorkingDir\":\"/tmp\\u0000x\"}");
        GatewayFixture.Answer tooLong = refusedCreate(400, "pp", "{\"Image\":\"debian\",\"Cmd\":[\"true\"],\"WorkingDir\":\"/"
                + "a".repeat(5000) + "\"}");
        assertTrue(tooLong.message().startsWith("invalid WorkingDir: it is 5001 bytes long"), tooLong.message());
        refused(400, "invalid command (Entrypoint and Cmd): argument 2 contains a NUL byte", "POST", "/v1.51/containers/create?name=pp",
                "{\"Image\":\"debian\",\"Cmd\":[\"echo\",\"a\\u0000b\"]}");
        refused(400, "invalid Env: entry 1 contains a NUL byte", "POST", "/v1.51/containers/create?name=pp",
                "{\"Image\":\"debian\",\"Cmd\":[\"true\"],\"Env\":[\"A=\\u0000\"]}");
        assertEquals(List.of(), namespaces());
    }

    @Test
    void aProcessThatCannotStartIsRefusedAtStartInRuncsWords() throws IOException {
        Path file = Files.writeString(gateway.dataRoot.resolveSibling("not-executable"), "#!/bin/sh\n");
        String[][] cases = {
                {"{\"Cmd\":[\"true\"],\"WorkingDir\":\"/nosuchdir\"}",
                        "failed to create task for container: chdir to cwd (\"/nosuchdir\") set in config.json failed: no such file or directory", "127"},
                {"{\"Cmd\":[\"true\"],\"WorkingDir\":\"" + file + "\"}",
                        "failed to create task for container: chdir to cwd (\"" + file + "\") set in config.json failed: not a directory", "127"},
                {"{\"Cmd\":[\"/tmp\"]}", "failed to create task for container: exec: \"/tmp\": is a directory: permission denied", "126"},
                {"{\"Cmd\":[\"" + file + "\"]}", "failed to create task for container: exec: \"" + file + "\": permission denied", "126"},
        };
        int i = 0;
        for (String[] c : cases) {
            String name = "p" + i++;
            created(name, "{\"Image\":\"debian\"," + c[0].substring(1));
            refused(400, c[1], "POST", "/v1.51/containers/" + name + "/start", null);
            JsonNode state = inspect(name).get("State");
            assertEquals("created", state.get("Status").asText());
            assertEquals(Integer.parseInt(c[2]), state.get("ExitCode").asInt(), name);
            assertEquals(c[1], state.get("Error").asText());
            assertEquals(List.of(), namespaces(), "no namespace is made for a process that cannot start");
        }
    }

    // ---- network mode and static addresses at create -----------------------------------------------------------------

    @Test
    void networkModesAndStaticAddressesThatCanNeverWorkAreRefusedAtCreate() {
        assertEquals(201, gateway.post("/v1.51/networks/create", "{\"Name\":\"n1\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.97.0.0/24\"}]}}").status());
        for (String mode : List.of("container:", "container")) {
            refused(400, "Invalid network mode: invalid container format container:<name|id>", "POST", "/v1.51/containers/create?name=cc",
                    "{\"Image\":\"debian\",\"HostConfig\":{\"NetworkMode\":\"" + mode + "\"}}");
        }
        created("owner", "{\"Image\":\"debian\"}");
        refused(400, "conflicting options: port exposing and the container type network mode", "POST", "/v1.51/containers/create?name=cc",
                "{\"Image\":\"debian\",\"ExposedPorts\":{\"80/tcp\":{}},\"HostConfig\":{\"NetworkMode\":\"container:owner\"}}");
        String prefix = "invalid config for network n1: invalid endpoint settings:\n";
        String[][] addresses = {
                {"x", "invalid IPv4 address: x"}, {"::1", "invalid IPv4 address: ::1"}, {"10.97.0.300", "invalid IPv4 address: 10.97.0.300"},
                {"010.97.0.5", "invalid IPv4 address: 010.97.0.5"}, {"0.0.0.0", "invalid IPv4 address: 0.0.0.0"},
                {"10.97.0.1", "10.97.0.1 is the gateway of 10.97.0.0/24"},
                {"10.97.0.0", "10.97.0.0 is the network address of 10.97.0.0/24"},
                {"10.97.0.255", "10.97.0.255 is the broadcast address of 10.97.0.0/24"},
                {"10.98.0.5", "no configured subnet or ip-range contain the IP address 10.98.0.5"},
        };
        for (String[] a : addresses) {
            refused(400, prefix + a[1], "POST", "/v1.51/containers/create?name=ss", "{\"Image\":\"debian\",\"HostConfig\":{\"NetworkMode\":\"n1\"},"
                    + "\"NetworkingConfig\":{\"EndpointsConfig\":{\"n1\":{\"IPAMConfig\":{\"IPv4Address\":\"" + a[0] + "\"}}}}}");
        }
        // On an unknown network the syntax alone is checked (the network may exist by the start).
        refused(400, "invalid config for network later: invalid endpoint settings:\ninvalid IPv4 address: x", "POST",
                "/v1.51/containers/create?name=ss", "{\"Image\":\"debian\",\"NetworkingConfig\":{\"EndpointsConfig\":"
                        + "{\"later\":{\"IPAMConfig\":{\"IPv4Address\":\"x\"}}}}}");
        // The default network takes no static address, as Docker 28 refuses at create.
        refused(400, "invalid config for network bridge: invalid endpoint settings:\n"
                        + "user specified IP address is supported on user defined networks only", "POST", "/v1.51/containers/create?name=ss",
                "{\"Image\":\"debian\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"bridge\":{\"IPAMConfig\":{\"IPv4Address\":\"172.17.0.99\"}}}}}");
        // A good one is still taken.
        created("fine", "{\"Image\":\"debian\",\"HostConfig\":{\"NetworkMode\":\"n1\"},"
                + "\"NetworkingConfig\":{\"EndpointsConfig\":{\"n1\":{\"IPAMConfig\":{\"IPv4Address\":\"10.97.0.254\"}}}}}");
        started("fine");
        assertEquals("10.97.0.254", inspect("fine").get("NetworkSettings").get("Networks").get("n1").get("IPAddress").asText());
    }

    // ---- unknown ids, traversal, prefixes --------------------------------------------------------------------------

    @Test
    void unknownContainersAre404OnEveryEndpointAndTraversalTouchesNothing() {
        String web = created("web", "{\"Image\":\"debian\"}");
        String[][] endpoints = {{"GET", "/json"}, {"POST", "/start"}, {"POST", "/stop"}, {"POST", "/kill"}, {"POST", "/restart"},
                {"POST", "/wait"}, {"GET", "/logs?stdout=1&stderr=1"}, {"DELETE", ""}, {"DELETE", "?force=1"}};
        String nearMiss = web.substring(0, 12) + (web.charAt(12) == '0' ? "1" : "0"); // a prefix of no container
        for (String name : List.of("x", "nosuchctr", nearMiss, "/nosuch")) {
            for (String[] e : endpoints) {
                refused(404, "No such container: " + name, e[0], "/v1.51/containers/" + q(name) + e[1], null);
            }
        }
        for (String[] e : endpoints) {
            refused(404, "No such container: ../../etc", e[0], "/v1.51/containers/..%2F..%2Fetc" + e[1], null);
            refused(404, null, e[0], "/v1.51/containers/../../etc" + e[1], null);
            refused(404, null, e[0], "/containers/..%2F..%2F..%2F..%2Ftmp" + e[1], null);
        }
        assertEquals(List.of(web), containerDirectories());
        assertEquals("created", state(web));

        // An ambiguous id prefix: among 17 ids, two share their first digit.
        Map<Character, String> byFirst = new HashMap<>();
        String ambiguous = null;
        for (int i = 0; ambiguous == null; i++) {
            String id = created("c" + i, "{\"Image\":\"debian\"}");
            String earlier = byFirst.putIfAbsent(id.charAt(0), id);
            if (earlier != null || id.charAt(0) == web.charAt(0)) {
                ambiguous = id.substring(0, 1);
            }
        }
        for (String[] e : endpoints) {
            refused(400, "multiple IDs found with provided prefix: " + ambiguous, e[0], "/v1.51/containers/" + ambiguous + e[1], null);
        }
    }

    // ---- lifecycle refusals ----------------------------------------------------------------------------------------

    @Test
    void startRefusalsLeaveTheContainerCreatedAndTheKernelAlone() {
        created("lost", "{\"Image\":\"debian\",\"HostConfig\":{\"NetworkMode\":\"nosuchnet\"}}");
        refused(404, "network nosuchnet not found", "POST", "/v1.51/containers/lost/start", null);
        assertEquals("created", state("lost"));
        assertEquals(List.of(), namespaces());

        created("other", "{\"Image\":\"debian\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"nosuchnet\":{}}}}");
        refused(404, "network nosuchnet not found", "POST", "/v1.51/containers/other/start", null);
        assertEquals("created", state("other"));
        assertEquals(List.of(), namespaces(), "the bridge endpoint made before the failure is gone too");

        created("owner", "{\"Image\":\"debian\"}");
        created("joiner", "{\"Image\":\"debian\",\"HostConfig\":{\"NetworkMode\":\"container:owner\"}}");
        refused(409, null, "POST", "/v1.51/containers/joiner/start", null);
        created("orphan", "{\"Image\":\"debian\",\"HostConfig\":{\"NetworkMode\":\"container:nosuchctr\"}}");
        refused(404, "No such container: nosuchctr", "POST", "/v1.51/containers/orphan/start", null);
        assertEquals("created", state("joiner"));
        assertEquals(List.of(), namespaces());

        // A running one: asked again, or removed without force.
        started("owner");
        assertEquals(1, namespaces().size());
        refused(304, null, "POST", "/v1.51/containers/owner/start", null);
        refused(409, null, "DELETE", "/v1.51/containers/owner", null);
        refused(409, null, "DELETE", "/v1.51/containers/owner?force=0", null);
        assertEquals("running", state("owner"));
        refused(400, "Invalid signal: FOO", "POST", "/v1.51/containers/owner/kill?signal=FOO", null);
        refused(400, "Invalid signal: 99", "POST", "/v1.51/containers/owner/kill?signal=99", null);
        refused(400, null, "POST", "/v1.51/containers/owner/stop?signal=SIGNOPE", null);
        refused(400, null, "POST", "/v1.51/containers/owner/stop?t=abc", null);
        refused(400, null, "POST", "/v1.51/containers/owner/restart?t=1.5", null);
        refused(400, null, "POST", "/v1.51/containers/owner/wait?condition=bogus", null);
        assertEquals("running", state("owner"));
        assertEquals(1, namespaces().size());

        // A stopped one.
        assertEquals(204, gateway.post("/v1.51/containers/owner/stop?t=1", null).status());
        assertEquals("exited", state("owner"));
        refused(304, null, "POST", "/v1.51/containers/owner/stop", null);
        refused(409, null, "POST", "/v1.51/containers/owner/kill", null);
        refused(409, null, "POST", "/v1.51/containers/lost/kill", null);
        assertEquals(List.of(), namespaces());

        // Listing with bad filters.
        refused(400, null, "GET", "/v1.51/containers/json?all=1&filters=" + q("{\"name\":"), null);
        refused(400, null, "GET", "/v1.51/containers/json?filters=" + q("[\"name\"]"), null);
        refused(400, null, "GET", "/v1.51/containers/json?filters=" + q("{\"nosuchkey\":[\"x\"]}"), null);
        refused(400, null, "GET", "/v1.51/containers/json?filters=" + q("{\"status\":[\"sleeping\"]}"), null);
        refused(400, null, "GET", "/v1.51/containers/json?filters=" + q("{\"name\":[\"(\"]}"), null);
        refused(400, null, "GET", "/v1.51/containers/json?limit=many", null);
    }

    // ---- connect and disconnect ------------------------------------------------------------------------------------

    @Test
    void refusedConnectsAndDisconnectsLeaveEndpointsAlone() {
        assertEquals(201, gateway.post("/v1.51/networks/create", "{\"Name\":\"n1\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.36.0.0/24\"}]}}").status());
        String ca = created("ca", "{\"Image\":\"debian\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"n1\":"
                + "{\"IPAMConfig\":{\"IPv4Address\":\"10.36.0.50\"}}}}}");
        created("cb", "{\"Image\":\"debian\"}");
        created("idle", "{\"Image\":\"debian\"}");
        started("ca");
        started("cb");
        String caNetworks = inspect("ca").get("NetworkSettings").get("Networks").toString();
        String cbNetworks = inspect("cb").get("NetworkSettings").get("Networks").toString();
        String idleConfig = inspect("idle").get("NetworkSettings").get("Networks").toString();
        List<String> caLinks = links("ca");
        List<String> cbLinks = links("cb");
        assertEquals(3, caLinks.size(), caLinks.toString());
        int n1InUse = await(gateway.netwharf.addressesInUse("n1"));

        Runnable unchanged = () -> {
            assertEquals(caNetworks, inspect("ca").get("NetworkSettings").get("Networks").toString());
            assertEquals(cbNetworks, inspect("cb").get("NetworkSettings").get("Networks").toString());
            assertEquals(idleConfig, inspect("idle").get("NetworkSettings").get("Networks").toString());
            assertEquals(caLinks, links("ca"));
            assertEquals(cbLinks, links("cb"));
            assertEquals(n1InUse, await(gateway.netwharf.addressesInUse("n1")));
            assertEquals(2, namespaces().size());
        };

        refused(403, "endpoint with name ca already exists in network n1", "POST", "/v1.51/networks/n1/connect", "{\"Container\":\"ca\"}");
        refused(403, "endpoint with name ca already exists in network n1", "POST", "/v1.51/networks/n1/connect",
                "{\"Container\":\"" + ca + "\",\"EndpointConfig\":{\"IPAMConfig\":{\"IPv4Address\":\"10.36.0.60\"}}}");
        refused(403, "endpoint with name ca already exists in network bridge", "POST", "/v1.51/networks/bridge/connect", "{\"Container\":\"ca\"}");
        unchanged.run();
        // Docker's message, followed by which address and where.
        GatewayFixture.Answer inUse = refused(403, null, "POST", "/v1.51/networks/n1/connect",
                "{\"Container\":\"cb\",\"EndpointConfig\":{\"IPAMConfig\":{\"IPv4Address\":\"10.36.0.50\"}}}");
        assertTrue(inUse.message().startsWith("Address already in use"), inUse.message());
        unchanged.run();
        GatewayFixture.Answer outside = refused(400, null, "POST", "/v1.51/networks/n1/connect",
                "{\"Container\":\"cb\",\"EndpointConfig\":{\"IPAMConfig\":{\"IPv4Address\":\"10.99.0.5\"}}}");
        assertTrue(outside.status() >= 400 && outside.status() < 500, outside.body());
        refused(400, null, "POST", "/v1.51/networks/n1/connect",
                "{\"Container\":\"cb\",\"EndpointConfig\":{\"IPAMConfig\":{\"IPv4Address\":\"not-an-ip\"}}}");
        refused(400, null, "POST", "/v1.51/networks/n1/connect", "{\"Container\":5}");
        refused(400, null, "POST", "/v1.51/networks/n1/connect", "{\"Container\":\"cb\",\"EndpointConfig\":{\"Aliases\":[null]}}");
        refused(400, null, "POST", "/v1.51/networks/n1/connect", "{\"Container\":\"cb\",\"EndpointConfig\":\"x\"}");
        refused(400, null, "POST", "/v1.51/networks/n1/connect", "{\"Container\":");
        unchanged.run();
        refused(404, "No such container: nosuchctr", "POST", "/v1.51/networks/n1/connect", "{\"Container\":\"nosuchctr\"}");
        refused(404, "No such container: ../../etc", "POST", "/v1.51/networks/n1/connect", "{\"Container\":\"../../etc\"}");
        refused(404, "network nosuchnet not found", "POST", "/v1.51/networks/nosuchnet/connect", "{\"Container\":\"cb\"}");
        unchanged.run();

        // Docker answers 500 here; nothing failed, so netwharf refuses with 403, running or not.
        GatewayFixture.Answer notConnected = refused(403, null, "POST", "/v1.51/networks/n1/disconnect", "{\"Container\":\"cb\"}");
        assertEquals("container " + inspect("cb").get("Id").asText() + " is not connected to network n1", notConnected.message());
        GatewayFixture.Answer idleNotConnected = refused(403, null, "POST", "/v1.51/networks/n1/disconnect",
                "{\"Container\":\"idle\",\"Force\":true}");
        assertEquals("container " + inspect("idle").get("Id").asText() + " is not connected to network n1", idleNotConnected.message());
        refused(404, "No such container: nosuchctr", "POST", "/v1.51/networks/n1/disconnect", "{\"Container\":\"nosuchctr\"}");
        unchanged.run();

        // Not running: refused the same, and nothing remembered for the next start.
        refused(403, "endpoint with name idle already exists in network bridge", "POST", "/v1.51/networks/bridge/connect",
                "{\"Container\":\"idle\"}");
        created("lone", "{\"Image\":\"debian\",\"HostConfig\":{\"NetworkMode\":\"n1\"}}");
        String lone = inspect("lone").get("NetworkSettings").get("Networks").toString();
        refused(400, "user specified IP address is supported on user defined networks only", "POST", "/v1.51/networks/bridge/connect",
                "{\"Container\":\"lone\",\"EndpointConfig\":{\"IPAMConfig\":{\"IPv4Address\":\"172.17.0.99\"}}}");
        assertEquals(lone, inspect("lone").get("NetworkSettings").get("Networks").toString());
        unchanged.run();
    }

    // ---- logs ------------------------------------------------------------------------------------------------------

    @Test
    void logsAreMultiplexedWithDockersHeaders() {
        created("talker", "{\"Image\":\"debian\",\"Cmd\":[\"sh\",\"-c\",\"echo out; echo out2; echo err >&2\"]}");
        started("talker");
        GatewayFixture.Answer waited = gateway.post("/v1.51/containers/talker/wait", null);
        assertEquals(200, waited.status(), waited.body());
        assertEquals(0, waited.json().get("StatusCode").asInt());

        GatewayFixture.Answer logs = gateway.get("/v1.51/containers/talker/logs?stdout=1&stderr=1");
        assertEquals(200, logs.status(), logs.body());
        assertEquals("application/vnd.docker.multiplexed-stream", logs.header("Content-Type"));
        assertArrayEquals(concat(frame(1, "out\n"), frame(1, "out2\n"), frame(2, "err\n")), bytes(logs));
        assertArrayEquals(concat(frame(1, "out2\n"), frame(2, "err\n")),
                bytes(gateway.get("/v1.51/containers/talker/logs?stdout=1&stderr=1&tail=2")), "tail counts both streams, as json-file");
        assertArrayEquals(frame(2, "err\n"), bytes(gateway.get("/v1.51/containers/talker/logs?stdout=1&stderr=1&tail=1")));
        assertArrayEquals(frame(2, "err\n"), bytes(gateway.get("/v1.51/containers/talker/logs?stderr=true")));
        assertArrayEquals(new byte[0], bytes(gateway.get("/v1.51/containers/talker/logs?stdout=1&tail=0")));

        refused(400, "Bad parameters: you must choose at least one stream", "GET", "/v1.51/containers/talker/logs", null);
        refused(400, "Bad parameters: you must choose at least one stream", "GET", "/v1.51/containers/talker/logs?stdout=0&stderr=false", null);
        assertArrayEquals(concat(frame(1, "out\n"), frame(1, "out2\n")),
                bytes(gateway.get("/v1.51/containers/talker/logs?stdout=1&follow=1")), "following an exited container ends at once");
        refused(400, null, "GET", "/v1.51/containers/talker/logs?stdout=1&tail=some", null);
    }

    /** The body's bytes: the headers are below 0x80, so the client's UTF-8 decoding kept them. */
    private static byte[] bytes(GatewayFixture.Answer answer) {
        assertEquals(200, answer.status(), answer.body());
        return answer.body().getBytes(StandardCharsets.UTF_8);
    }

    /** Docker's frame, byte by byte: stream, three zeros, big-endian length, payload. */
    private static byte[] frame(int stream, String payload) {
        byte[] p = payload.getBytes(StandardCharsets.UTF_8);
        byte[] f = new byte[8 + p.length];
        f[0] = (byte) stream;
        f[4] = (byte) (p.length >>> 24);
        f[5] = (byte) (p.length >>> 16);
        f[6] = (byte) (p.length >>> 8);
        f[7] = (byte) p.length;
        System.arraycopy(p, 0, f, 8, p.length);
        return f;
    }

    private static byte[] concat(byte[]... parts) {
        byte[] all = new byte[0];
        for (byte[] p : parts) {
            int at = all.length;
            all = Arrays.copyOf(all, at + p.length);
            System.arraycopy(p, 0, all, at, p.length);
        }
        return all;
    }
}
