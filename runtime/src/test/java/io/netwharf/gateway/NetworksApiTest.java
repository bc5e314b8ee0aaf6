package io.netwharf.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.netwharf.protocol.model.ContainerInfo;
import io.netwharf.runtime.HostSnapshot;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.netwharf.runtime.RuntimeFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** /networks over HTTP and through the docker CLI, checked against what the kernel shows. Needs root; runs in CI. */
class NetworksApiTest extends ApiTest {
    private List<String> names(String query) {
        GatewayFixture.Answer a = gateway.get("/v1.51/networks" + query);
        assertEquals(200, a.status(), a.body());
        List<String> names = new ArrayList<>();
        a.json().forEach(n -> names.add(n.get("Name").asText()));
        return names;
    }

    private String create(String body) {
        GatewayFixture.Answer a = gateway.post("/v1.51/networks/create", body);
        assertEquals(201, a.status(), a.body());
        assertEquals("", a.json().get("Warning").asText());
        String id = a.json().get("Id").asText();
        assertTrue(id.matches("[0-9a-f]{64}"), id);
        return id;
    }

    @Test
    void createInspectListAndRemoveAUserNetwork() {
        String id = create("""
                {"Name":"usernet","CheckDuplicate":true,"Driver":"bridge","EnableIPv6":false,
                 "IPAM":{"Driver":"default","Config":[{"Subnet":"10.123.0.0/24","IPRange":"10.123.0.128/25","Gateway":"10.123.0.1"}],"Options":{}},
                 "Internal":false,"Attachable":false,"Ingress":false,"ConfigOnly":false,"ConfigFrom":null,
                 "Options":{"com.docker.network.bridge.name":"usr0","com.docker.network.driver.mtu":"1400"},
                 "Labels":{"purpose":"sample"},"SomethingNew":{"ignored":true}}""");
        assertEquals(List.of("10.123.0.1/24"), gateway.hostAddresses("usr0"), "the bridge with its gateway");
        assertEquals(1400, gateway.box.ipJson(gateway.box.host, "link", "show", "usr0").get(0).get("mtu").asInt());

        GatewayFixture.Answer inspected = gateway.get("/v1.51/networks/usernet");
        assertEquals(200, inspected.status(), inspected.body());
        assertEquals("application/json", inspected.header("Content-Type"));
        JsonNode n = inspected.json();
        assertEquals("usernet", n.get("Name").asText());
        assertEquals(id, n.get("Id").asText());
        assertTrue(Instant.parse(n.get("Created").asText()).isBefore(Instant.now()));
        assertEquals("local", n.get("Scope").asText());
        assertEquals("bridge", n.get("Driver").asText());
        assertTrue(n.get("EnableIPv4").asBoolean());
        assertFalse(n.get("EnableIPv6").asBoolean());
        assertEquals("{\"Subnet\":\"10.123.0.0/24\",\"IPRange\":\"10.123.0.128/25\",\"Gateway\":\"10.123.0.1\"}",
                n.get("IPAM").get("Config").get(0).toString());
        assertEquals("default", n.get("IPAM").get("Driver").asText());
        assertEquals("{\"Network\":\"\"}", n.get("ConfigFrom").toString());
        assertEquals("{\"com.docker.network.bridge.name\":\"usr0\",\"com.docker.network.driver.mtu\":\"1400\"}", n.get("Options").toString());
        assertEquals("{\"purpose\":\"sample\"}", n.get("Labels").toString());
        assertEquals("{}", n.get("Containers").toString());
        assertEquals(id, gateway.get("/networks/" + id.substring(0, 10) + "?verbose=true&scope=local").json().get("Id").asText(), "by id prefix");
        assertEquals("usernet", gateway.get("/v1.41/networks/" + id).json().get("Name").asText(), "by id");

        ContainerInfo web = gateway.run("web", "usernet");
        JsonNode entry = gateway.get("/v1.51/networks/usernet").json().get("Containers").get(web.id());
        assertEquals("web", entry.get("Name").asText());
        assertEquals("10.123.0.128/24", entry.get("IPv4Address").asText());
        assertEquals(web.endpoints().get("usernet").endpointId(), entry.get("EndpointID").asText());
        assertEquals(web.endpoints().get("usernet").macAddress(), entry.get("MacAddress").asText());
        assertEquals("", entry.get("IPv6Address").asText());
        GatewayFixture.Answer listed = gateway.get("/v1.51/networks");
        for (JsonNode each : listed.json()) {
            assertEquals("{}", each.get("Containers").toString(), "a list shows no containers, as Docker's");
        }
        assertEquals(List.of("bridge", "host", "none", "usernet"), names(""));

        GatewayFixture.Answer busy = gateway.send("DELETE", "/v1.51/networks/usernet", (String) null);
        assertEquals(403, busy.status());
        assertTrue(busy.message().contains("has active endpoints"), busy.message());
        await(gateway.netwharf.removeContainer(web.id(), false));
        GatewayFixture.Answer removed = gateway.send("DELETE", "/v1.51/networks/usernet", (String) null);
        assertEquals(204, removed.status(), removed.body());
        assertEquals("", removed.body());
        assertFalse(gateway.box.linkNames(gateway.box.host).contains("usr0"), "the bridge is gone");
        GatewayFixture.Answer gone = gateway.get("/v1.51/networks/usernet");
        assertEquals(404, gone.status());
        assertEquals("network usernet not found", gone.message());
    }

