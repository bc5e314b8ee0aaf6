package io.netwharf.gateway;

import io.netwharf.kernel.Netns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The docker CLI (v28) against netwharf for what Docker users read about their containers: inspect as Docker fills
 * it (HostConfig templates, NetworkMode, Config.Env), {@code ps --filter} ancestor/before/since/publish/expose,
 * {@code docker top}, {@code docker stats} with the network I/O of traffic between two containers the test made,
 * and {@code docker system df}.
 */
class InspectTopStatsTest extends ApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /** The keys of HostConfig in Docker 28's inspect of a container with nothing special asked (omitempty ones left out). */
    private static final Set<String> DOCKER_28_HOST_CONFIG = Set.of("Binds", "ContainerIDFile", "LogConfig", "NetworkMode",
            "PortBindings", "RestartPolicy", "AutoRemove", "VolumeDriver", "VolumesFrom", "ConsoleSize", "CapAdd", "CapDrop",
            "CgroupnsMode", "Dns", "DnsOptions", "DnsSearch", "ExtraHosts", "GroupAdd", "IpcMode", "Cgroup", "Links",
            "OomScoreAdj", "PidMode", "Privileged", "PublishAllPorts", "ReadonlyRootfs", "SecurityOpt", "UTSMode",
            "UsernsMode", "ShmSize", "Runtime", "Isolation", "CpuShares", "Memory", "NanoCpus", "CgroupParent", "BlkioWeight",
            "BlkioWeightDevice", "BlkioDeviceReadBps", "BlkioDeviceWriteBps", "BlkioDeviceReadIOps", "BlkioDeviceWriteIOps",
            "CpuPeriod", "CpuQuota", "CpuRealtimePeriod", "CpuRealtimeRuntime", "CpusetCpus", "CpusetMems", "Devices",
            "DeviceCgroupRules", "DeviceRequests", "MemoryReservation", "MemorySwap", "MemorySwappiness", "OomKillDisable",
            "PidsLimit", "Ulimits", "CpuCount", "CpuPercent", "IOMaximumIOps", "IOMaximumBandwidth", "MaskedPaths",
            "ReadonlyPaths");

    @Test
    void inspectShowsHostConfigAsDockerFillsItNetworkModeAndTheImagesPath() throws Exception {
        String webId = gateway.ok("run", "-d", "--name", "web", "--dns", "10.0.0.53", "--dns-search", "example.org",
                "--dns-option", "ndots:2", "--add-host", "db:10.1.2.3", "--restart", "on-failure:3", "-e", "FOO=bar",
                "debian", "sleep", "100");
        assertEquals("[10.0.0.53] [example.org] [ndots:2] [db:10.1.2.3]", gateway.ok("inspect", "-f",
                "{{.HostConfig.Dns}} {{.HostConfig.DnsSearch}} {{.HostConfig.DnsOptions}} {{.HostConfig.ExtraHosts}}", "web"));
        assertEquals("default on-failure 3 json-file false", gateway.ok("inspect", "-f", "{{.HostConfig.NetworkMode}} "
                + "{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}} {{.HostConfig.LogConfig.Type}} "
                + "{{.HostConfig.AutoRemove}}", "web"));
        assertEquals("false 0 0 host", gateway.ok("inspect", "-f",
                "{{.HostConfig.Privileged}} {{.HostConfig.Memory}} {{.HostConfig.ShmSize}} {{.HostConfig.PidMode}}", "web"));
        JsonNode web = gateway.get("/v1.51/containers/web/json").json();
        assertEquals(new TreeSet<>(DOCKER_28_HOST_CONFIG), names(web.get("HostConfig")));
        assertEquals("{\"Type\":\"json-file\",\"Config\":{}}", web.at("/HostConfig/LogConfig").toString());

        // Config.Env: the container's own, then the image's PATH (moby's merge); its process got the same.
        assertEquals(List.of("FOO=bar", PATH), strings(web.at("/Config/Env")));
        List<String> environ = Arrays.asList(Files.readString(Path.of("/proc/" + web.at("/State/Pid").asInt() + "/environ"))
                .split("\0"));
        assertTrue(environ.containsAll(List.of("FOO=bar", PATH, "HOSTNAME=" + webId.substring(0, 12))), environ.toString());
        gateway.ok("create", "--name", "own", "-e", "PATH=/bin", "debian", "true");
        assertEquals("[PATH=/bin]", gateway.ok("inspect", "-f", "{{.Config.Env}}", "own"));

        // The default bridge asked by name is shown so; container: mode names the owner by its full id.
        gateway.ok("create", "--name", "named", "--network", "bridge", "debian", "true");
        assertEquals("bridge", gateway.ok("inspect", "-f", "{{.HostConfig.NetworkMode}}", "named"));
        gateway.ok("create", "--name", "jo", "--network", "container:web", "debian", "sleep", "100");
        assertEquals("container:" + webId, gateway.ok("inspect", "-f", "{{.HostConfig.NetworkMode}}", "jo"));
        gateway.ok("start", "jo");
        assertEquals(inode("/proc/" + pid("web") + "/ns/net"), inode("/proc/" + pid("jo") + "/ns/net"));
        gateway.ok("create", "--name", "auto", "--rm", "debian", "true");
        assertEquals("true no", gateway.ok("inspect", "-f", "{{.HostConfig.AutoRemove}} {{.HostConfig.RestartPolicy.Name}}", "auto"));
        gateway.ok("rm", "-f", "web", "jo", "own", "named", "auto");
    }

    @Test
    void psFiltersAncestorBeforeSincePublishAndExpose() throws Exception {
        gateway.ok("pull", "busybox");
        gateway.ok("run", "-d", "--name", "ca", "--expose", "443", "debian", "sleep", "100");
        gateway.ok("run", "-d", "--name", "cb", "-p", "127.0.0.1:8080:80", "debian", "sleep", "100");
        gateway.ok("run", "-d", "--name", "cc", "busybox", "sleep", "100");
        gateway.ok("create", "--name", "cd", "debian", "true");

        assertEquals(List.of("cb", "ca"), ps("--filter", "before=cc"));
        assertEquals(List.of("cc", "cb"), ps("--filter", "since=ca"));
        assertEquals(List.of("cd", "cc"), ps("-a", "--filter", "since=cb"));
        assertEquals(List.of("cb"), ps("--filter", "since=ca", "--filter", "before=cc"));
        GatewayFixture.Cli unknown = gateway.docker("ps", "--filter", "before=nosuch");
        assertTrue(unknown.exit() != 0 && unknown.err().contains("No such container: nosuch"), unknown.toString());

        assertEquals(List.of("cb", "ca"), ps("--filter", "ancestor=debian"));
        assertEquals(List.of("cd", "cb", "ca"), ps("-a", "--filter", "ancestor=docker.io/library/debian:latest"));
        assertEquals(List.of("cc"), ps("--filter", "ancestor=busybox"));
        String busyboxId = gateway.ok("image", "inspect", "-f", "{{.Id}}", "busybox");
        assertEquals(List.of("cc"), ps("--filter", "ancestor=" + busyboxId.substring("sha256:".length(), "sha256:".length() + 12)));
        assertEquals(List.of("cc", "cb", "ca"), ps("--filter", "ancestor=busybox", "--filter", "ancestor=debian"));
        assertEquals(List.of(), ps("--filter", "ancestor=alpine"));

        assertEquals(List.of("cb"), ps("--filter", "publish=80"));
        assertEquals(List.of("cb"), ps("--filter", "publish=70-90/tcp"));
        assertEquals(List.of(), ps("--filter", "publish=80/udp"));
        assertEquals(List.of("ca"), ps("--filter", "expose=443"));
        GatewayFixture.Cli colon = gateway.docker("ps", "--filter", "publish=8080:80");
        assertTrue(colon.exit() != 0 && colon.err().contains("filter for 'publish' should not contain ':': 8080:80"), colon.toString());
        gateway.ok("rm", "-f", "ca", "cb", "cc", "cd");
    }

    @Test
    void topListsTheContainersProcessesFromProc() throws Exception {
        gateway.ok("run", "-d", "--name", "tp", "debian", "sh", "-c", "sleep 101 & exec sleep 202");
        int pid = pid("tp");
        List<String[]> rows = new ArrayList<>();
        for (int attempt = 0; attempt < 50 && rows.size() < 2; attempt++) {
            Thread.sleep(100); // until the exec and the child are both in place
            rows.clear();
            gateway.ok("top", "tp").lines().skip(1).forEach(l -> rows.add(l.trim().split("\\s+", 8)));
        }
        List<String> titles = Arrays.asList(gateway.ok("top", "tp").lines().findFirst().orElseThrow().trim().split("\\s+"));
        assertEquals(List.of("UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"), titles);
        assertEquals(2, rows.size(), rows.toString());
        assertEquals(List.of("root", Integer.toString(pid), "?", "00:00:00", "sleep 202"),
                List.of(rows.get(0)[0], rows.get(0)[1], rows.get(0)[5], rows.get(0)[6], rows.get(0)[7]));
        assertEquals(Integer.toString(pid), rows.get(1)[2], "the child's parent is the container's process");
        assertEquals("sleep 101", rows.get(1)[7]);
        assertTrue(rows.get(0)[4].matches("\\d\\d:\\d\\d"), rows.get(0)[4]);

        // An exec'd process joins the container's process group: it is the container's too, as in Docker.
        gateway.ok("exec", "-d", "tp", "sleep", "303");
        boolean exec = false;
        for (int attempt = 0; attempt < 50 && !exec; attempt++) {
            exec = gateway.ok("top", "tp").lines().anyMatch(l -> l.endsWith(" sleep 303"));
            Thread.sleep(exec ? 0 : 100);
        }
        assertTrue(exec, gateway.ok("top", "tp"));

        GatewayFixture.Cli aux = gateway.docker("top", "tp", "aux");
        assertTrue(aux.exit() != 0 && aux.err().contains("ps_args aux is not supported"), aux.toString());
        gateway.ok("stop", "-t", "1", "tp");
        GatewayFixture.Cli stopped = gateway.docker("top", "tp");
        assertTrue(stopped.exit() != 0 && stopped.err().contains("is not running"), stopped.toString());
        gateway.ok("rm", "tp");
    }

    @Test
    void statsShowTheNetworkIoOfTrafficBetweenTwoContainersAndTheirCpuAndMemory() throws Exception {
        gateway.ok("network", "create", "--subnet", "10.88.0.0/24", "st");
        gateway.ok("run", "-d", "--name", "target", "--network", "st", "--ip", "10.88.0.10", "debian", "sleep", "100");
        gateway.ok("run", "-d", "--name", "pinger", "--network", "st", "debian", "ping", "-c", "10", "-i", "0.2", "10.88.0.10");
        assertEquals("0", gateway.ok("wait", "pinger"));

        String line = gateway.ok("stats", "--no-stream", "--format", "{{.Name}}|{{.NetIO}}|{{.CPUPerc}}|{{.MemUsage}}|{{.PIDs}}", "target");
        String[] f = line.split("\\|");
        assertEquals("target", f[0], line);
        assertFalse(f[1].contains("--") || f[1].startsWith("0B"), "network I/O received: " + line);
        assertTrue(f[2].endsWith("%") && !f[2].contains("--"), line);
        assertTrue(f[3].matches("[0-9.]+[KMG]iB / [0-9.]+[KMG]iB"), "memory used / the host's: " + line);
        assertEquals("1", f[4], line);

        // The counters are the kernel's: at least ten echo requests in, no more than ip reads afterwards.
        JsonNode once = gateway.get("/v1.51/containers/target/stats?stream=false&one-shot=true").json();
        long received = once.at("/networks/eth0/rx_bytes").asLong();
        long sent = once.at("/networks/eth0/tx_bytes").asLong();
        assertTrue(received >= 10 * 98 && sent >= 10 * 98, once.toString());
        assertFalse(once.get("networks").has("lo"), "Docker reports the container's interfaces, not loopback");
        try (Netns target = Netns.open(Path.of(gateway.ok("inspect", "-f", "{{.NetworkSettings.SandboxKey}}", "target")))) {
            JsonNode stats = gateway.box.ipJson(target, "-s", "link", "show", "eth0").get(0).at("/stats64");
            assertTrue(received <= stats.at("/rx/bytes").asLong() && received >= stats.at("/rx/bytes").asLong() - 1000, stats.toString());
            assertTrue(sent <= stats.at("/tx/bytes").asLong() && sent >= stats.at("/tx/bytes").asLong() - 1000, stats.toString());
        }
        assertEquals("0001-01-01T00:00:00Z", once.get("preread").asText(), "one-shot: no previous reading");
        assertTrue(once.at("/memory_stats/usage").asLong() > 0 && once.at("/cpu_stats/system_cpu_usage").asLong() > 0, once.toString());

        // Streamed: one object a second, each with the previous reading as its precpu.
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port + "/v1.51/containers/target/stats"))
                .timeout(Duration.ofSeconds(30)).build();
        HttpResponse<Stream<String>> streamed = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofLines());
        List<JsonNode> objects = new ArrayList<>();
        try (Stream<String> lines = streamed.body()) {
            Iterator<String> it = lines.iterator();
            while (objects.size() < 2 && it.hasNext()) {
                objects.add(JSON.readTree(it.next()));
            }
        }
        assertEquals(2, objects.size());
        assertEquals(objects.get(0).get("cpu_stats"), objects.get(1).get("precpu_stats"));
        assertEquals(objects.get(0).get("read"), objects.get(1).get("preread"));
        Duration between = Duration.between(Instant.parse(objects.get(0).get("read").asText()), Instant.parse(objects.get(1).get("read").asText()));
        assertTrue(between.toMillis() >= 800, between.toString());

        gateway.ok("stop", "-t", "1", "target");
        JsonNode stopped = gateway.get("/v1.51/containers/target/stats?stream=false&one-shot=true").json();
        assertEquals("0001-01-01T00:00:00Z", stopped.get("read").asText());
        assertEquals(404, gateway.get("/v1.51/containers/nosuch/stats?stream=false").status());
        gateway.ok("rm", "target", "pinger");
        gateway.ok("network", "rm", "st");
    }

    @Test
    void systemDfListsImagesAndContainersWithNothingOnDisk() throws Exception {
        gateway.ok("run", "-d", "--name", "one", "debian", "sleep", "100");
        gateway.ok("create", "--name", "two", "debian", "true");
        List<String> lines = gateway.ok("system", "df", "--format", "{{.Type}}|{{.TotalCount}}|{{.Active}}|{{.Size}}").lines().toList();
        assertEquals(List.of("Images|1|1|0B", "Containers|2|1|0B", "Local Volumes|0|0|0B", "Build Cache|0|0|0B"), lines);
        JsonNode df = gateway.get("/v1.51/system/df").json();
        assertEquals(Set.of("LayersSize", "Images", "Containers", "Volumes", "BuildCache"), names(df));
        assertEquals(2, df.at("/Images/0/Containers").asInt());
        JsonNode onlyImages = gateway.get("/v1.51/system/df?type=image").json();
        assertEquals(Set.of("LayersSize", "Images"), names(onlyImages));
        GatewayFixture.Answer bad = gateway.get("/v1.51/system/df?type=disk");
        assertEquals(400, bad.status());
        assertTrue(bad.message().contains("unknown object type: disk"), bad.body());
        gateway.ok("rm", "-f", "one", "two");
    }

    private List<String> ps(String... filters) {
        List<String> args = new ArrayList<>(List.of("ps", "--format", "{{.Names}}"));
        args.addAll(List.of(filters));
        return gateway.ok(args.toArray(String[]::new)).lines().toList();
    }

    private int pid(String container) {
        return Integer.parseInt(gateway.ok("inspect", "-f", "{{.State.Pid}}", container));
    }

    private static Object inode(String path) throws Exception {
        return Files.getAttribute(Path.of(path), "unix:ino");
    }

    private static Set<String> names(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }
}
