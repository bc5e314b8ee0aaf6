package io.netwharf.gateway;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Host names, DNS settings and hosts entries through the Docker Engine API and the docker CLI (root, real kernel,
 * processes in containers): what the process sees, what inspect shows, and Docker's refusals.
 */
class ContainerNamesApiTest extends ApiTest {
    private JsonNode inspect(String container) {
        GatewayFixture.Answer a = gateway.get("/v1.51/containers/" + container + "/json");
        assertEquals(200, a.status(), a.body());
        return a.json();
    }

    /** {@code docker run -d ARGS}, waited for: its output. */
    private String run(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("run", "-d"));
        command.addAll(List.of(args));
        String id = gateway.ok(command.toArray(String[]::new));
        assertEquals("0", gateway.ok("wait", id), () -> gateway.docker("logs", id).toString());
        return gateway.ok("logs", id) + "\n";
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new java.util.ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    @Test
    void theDockerCliSetsHostNameHostsEntriesAndDnsOnAUserNetworkAndInspectShowsThem() throws Exception {
        gateway.ok("network", "create", "--subnet", "10.61.0.0/24", "backend");
        String out = run("--name", "web", "--network", "backend", "--hostname", "h", "--domainname", "corp.example",
                "--add-host", "db:10.0.0.9", "--add-host", "gw=host-gateway", "--dns-search", "corp", "--dns-option", "timeout:2",
                "debian", "sh", "-c", "hostname; echo --; cat /etc/hosts; echo --; cat /etc/resolv.conf");
        String[] seen = out.split("--\n");
        assertEquals("h\n", seen[0]);
        String gatewayAddress = gateway.ok("network", "inspect", "bridge", "--format", "{{(index .IPAM.Config 0).Gateway}}");
        assertTrue(seen[1].matches("(?s).*ff02::2\tip6-allrouters\n10\\.0\\.0\\.9\tdb\n" + gatewayAddress.replace(".", "\\.")
                + "\tgw\n10\\.61\\.0\\.\\d+\th\\.corp\\.example h\n"), seen[1]);
        assertEquals("nameserver 127.0.0.11\nsearch corp\noptions timeout:2 ndots:0\n", seen[2]);

        JsonNode web = inspect("web");
        String id = web.get("Id").asText();
        Path folder = gateway.dataRoot.resolve("containers").resolve(id);
        assertEquals(folder.resolve("resolv.conf").toString(), web.get("ResolvConfPath").asText());
        assertEquals(folder.resolve("hosts").toString(), web.get("HostsPath").asText());
        assertEquals(folder.resolve("hostname").toString(), web.get("HostnamePath").asText());
        assertEquals("h.corp.example\n", Files.readString(folder.resolve("hostname")));
        assertEquals(seen[1], Files.readString(folder.resolve("hosts")));
        assertEquals("h", web.get("Config").get("Hostname").asText());
        assertEquals("corp.example", web.get("Config").get("Domainname").asText());
        JsonNode host = web.get("HostConfig");
        assertEquals(List.of(), strings(host.get("Dns")));
        assertEquals(List.of("corp"), strings(host.get("DnsSearch")));
        assertEquals(List.of("timeout:2"), strings(host.get("DnsOptions")));
        assertEquals(List.of("db:10.0.0.9", "gw:host-gateway"), strings(host.get("ExtraHosts")));
    }

    @Test
    void onTheDefaultBridgeTheHostNameIsTheShortIdAndDnsServersAreWritten() {
        String out = run("--name", "plain", "--dns", "10.9.9.9", "debian", "sh", "-c", "hostname; cat /etc/resolv.conf");
        String shortId = inspect("plain").get("Id").asText().substring(0, 12);
        assertEquals(shortId + "\nnameserver 10.9.9.9\n", out);
        JsonNode plain = inspect("plain");
        assertEquals(shortId, plain.get("Config").get("Hostname").asText());
        assertEquals(List.of("10.9.9.9"), strings(plain.get("HostConfig").get("Dns")));
        assertTrue(plain.get("HostConfig").get("ExtraHosts").isNull(), "null when none, as Docker 20.10 shows it");

        // Before its first start a container has no files yet: empty paths, as Docker's.
        gateway.ok("create", "--name", "fresh", "debian");
        JsonNode fresh = inspect("fresh");
        assertEquals("", fresh.get("HostsPath").asText());
        assertEquals(fresh.get("Id").asText().substring(0, 12), fresh.get("Config").get("Hostname").asText());
        assertEquals(List.of(), strings(fresh.get("HostConfig").get("DnsSearch")));
    }

    @Test
    void badNamesAndConflictingModesAreRefusedInDockersWords() {
        String[][] refusals = {
                {"{\"Image\":\"debian\",\"Hostname\":\"bad_name\"}", "invalid hostname format: bad_name"},
                {"{\"Image\":\"debian\",\"HostConfig\":{\"Dns\":[\"dns.example\"]}}",
                        "IP address is not correctly formatted: dns.example (HostConfig.Dns)"},
                {"{\"Image\":\"debian\",\"HostConfig\":{\"ExtraHosts\":[\"db 10.0.0.9\"]}}", "bad format for add-host: \"db 10.0.0.9\""},
                {"{\"Image\":\"debian\",\"HostConfig\":{\"ExtraHosts\":[\"db:nowhere\"]}}", "invalid IP address in add-host: \"nowhere\""},
                {"{\"Image\":\"debian\",\"HostConfig\":{\"DnsSearch\":[\"a..b\"]}}", "a..b is not a valid domain"},
                {"{\"Image\":\"debian\",\"Hostname\":\"h\",\"HostConfig\":{\"NetworkMode\":\"host\"}}",
                        "conflicting options: hostname and the network mode"},
                {"{\"Image\":\"debian\",\"Hostname\":\"h\",\"HostConfig\":{\"NetworkMode\":\"container:web\"}}",
                        "conflicting options: hostname and the network mode"},
                {"{\"Image\":\"debian\",\"HostConfig\":{\"NetworkMode\":\"container:web\",\"Dns\":[\"10.0.0.1\"]}}",
                        "conflicting options: dns and the network mode"},
                {"{\"Image\":\"debian\",\"Hostname\":\"h\",\"HostConfig\":{\"NetworkMode\":\"host\",\"UTSMode\":\"host\"}}",
                        "conflicting options: hostname and the UTS mode"},
        };
        for (String[] r : refusals) {
            GatewayFixture.Answer a = gateway.post("/v1.51/containers/create", r[0]);
            assertEquals(400, a.status(), r[0] + ": " + a.body());
            assertEquals(r[1], a.message(), r[0]);
        }
        assertEquals(400, gateway.post("/v1.51/containers/create", "{\"Image\":\"debian\",\"HostConfig\":{\"Dns\":[null]}}").status());
        GatewayFixture.Cli cli = gateway.docker("run", "-d", "--network", "host", "--hostname", "h", "debian", "true");
        assertTrue(cli.exit() != 0 && cli.err().contains("conflicting options: hostname and the network mode"), cli.toString());
        assertEquals("", gateway.ok("ps", "-a", "-q"), "every refusal left nothing behind");
    }
}