    @Test
    void theDefaultNetworksAreShownAsDockersAndCannotBeChanged() {
        List<String> all = names("");
        assertEquals(List.of("bridge", "host", "none"), all);
        JsonNode bridge = gateway.get("/v1.51/networks/bridge").json();
        assertEquals("bridge", bridge.get("Driver").asText());
        assertEquals("true", bridge.get("Options").get("com.docker.network.bridge.default_bridge").asText());
        assertEquals("netwharf0", bridge.get("Options").get("com.docker.network.bridge.name").asText());
        assertEquals("1500", bridge.get("Options").get("com.docker.network.driver.mtu").asText());
        assertEquals("0.0.0.0", bridge.get("Options").get("com.docker.network.bridge.host_binding_ipv4").asText());
        String subnet = bridge.get("IPAM").get("Config").get(0).get("Subnet").asText();
        String gatewayAddress = bridge.get("IPAM").get("Config").get(0).get("Gateway").asText();
        assertEquals(List.of(gatewayAddress + "/" + subnet.split("/")[1]), gateway.hostAddresses("netwharf0"));

        JsonNode host = gateway.get("/v1.51/networks/host").json();
        assertEquals("host", host.get("Driver").asText());
        assertEquals("[]", host.get("IPAM").get("Config").toString());
        assertTrue(host.get("Id").asText().matches("[0-9a-f]{64}"));
        assertEquals(host.get("Id").asText(), gateway.get("/networks/host").json().get("Id").asText(), "the same on every call");
        assertEquals("host", gateway.get("/networks/" + host.get("Id").asText()).json().get("Name").asText());
        JsonNode none = gateway.get("/v1.51/networks/none").json();
        assertEquals("null", none.get("Driver").asText());
        assertNotEquals(host.get("Id").asText(), none.get("Id").asText());

        ContainerInfo h = gateway.run("hostc", "host");
        ContainerInfo i = gateway.run("iso", "none");
        ContainerInfo b = gateway.run("web", "bridge");
        JsonNode hostc = gateway.get("/v1.51/networks/host").json().get("Containers");
        assertEquals(1, hostc.size());
        assertEquals("hostc", hostc.get(h.id()).get("Name").asText());
        assertEquals("", hostc.get(h.id()).get("IPv4Address").asText());
        assertEquals("iso", gateway.get("/v1.51/networks/none").json().get("Containers").get(i.id()).get("Name").asText());
        assertEquals("web", gateway.get("/v1.51/networks/bridge").json().get("Containers").get(b.id()).get("Name").asText());

        for (String name : List.of("bridge", "host", "none")) {
            GatewayFixture.Answer refused = gateway.send("DELETE", "/v1.51/networks/" + name, (String) null);
            assertEquals(403, refused.status(), name);
            assertEquals(name + " is a pre-defined network and cannot be removed", refused.message());
            GatewayFixture.Answer again = gateway.post("/v1.51/networks/create", "{\"Name\":\"" + name + "\"}");
            assertEquals(403, again.status(), again.body());
            assertTrue(again.message().startsWith("operation is not permitted on predefined " + name + " network"), again.message());
        }
        GatewayFixture.Answer toHost = gateway.post("/v1.51/networks/host/connect", "{\"Container\":\"web\"}");
        assertEquals(400, toHost.status());
        // Docker's runconfig.ErrConflictHostNetwork (daemon.updateNetworkSettings), the answer for a container not in host mode.
        assertEquals("container cannot be disconnected from host network or connected to host network", toHost.message());
        GatewayFixture.Answer toNone = gateway.post("/v1.51/networks/none/connect", "{\"Container\":\"web\"}");
        assertEquals(400, toNone.status());
        assertEquals("container cannot be connected to multiple networks with one of the networks in private (none) mode", toNone.message());
        GatewayFixture.Answer hostDriver = gateway.post("/v1.51/networks/create", "{\"Name\":\"h2\",\"Driver\":\"host\"}");
        assertEquals(403, hostDriver.status());
        assertEquals(List.of("bridge", "host", "none"), names(""));
    }

