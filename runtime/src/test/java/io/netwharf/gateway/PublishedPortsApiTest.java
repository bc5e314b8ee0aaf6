package io.netwharf.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code -p}, {@code -P} and {@code --expose} through the docker CLI: the server in a container reached from the
 * daemon's host namespace at 127.0.0.1, {@code docker port}, the PORTS column, inspect's shapes, a taken port and a bad
 * specification refused in Docker's words. Needs root, the kernel and the docker CLI; runs in CI.
 */
class PublishedPortsApiTest extends ApiTest {
    @Test
    void aPublishedPortIsReachedAndShownAsDockerShowsIt() throws Exception {
        Path site = Files.createTempDirectory("netwharf-site-");
        Files.writeString(site.resolve("hello.txt"), "hello through a published port\n");
        gateway.ok("run", "-d", "--name", "web", "-p", "18080:8000", "-p", "127.0.0.1::8001", "--expose", "9000", "debian",
                "python3", "-m", "http.server", "8000", "--directory", site.toString());
        assertEquals("hello through a published port", fetch("http://127.0.0.1:18080/hello.txt"));

        String port = gateway.ok("port", "web");
        assertTrue(port.contains("8000/tcp -> 0.0.0.0:18080"), port);
        String chosen = gateway.ok("port", "web", "8001/tcp");
        assertTrue(chosen.matches("127\\.0\\.0\\.1:\\d+"), chosen);
        assertTrue(gateway.ok("ps", "--format", "{{.Ports}}").contains("0.0.0.0:18080->8000/tcp"));
        JsonNode web = GatewayFixture.JSON.readTree(gateway.ok("inspect", "web")).get(0);
        assertEquals("[{\"HostIp\":\"\",\"HostPort\":\"18080\"}]", web.at("/HostConfig/PortBindings/8000~1tcp").toString());
        assertEquals("[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"\"}]", web.at("/HostConfig/PortBindings/8001~1tcp").toString());
        assertTrue(web.at("/Config/ExposedPorts").has("9000/tcp"), web.at("/Config/ExposedPorts").toString());
        assertTrue(web.at("/NetworkSettings/Ports/9000~1tcp").isNull(), "exposed, not published: " + web.at("/NetworkSettings/Ports"));

        gateway.ok("run", "-d", "--name", "all", "-P", "--expose", "7000", "debian", "sleep", "600");
        String any = gateway.ok("port", "all", "7000");
        assertTrue(any.matches("0\\.0\\.0\\.0:\\d+"), "-P gives an exposed port a host port: " + any);

        GatewayFixture.Cli taken = gateway.docker("run", "-d", "--name", "second", "-p", "18080:80", "debian", "sleep", "600");
        assertNotEquals(0, taken.exit());
        assertTrue(taken.err().contains("Bind for 0.0.0.0:18080 failed: port is already allocated"), taken.err());
        assertEquals("hello through a published port", fetch("http://127.0.0.1:18080/hello.txt"), "the first keeps its port");

        gateway.ok("rm", "-f", "web");
        assertEquals(null, fetch("http://127.0.0.1:18080/hello.txt", 1), "nothing forwarded once it is gone");
        gateway.ok("start", "second");
        assertTrue(gateway.ok("port", "second").contains("0.0.0.0:18080"), "the port is free again");
    }

    @Test
    void badSpecificationsAreRefusedInDockersWordsAndCreateNothing() throws Exception {
        GatewayFixture.Answer bad = gateway.post("/v1.51/containers/create", """
                {"Image": "debian", "Cmd": ["true"], "HostConfig": {"PortBindings": {"80/tcp": [{"HostIp": "", "HostPort": "x"}]}}}""");
        assertEquals(400, bad.status(), bad.body());
        assertTrue(bad.body().contains("invalid port specification: \\\"x\\\""), bad.body());
        GatewayFixture.Answer key = gateway.post("/v1.51/containers/create", """
                {"Image": "debian", "Cmd": ["true"], "ExposedPorts": {"http/tcp": {}}}""");
        assertEquals(400, key.status(), key.body());
        assertTrue(key.body().contains("invalid port specification: \\\"http\\\""), key.body());
        GatewayFixture.Answer joined = gateway.post("/v1.51/containers/create", """
                {"Image": "debian", "Cmd": ["true"], "HostConfig": {"NetworkMode": "container:x", "PublishAllPorts": true}}""");
        assertEquals(400, joined.status(), joined.body());
        assertTrue(joined.body().contains("conflicting options: port publishing and the container type network mode"), joined.body());
        assertEquals("", gateway.ok("ps", "-aq"));

        GatewayFixture.Cli host = gateway.docker("run", "-d", "--name", "hostly", "--network", "host", "-p", "8080:80", "debian", "sleep", "60");
        assertEquals(0, host.exit(), host.err());
        assertTrue(host.err().contains("Published ports are discarded when using host network mode"), host.err());
    }

    /** The body of a GET from the daemon's host namespace, trying for up to five seconds (a server may be starting). */
    private String fetch(String url) throws Exception {
        return fetch(url, 50);
    }

    /** The body of a GET from the daemon's host namespace; null when nothing answered in {@code attempts} tries. */
    private String fetch(String url, int attempts) throws Exception {
        for (int attempt = 0; attempt < attempts; attempt++) {
            Process p = new ProcessBuilder("nsenter", "--net=" + gateway.box.host.path(), "python3", "-c",
                    "import sys, urllib.request\ntry:\n print(urllib.request.urlopen(sys.argv[1], timeout=2).read().decode(), end='')\n"
                            + "except Exception:\n sys.exit(1)", url).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return out;
            }
            Thread.sleep(100);
        }
        return null;
    }
}
