package io.netwharf.gateway;

import io.netwharf.container.ContainerEngine;
import io.netwharf.container.ContainerView;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.head;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.path;

/** {@code /_ping}, {@code /version} and {@code /info}: what the docker CLI asks before anything else. */
final class SystemRoutes {
    static final String VERSION = "0.1.0";
    private static final String BUILD_TIME = Instant.now().toString();

    private final ContainerEngine engine;
    /** Stable for the life of the gateway, as a daemon's ID is. */
    private final String id = UUID.randomUUID().toString();

    SystemRoutes(ContainerEngine engine) {
        this.engine = engine;
    }

    Route route() {
        return concat(
                path("_ping", () -> concat(get(this::ping), head(this::ping))),
                path("version", () -> get(() -> DockerJson.complete(StatusCodes.OK, version()))),
                path("info", () -> get(() -> onSuccess(engine.list(),
                        containers -> DockerJson.complete(StatusCodes.OK, info(containers))))));
    }

    private Route ping() {
        return complete(HttpResponse.create().withStatus(StatusCodes.OK)
                .withEntity(ContentTypes.TEXT_PLAIN_UTF8, "OK")
                .addHeaders(List.of(
                        RawHeader.create("Cache-Control", "no-cache, no-store, must-revalidate"),
                        RawHeader.create("Pragma", "no-cache"),
                        RawHeader.create("Swarm", "inactive"),
                        // The CLI reads it to choose a builder; empty leaves its default, and netwharf builds nothing.
                        RawHeader.create("Builder-Version", ""))));
    }

    private static Map<String, Object> version() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("ApiVersion", DockerApi.API_VERSION);
        details.put("Arch", arch());
        details.put("BuildTime", BUILD_TIME);
        details.put("Experimental", "false");
        details.put("GitCommit", "n/a");
        details.put("GoVersion", "n/a");
        details.put("KernelVersion", kernelVersion());
        details.put("MinAPIVersion", DockerApi.MIN_API_VERSION);
        details.put("Os", "linux");
        Map<String, Object> engine = new LinkedHashMap<>();
        engine.put("Name", "Engine");
        engine.put("Version", VERSION);
        engine.put("Details", details);

        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Platform", Map.of("Name", "netwharf"));
        body.put("Components", List.of(engine));
        body.put("Version", VERSION);
        body.put("ApiVersion", DockerApi.API_VERSION);
        body.put("MinAPIVersion", DockerApi.MIN_API_VERSION);
        body.put("GitCommit", "n/a");
        body.put("GoVersion", "n/a");
        body.put("Os", "linux");
        body.put("Arch", arch());
        body.put("KernelVersion", kernelVersion());
        body.put("BuildTime", BUILD_TIME);
        return body;
    }

    private Map<String, Object> info(List<ContainerView> containers) {
        Map<String, Object> swarm = new LinkedHashMap<>();
        swarm.put("NodeID", "");
        swarm.put("NodeAddr", "");
        swarm.put("LocalNodeState", "inactive");
        swarm.put("ControlAvailable", false);
        swarm.put("Error", "");
        swarm.put("RemoteManagers", null);
        Map<String, Object> plugins = new LinkedHashMap<>();
        plugins.put("Volume", List.of());
        plugins.put("Network", List.of("bridge", "host", "null"));
        plugins.put("Authorization", null);
        plugins.put("Log", List.of());

        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ID", id);
        long running = containers.stream().filter(ContainerView::runningOrRestarting).count();
        body.put("Containers", containers.size());
        body.put("ContainersRunning", running);
        body.put("ContainersPaused", 0);
        body.put("ContainersStopped", containers.size() - running);
        body.put("Images", 0);
        body.put("Driver", "none");
        body.put("DriverStatus", List.of());
        body.put("Plugins", plugins);
        body.put("MemoryLimit", false);
        body.put("SwapLimit", false);
        body.put("CpuCfsPeriod", false);
        body.put("CpuCfsQuota", false);
        body.put("CPUShares", false);
        body.put("CPUSet", false);
        body.put("PidsLimit", false);
        body.put("IPv4Forwarding", true);
        body.put("Debug", false);
        body.put("NFd", 0);
        body.put("OomKillDisable", false);
        body.put("NGoroutines", 0);
        body.put("SystemTime", Instant.now().toString());
        body.put("LoggingDriver", "");
        body.put("CgroupDriver", "none");
        body.put("CgroupVersion", "2");
        body.put("NEventsListener", 0);
        body.put("KernelVersion", kernelVersion());
        body.put("OperatingSystem", operatingSystem());
        body.put("OSVersion", "");
        body.put("OSType", "linux");
        body.put("Architecture", uname());
        body.put("IndexServerAddress", "");
        body.put("RegistryConfig", null);
        body.put("NCPU", Runtime.getRuntime().availableProcessors());
        body.put("MemTotal", memTotal());
        body.put("GenericResources", null);
        body.put("DockerRootDir", engine.dataRoot().toString());
        body.put("HttpProxy", "");
        body.put("HttpsProxy", "");
        body.put("NoProxy", "");
        body.put("Name", hostname());
        body.put("Labels", List.of());
        body.put("ExperimentalBuild", false);
        body.put("ServerVersion", VERSION);
        body.put("Runtimes", Map.of("netwharf", Map.of("path", "netwharf")));
        body.put("DefaultRuntime", "netwharf");
        body.put("Swarm", swarm);
        body.put("LiveRestoreEnabled", engine.liveRestore());
        body.put("Isolation", "");
        body.put("InitBinary", "");
        body.put("ContainerdCommit", Map.of("ID", ""));
        body.put("RuncCommit", Map.of("ID", ""));
        body.put("InitCommit", Map.of("ID", ""));
        body.put("SecurityOptions", List.of());
        body.put("Warnings", List.of());
        return body;
    }

    /** Go's name for the architecture, as /version reports it. */
    static String arch() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> System.getProperty("os.arch");
        };
    }

    /** uname -m's name for the architecture, as /info reports it. */
    private static String uname() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "x86_64";
            default -> System.getProperty("os.arch");
        };
    }

    static String kernelVersion() {
        return read(Path.of("/proc/sys/kernel/osrelease"), System.getProperty("os.version"));
    }

    private static String hostname() {
        return read(Path.of("/proc/sys/kernel/hostname"), "localhost");
    }

    private static String operatingSystem() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith("PRETTY_NAME=")) {
                    return line.substring("PRETTY_NAME=".length()).replace("\"", "");
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return "Linux";
    }

    private static long memTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        return 0;
    }

    private static String read(Path file, String otherwise) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            return otherwise;
        }
    }
}