    @Test
    void connectAndDisconnectGoThroughTheContainerEngine() {
        create("{\"Name\":\"n1\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.36.0.0/24\"}]}}");
        ContainerInfo ca = gateway.run("ca", "bridge");
        GatewayFixture.Answer connected = gateway.post("/v1.51/networks/n1/connect",
                "{\"Container\":\"ca\",\"EndpointConfig\":{\"IPAMConfig\":{\"IPv4Address\":\"10.36.0.50\"},\"Aliases\":[\"a1\"]}}");
        assertEquals(200, connected.status(), connected.body());
        assertEquals("", connected.body());
        assertEquals("10.36.0.50/24", gateway.get("/v1.51/networks/n1").json().get("Containers").get(ca.id()).get("IPv4Address").asText());
        assertEquals(List.of("bridge", "n1"), List.copyOf(await(gateway.netwharf.inspectContainer(ca.id())).endpoints().keySet()));

        GatewayFixture.Answer twice = gateway.post("/v1.51/networks/n1/connect", "{\"Container\":\"ca\"}");
        assertEquals(403, twice.status());
        assertTrue(twice.message().contains("already exists in network n1"), twice.message());
        GatewayFixture.Answer nobody = gateway.post("/v1.51/networks/n1/connect", "{\"Container\":\"nosuchctr\"}");
        assertEquals(404, nobody.status());
        assertEquals("No such container: nosuchctr", nobody.message());
        GatewayFixture.Answer nowhere = gateway.post("/v1.51/networks/nosuchnet/connect", "{\"Container\":\"ca\"}");
        assertEquals(404, nowhere.status());
        assertEquals("network nosuchnet not found", nowhere.message());
        GatewayFixture.Answer onBridge = gateway.post("/v1.51/networks/bridge/connect",
                "{\"Container\":\"ca\",\"EndpointConfig\":{\"IPAMConfig\":{\"IPv4Address\":\"172.17.0.99\"}}}");
        assertEquals(400, onBridge.status());

        GatewayFixture.Answer disconnected = gateway.post("/v1.51/networks/n1/disconnect", "{\"Container\":\"ca\",\"Force\":false}");
        assertEquals(200, disconnected.status(), disconnected.body());
        assertEquals("{}", gateway.get("/v1.51/networks/n1").json().get("Containers").toString());
        GatewayFixture.Answer notThere = gateway.post("/v1.51/networks/n1/disconnect", "{\"Container\":\"ca\",\"Force\":true}");
        assertTrue(notThere.status() >= 400, notThere.body());
        GatewayFixture.Answer unknown = gateway.post("/v1.51/networks/n1/disconnect", "{\"Container\":\"nosuchctr\"}");
        assertEquals(404, unknown.status());
        assertEquals("No such container: nosuchctr", unknown.message());
    }

    @Test
    void listFiltersAsDocker() {
        String a = create("{\"Name\":\"alpha\",\"Labels\":{\"tier\":\"front\",\"team\":\"x\"}}");
        create("{\"Name\":\"beta\",\"Labels\":{\"tier\":\"back\"}}");
        assertEquals(List.of("alpha"), names(filters("{\"name\":{\"alp\":true}}")), "name: a substring");
        assertEquals(List.of("alpha", "beta"), names(filters("{\"name\":[\"alpha\",\"beta\"]}")), "the older array form");
        assertEquals(List.of("alpha"), names(filters("{\"id\":{\"" + a.substring(0, 8) + "\":true}}")));
        assertEquals(List.of("alpha"), names(filters("{\"label\":{\"tier=front\":true}}")));
        assertEquals(List.of("alpha", "beta"), names(filters("{\"label\":{\"tier\":true}}")));
        assertEquals(List.of("alpha"), names(filters("{\"label\":{\"tier\":true,\"team=x\":true}}")), "labels: all must match");
        assertEquals(List.of("host"), names(filters("{\"driver\":{\"host\":true}}")));
        assertEquals(List.of("bridge", "host", "none"), names(filters("{\"type\":{\"builtin\":true}}")));
        assertEquals(List.of("alpha", "beta"), names(filters("{\"type\":{\"custom\":true}}")));
        assertEquals(List.of("alpha", "beta"), names(filters("{\"dangling\":{\"true\":true}}")));
        assertEquals(List.of("alpha", "beta"), names(filters("{\"name\":{\"a\":true},\"type\":{\"custom\":true}}")));

        GatewayFixture.Answer unknown = gateway.get("/v1.51/networks" + filters("{\"colour\":{\"red\":true}}"));
        assertEquals(400, unknown.status());
        assertEquals("invalid filter 'colour'", unknown.message());
        assertEquals(400, gateway.get("/v1.51/networks" + filters("{\"type\":{\"odd\":true}}")).status());
        assertEquals(400, gateway.get("/v1.51/networks" + filters("{not json")).status());
    }

    @Test
    void pruneRemovesUnusedUserNetworksOnly() {
        create("{\"Name\":\"p1\",\"Labels\":{\"prune\":\"me\"}}");
        create("{\"Name\":\"p2\"}");
        create("{\"Name\":\"busy\"}");
        gateway.run("cc", "busy");

        GatewayFixture.Answer unknown = gateway.post("/v1.51/networks/prune" + filters("{\"name\":{\"x\":true}}"), null);
        assertEquals(400, unknown.status());
        assertEquals("invalid filter 'name'", unknown.message());
        GatewayFixture.Answer byLabel = gateway.post("/v1.51/networks/prune" + filters("{\"label\":{\"prune=me\":true}}"), null);
        assertEquals(200, byLabel.status(), byLabel.body());
        assertEquals("{\"NetworksDeleted\":[\"p1\"]}", byLabel.body());
        GatewayFixture.Answer tooOld = gateway.post("/v1.51/networks/prune" + filters("{\"until\":{\"10m\":true}}"), null);
        assertEquals("{\"NetworksDeleted\":[]}", tooOld.body(), "nothing is ten minutes old");
        GatewayFixture.Answer rest = gateway.post("/v1.51/networks/prune", null);
        assertEquals("{\"NetworksDeleted\":[\"p2\"]}", rest.body());
        assertEquals(List.of("bridge", "host", "none", "busy"), names(""));
    }

    @Test
    void badInputIsRefusedAsDockerAndChangesNothing() {
        create("{\"Name\":\"taken\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.39.0.0/16\"}]}}");
        String before = gateway.get("/v1.51/networks").body();
        List<String> links = gateway.box.linkNames(gateway.box.host);

        refused(400, null, "{\"Name\":\"x\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.0.0.0/33\"}]}}");
        refused(400, null, "{\"Name\":\"x\",\"IPAM\":{\"Config\":[{\"Subnet\":\"not-a-cidr\"}]}}");
        refused(400, null, "{\"Name\":\"x\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.40.0.0/24\",\"Gateway\":\"10.41.0.1\"}]}}");
        refused(403, "Pool overlaps with other one on this address space", "{\"Name\":\"x\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.39.5.0/24\"}]}}");
        refused(409, "network with name taken already exists", "{\"Name\":\"taken\",\"CheckDuplicate\":true}");
        refused(404, "plugin \"nosuchdriver\" not found", "{\"Name\":\"x\",\"Driver\":\"nosuchdriver\"}");
        refused(400, "invalid name: ", "{\"Name\":\"\"}");
        refused(400, "IPv6", "{\"Name\":\"x\",\"EnableIPv6\":true}");
        refused(400, "only one IPv4", "{\"Name\":\"x\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.60.0.0/24\"},{\"Subnet\":\"10.61.0.0/24\"}]}}");
        refused(400, "com.docker.network.driver.mtu", "{\"Name\":\"x\",\"Options\":{\"com.docker.network.driver.mtu\":\"big\"}}");
        refused(400, "com.docker.network.bridge.enable_icc", "{\"Name\":\"x\",\"Options\":{\"com.docker.network.bridge.enable_icc\":\"maybe\"}}");
        refused(400, "invalid JSON: ", "{\"Name\":");
        refused(400, "invalid JSON: got EOF while reading request body", "");
        refused(400, "invalid JSON: field Internal: ", "{\"Name\":\"x\",\"Internal\":\"yes\"}");
        refused(400, "invalid JSON: field Name: ", "{\"Name\":5}");
        refused(400, "invalid JSON: field IPAM.Config[0].Subnet: ", "{\"Name\":\"x\",\"IPAM\":{\"Config\":[{\"Subnet\":[1]}]}}");

        String huge = "{\"Name\":\"x\",\"Labels\":{\"pad\":\"" + "a".repeat(2 << 20) + "\"}}";
        GatewayFixture.Answer tooLarge = gateway.post("/v1.51/networks/create", huge);
        assertEquals(413, tooLarge.status());
        assertEquals("application/json", tooLarge.header("Content-Type"));
        assertTrue(tooLarge.message().contains("too large"), tooLarge.message());

        for (String path : List.of("/v1.51/networks/..%2F..%2Fetc", "/v1.51/networks/..", "/v1.51/networks/nosuchnet")) {
            GatewayFixture.Answer inspect = gateway.get(path);
            assertEquals(404, inspect.status(), path + ": " + inspect.body());
            GatewayFixture.Answer delete = gateway.send("DELETE", path, (String) null);
            assertEquals(404, delete.status(), path + ": " + delete.body());
        }
        assertEquals("network nosuchnet not found", gateway.get("/v1.51/networks/nosuchnet").message());
        assertEquals(404, gateway.post("/v1.51/networks/..%2F..%2Fetc/connect", "{\"Container\":\"x\"}").status());

        assertEquals(before, gateway.get("/v1.51/networks").body(), "the network list is unchanged");
        assertEquals(links, gateway.box.linkNames(gateway.box.host), "no link made or removed");
    }

    /** A create the gateway must refuse: the answer's status and a part of its message that names what is wrong. */
    private record Refusal(String body, int status, String message) {}

    private static Refusal refusal(String body, int status, String message) {
        return new Refusal(body, status, message);
    }

    private static String subnet(String subnet, String more) {
        return "{\"Name\":\"x\",\"IPAM\":{\"Config\":[{\"Subnet\":\"" + subnet + "\"" + more + "}]}}";
    }

    private static String option(String key, String value) {
        return "{\"Name\":\"x\",\"Options\":{\"" + key + "\":" + value + "}}";
    }

    @Test
    void aRefusedCreateLeavesTheKernelByteForByteAsItWas() {
        String mtu = "com.docker.network.driver.mtu";
        String icc = "com.docker.network.bridge.enable_icc";
        String masquerade = "com.docker.network.bridge.enable_ip_masquerade";
        String parent = "invalid network config:\n";
        List<Refusal> table = List.of(
                // Too large for a pool: the case, which used to leave a masquerade element behind.
                refusal(subnet("0.0.0.0/1", ""), 400, "subnet 0.0.0.0/1 is too large"),
                refusal(subnet("10.0.0.0/7", ""), 400, "subnet 10.0.0.0/7 is too large"),
                refusal(subnet("0.0.0.0/0", ""), 400, "subnet 0.0.0.0/0 is too large"),
                // Addresses no network of containers can use.
                refusal(subnet("224.1.0.0/16", ""), 400, "multicast"),
                refusal(subnet("239.255.0.0/24", ""), 400, "multicast"),
                refusal(subnet("240.0.0.0/24", ""), 400, "reserved"),
                refusal(subnet("255.255.255.0/24", ""), 400, "reserved"),
                refusal(subnet("0.1.0.0/16", ""), 400, "\"this network\""),
                refusal(subnet("169.254.0.0/24", ""), 400, "link-local"),
                refusal(subnet("169.0.0.0/8", ""), 400, "link-local"),
                refusal(subnet("127.10.0.0/24", ""), 400, "loopback"),
                // Gateway and ip-range, in Docker's words where it has them.
                refusal(subnet("10.40.0.0/24", ",\"Gateway\":\"10.41.0.1\""), 400,
                        parent + "invalid gateway 10.41.0.1: parent subnet 10.40.0.0/24 doesn't contain this address"),
                refusal(subnet("10.40.0.0/24", ",\"Gateway\":\"10.40.0.0\""), 400,
                        parent + "invalid gateway 10.40.0.0: it is the network address of subnet 10.40.0.0/24"),
                refusal(subnet("10.40.0.0/24", ",\"Gateway\":\"10.40.0.255\""), 400,
                        parent + "invalid gateway 10.40.0.255: it is the broadcast address of subnet 10.40.0.0/24"),
                refusal(subnet("10.40.0.0/24", ",\"Gateway\":\"10.40.0.\u0661\""), 400, "invalid gateway"),
                refusal(subnet("10.40.0.0/24", ",\"IPRange\":\"10.41.0.0/25\""), 400,
                        parent + "invalid ip-range 10.41.0.0/25: parent subnet 10.40.0.0/24 doesn't contain ip-range"),
                refusal(subnet("10.40.0.0/24", ",\"IPRange\":\"10.40.0.0/16\""), 400,
                        parent + "invalid ip-range 10.40.0.0/16: CIDR block is bigger than its parent subnet 10.40.0.0/24"),
                refusal(subnet("10.40.0.0/24", ",\"Gateway\":\"10.41.0.1\",\"IPRange\":\"10.41.0.0/25\""), 400,
                        parent + "invalid ip-range 10.41.0.0/25: parent subnet 10.40.0.0/24 doesn't contain ip-range\n"
                                + "invalid gateway 10.41.0.1: parent subnet 10.40.0.0/24 doesn't contain this address"),
                refusal(subnet("10.40.0.1/24", ""), 400, "invalid subnet \"10.40.0.1/24\": host bits set; did you mean 10.40.0.0/24?"),
                refusal(subnet("10.40.0.0/24", ",\"IPRange\":\"10.40.0.129/25\""), 400,
                        "invalid ip-range \"10.40.0.129/25\": host bits set; did you mean 10.40.0.128/25?"),
                refusal(subnet("10.40.0.0/24", ",\"AuxiliaryAddresses\":{\"router\":\"10.41.0.2\"}"), 400,
                        parent + "invalid auxiliary address router: parent subnet 10.40.0.0/24 doesn't contain this address"),
                refusal(subnet("10.40.0.0/24", ",\"AuxiliaryAddresses\":{\"router\":\"10.40.0.1\"}"), 400,
                        parent + "invalid auxiliary address router: 10.40.0.1 is the gateway of subnet 10.40.0.0/24"),
                refusal(subnet("10.40.0.0/24", ",\"AuxiliaryAddresses\":{\"a\":\"10.40.0.9\",\"b\":\"10.40.0.9\"}"), 400,
                        parent + "invalid auxiliary address b: 10.40.0.9 is auxiliary address a too"),
                refusal(subnet("10.40.0.0/24", ",\"AuxiliaryAddresses\":{\"router\":null}"), 400, "auxiliary address router has no value"),
                refusal("{\"Name\":\"x\",\"IPAM\":{\"Config\":[{\"AuxiliaryAddresses\":{\"router\":\"10.40.0.2\"}}]}}", 400,
                        "needs a subnet"),
                // The MTU: ASCII decimal digits (Java's parseInt takes Arabic-Indic ones, and a sign), in range.
                refusal(option(mtu, "\"\u0661\u0664\u0660\u0660\""), 400, "failed to parse " + mtu + " value: \u0661\u0664\u0660\u0660"),
                refusal(option(mtu, "\"+1400\""), 400, "failed to parse " + mtu + " value: +1400"),
                refusal(option(mtu, "\"-1\""), 400, "failed to parse " + mtu + " value: -1"),
                refusal(option(mtu, "\"99999999999\""), 400, "invalid MTU number: 99999999999"),
                refusal(option(mtu, "\"70000\""), 400, "invalid MTU number: 70000"),
                refusal(option(mtu, "\"67\""), 400, "invalid MTU number: 67"),
                // Null values name the label or option.
                refusal("{\"Name\":\"x\",\"Labels\":{\"a\":null}}", 400, "label a has no value"),
                refusal(option(icc, "null"), 400, "option " + icc + " has no value"),
                refusal(option(masquerade, "null"), 400, "option " + masquerade + " has no value"),
                refusal(option(icc, "\"maybe\""), 400, "failed to parse " + icc + " value: maybe"),
                refusal(option("com.docker.network.bridge.inhibit_ipv4", "\"true\""), 400, "com.docker.network.bridge.inhibit_ipv4"),
                // Fields netwharf does not implement are refused by name, not dropped.
                refusal("{\"Name\":\"x\",\"Ingress\":true}", 400, "Ingress"),
                refusal("{\"Name\":\"x\",\"ConfigOnly\":true}", 400, "ConfigOnly"),
                refusal("{\"Name\":\"x\",\"ConfigFrom\":{\"Network\":\"base\"}}", 400, "ConfigFrom"),
                refusal("{\"Name\":\"x\",\"Scope\":\"swarm\"}", 400, "Scope"),
                refusal("{\"Name\":\"x\",\"EnableIPv4\":false}", 400, "EnableIPv4"),
                refusal("{\"Name\":\"x\",\"EnableIPv6\":true}", 400, "EnableIPv6"),
                refusal("{\"Name\":\"x\",\"IPAM\":{\"Driver\":\"dhcp\"}}", 404, "plugin \"dhcp\" not found"),
                refusal("{\"Name\":\"x\",\"IPAM\":{\"Options\":{\"com.docker.network.ipam.serial\":\"true\"}}}", 400,
                        "IPAM option com.docker.network.ipam.serial"),
                refusal("{\"Name\":\"x\",\"IPAM\":{\"Options\":{\"a\":null}}}", 400, "IPAM option a"),
                refusal("{\"Name\":\"x\",\"Driver\":\"weave\"}", 404, "plugin \"weave\" not found"),
                refusal("{\"Name\":\"x\",\"Driver\":\"overlay\"}", 400, "overlay networks span the nodes of a cluster, and this daemon is a single node"));

        HostSnapshot before = HostSnapshot.settled(gateway.box.host);
        String networks = gateway.get("/v1.51/networks").body();
        for (Refusal r : table) {
            GatewayFixture.Answer a = gateway.post("/v1.51/networks/create", r.body());
            assertEquals(r.status(), a.status(), r.body() + " → " + a.body());
            assertEquals("application/json", a.header("Content-Type"));
            assertTrue(a.message().contains(r.message()), r.body() + " → " + a.message());
            assertEquals(before, HostSnapshot.of(gateway.box.host), r.body() + " changed the kernel");
        }
        assertEquals(networks, gateway.get("/v1.51/networks").body(), "the network list is unchanged");

        // The subnets the old leftover masquerade element blocked ("interval overlaps with an existing one").
        create(subnet("10.20.0.0/24", "").replace("\"x\"", "\"after1\""));
        create(subnet("100.64.0.0/24", "").replace("\"x\"", "\"after2\""));
        assertEquals(List.of("10.20.0.1/24"), gateway.hostAddresses("br-" + gateway.get("/v1.51/networks/after1").json()
                .get("Id").asText().substring(0, 12)));
    }

    @Test
    void attachableIsKeptAndShownAndRestrictsNothingOnALocalNetwork() {
        create("{\"Name\":\"att\",\"Attachable\":true,\"IPAM\":{\"Config\":[{\"Subnet\":\"10.24.0.0/24\"}]}}");
        create("{\"Name\":\"plain\",\"Attachable\":false,\"IPAM\":{\"Config\":[{\"Subnet\":\"10.25.0.0/24\"}]}}");
        assertTrue(gateway.get("/v1.51/networks/att").json().get("Attachable").asBoolean());
        assertFalse(gateway.get("/v1.51/networks/plain").json().get("Attachable").asBoolean());
        assertTrue(names(filters("{\"name\":[\"att\"]}")).contains("att"));
        GatewayFixture.Cli inspect = gateway.docker("network", "inspect", "-f", "{{.Attachable}}", "att");
        assertEquals("true", inspect.text(), inspect.toString());
        // As on Docker's local networks, a standalone container joins either one.
        assertEquals("10.25.0.2", gateway.run("standalone", "plain").endpoints().get("plain").ipv4Address());
        assertEquals("10.24.0.2", gateway.run("other", "att").endpoints().get("att").ipv4Address());
    }

    @Test
    void auxiliaryAddressesAreShownAndNeverGivenToAContainer() {
        create("{\"Name\":\"aux\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.26.0.0/24\","
                + "\"AuxiliaryAddresses\":{\"router\":\"10.26.0.2\",\"printer\":\"10.26.0.3\"}}]}}");
        assertEquals("{\"Subnet\":\"10.26.0.0/24\",\"Gateway\":\"10.26.0.1\",\"AuxiliaryAddresses\":{\"printer\":\"10.26.0.3\",\"router\":\"10.26.0.2\"}}",
                gateway.get("/v1.51/networks/aux").json().get("IPAM").get("Config").get(0).toString());
        assertEquals("10.26.0.4", gateway.run("first", "aux").endpoints().get("aux").ipv4Address());
        gateway.run("second", "bridge");
        GatewayFixture.Cli taken = gateway.docker("network", "connect", "--ip", "10.26.0.3", "aux", "second");
        assertEquals(1, taken.exit(), taken.toString());
        assertTrue(taken.err().contains("10.26.0.3 is an auxiliary address of 10.26.0.0/24"), taken.toString());
    }

    private void refused(int status, String message, String body) {
        GatewayFixture.Answer a = gateway.post("/v1.51/networks/create", body);
        assertEquals(status, a.status(), body + " → " + a.body());
        assertEquals("application/json", a.header("Content-Type"));
        if (message != null) {
            assertTrue(a.message().startsWith(message) || a.message().contains(message), body + " → " + a.message());
        }
    }

    @Test
    void theDockerCliManagesNetworks() {
        GatewayFixture.Cli created = gateway.docker("network", "create", "--subnet", "10.50.0.0/24", "--gateway", "10.50.0.1",
                "--label", "made=cli", "-o", "com.docker.network.bridge.name=cli0", "clinet");
        assertEquals(0, created.exit(), created.toString());
        assertTrue(created.out().trim().matches("[0-9a-f]{64}"), created.toString());
        assertEquals(List.of("10.50.0.1/24"), gateway.hostAddresses("cli0"));
        assertEquals(0, gateway.docker("network", "create", "--internal", "spare").exit());

        GatewayFixture.Cli ls = gateway.docker("network", "ls", "--format", "{{.Name}} {{.Driver}} {{.Scope}}");
        assertEquals(0, ls.exit(), ls.toString());
        assertEquals(List.of("bridge bridge local", "clinet bridge local", "host host local", "none null local", "spare bridge local"),
                ls.out().lines().sorted().toList(), ls.toString());
        GatewayFixture.Cli filtered = gateway.docker("network", "ls", "-q", "--filter", "label=made=cli", "--no-trunc");
        assertEquals(created.out().trim(), filtered.out().trim(), filtered.toString());

        gateway.run("ctrx", "bridge");
        GatewayFixture.Cli connect = gateway.docker("network", "connect", "--ip", "10.50.0.7", "clinet", "ctrx");
        assertEquals(0, connect.exit(), connect.toString());
        GatewayFixture.Cli inspect = gateway.docker("network", "inspect", "clinet");
        assertEquals(0, inspect.exit(), inspect.toString());
        JsonNode net;
        try {
            net = GatewayFixture.JSON.readTree(inspect.out()).get(0);
        } catch (java.io.IOException e) {
            throw new AssertionError(inspect.toString(), e);
        }
        assertEquals("10.50.0.0/24", net.get("IPAM").get("Config").get(0).get("Subnet").asText());
        assertEquals("cli", net.get("Labels").get("made").asText());
        assertEquals("ctrx", net.get("Containers").elements().next().get("Name").asText());
        assertEquals("10.50.0.7/24", net.get("Containers").elements().next().get("IPv4Address").asText());
        GatewayFixture.Cli format = gateway.docker("network", "inspect", "-f", "{{.Driver}} {{.Internal}}", "spare");
        assertEquals("bridge true", format.out().trim(), format.toString());

        GatewayFixture.Cli busy = gateway.docker("network", "rm", "clinet");
        assertEquals(1, busy.exit(), busy.toString());
        assertTrue(busy.err().contains("has active endpoints"), busy.toString());
        assertEquals(0, gateway.docker("network", "disconnect", "clinet", "ctrx").exit());
        GatewayFixture.Cli rm = gateway.docker("network", "rm", "clinet");
        assertEquals(0, rm.exit(), rm.toString());
        assertEquals("clinet", rm.out().trim());
        assertEquals(List.of(), gateway.hostAddresses("cli0"), "the bridge is gone");

        GatewayFixture.Cli missing = gateway.docker("network", "inspect", "nosuchnet");
        assertEquals(1, missing.exit(), missing.toString());
        assertTrue(missing.err().contains("network nosuchnet not found"), missing.toString());
        GatewayFixture.Cli dup = gateway.docker("network", "create", "spare");
        assertEquals(1, dup.exit());
        assertTrue(dup.err().contains("network with name spare already exists"), dup.toString());

        GatewayFixture.Cli prune = gateway.docker("network", "prune", "-f");
        assertEquals(0, prune.exit(), prune.toString());
        assertTrue(prune.out().contains("spare"), prune.toString());
        GatewayFixture.Cli after = gateway.docker("network", "ls", "--format", "{{.Name}}");
        assertEquals(List.of("bridge", "host", "none"), after.out().lines().sorted().toList(), after.toString());
    }
}
