package io.netwharf.gateway;

import io.netwharf.container.ContainerRequest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.netwharf.runtime.RuntimeFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code filters} of the list endpoints over HTTP: {@code name} and {@code id} are Go regular expressions, matched
 * in linear time and off the actors' threads, so one client's filter cannot slow another's {@code docker ps}. Needs
 * root; runs in CI.
 */
class FiltersApiTest extends ApiTest {
    private static final String PATHOLOGICAL = "(.*a){12}b";

    private List<String> containerNames(String query) {
        GatewayFixture.Answer a = gateway.get("/v1.51/containers/json" + query);
        assertEquals(200, a.status(), a.body());
        List<String> names = new ArrayList<>();
        a.json().forEach(c -> names.add(c.get("Names").get(0).asText()));
        return names.stream().sorted().toList();
    }

    private List<String> networkNames(String query) {
        GatewayFixture.Answer a = gateway.get("/v1.51/networks" + query);
        assertEquals(200, a.status(), a.body());
        List<String> names = new ArrayList<>();
        a.json().forEach(n -> names.add(n.get("Name").asText()));
        return names.stream().sorted().toList();
    }

    @Test
    void aBacktrackingFilterIsAnsweredQuicklyAndDoesNotSlowOtherClients() throws Exception {
        // Thirty a's: java.util.regex needed 6-7 s of CPU for this one name.
        await(gateway.engine.create(ContainerRequest.of("a".repeat(30), "none")));
        await(gateway.engine.create(ContainerRequest.of("other", "none")));
        String slow = "/v1.51/containers/json?all=1&" + filters("{\"name\":[\"" + PATHOLOGICAL + "\"]}").substring(1);
        ExecutorService clients = Executors.newFixedThreadPool(6);
        try {
            List<Future<Long>> hostile = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                hostile.add(clients.submit(() -> timed(() -> {
                    GatewayFixture.Answer a = gateway.get(slow);
                    assertEquals(200, a.status(), a.body());
                    assertEquals(0, a.json().size(), a.body());
                })));
            }
            // Meanwhile, other clients list as docker ps does.
            List<Future<Long>> plain = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                plain.add(clients.submit(() -> timed(() -> assertEquals(2, containerNames("?all=1").size()))));
            }
            for (Future<Long> f : plain) {
                long ms = f.get(60, TimeUnit.SECONDS);
                assertTrue(ms < 2_000, "a plain list took " + ms + " ms beside the pathological filter");
            }
            for (Future<Long> f : hostile) {
                long ms = f.get(60, TimeUnit.SECONDS);
                assertTrue(ms < 2_000, "the pathological filter took " + ms + " ms");
            }
        } finally {
            clients.shutdownNow();
        }
    }

    private static long timed(Runnable request) {
        long start = System.nanoTime();
        request.run();
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    @Test
    void nameAndIdAreRegularExpressionsAsInDocker() {
        String web = await(gateway.engine.create(ContainerRequest.of("web", "none")));
        await(gateway.engine.create(ContainerRequest.of("web2", "none")));
        await(gateway.engine.create(ContainerRequest.of("db", "none")));
        // Docker matches the name with its leading slash.
        assertEquals(List.of("/web"), containerNames("?all=1&" + filters("{\"name\":{\"^/web$\":true}}").substring(1)));
        assertEquals(List.of("/web", "/web2"), containerNames("?all=1&" + filters("{\"name\":[\"we\"]}").substring(1)));
        assertEquals(List.of("/db", "/web2"), containerNames("?all=1&" + filters("{\"name\":[\"^/d\",\"2$\"]}").substring(1)));
        assertEquals(List.of(), containerNames("?all=1&" + filters("{\"name\":[\"^web$\"]}").substring(1)));
        assertEquals(List.of("/web"), containerNames("?all=1&" + filters("{\"id\":[\"" + web.substring(0, 12) + "\"]}").substring(1)));
        // The id too: Docker looks for the expression anywhere in it, not only at its start.
        assertEquals(List.of("/web"), containerNames("?all=1&" + filters("{\"id\":[\"" + web.substring(50) + "$\"]}").substring(1)));
        // Networks: name and id are regular expressions too (moby's FilterNetworks uses Args.Match).
        assertEquals(List.of("bridge"), networkNames(filters("{\"name\":{\"^b.*e$\":true}}")));
        assertEquals(List.of("host", "none"), networkNames(filters("{\"name\":[\"o\"]}")));
    }

    @Test
    void invalidAndOversizedExpressionsAreRefusedNamingTheFilter() {
        for (String path : List.of("/v1.51/containers/json?all=1&", "/v1.51/networks?")) {
            GatewayFixture.Answer bad = gateway.get(path + filters("{\"name\":[\"(\"]}").substring(1));
            assertEquals(400, bad.status(), bad.body());
            assertEquals("invalid filter 'name=(': error parsing regexp: missing closing ): `(`", bad.message());
            GatewayFixture.Answer perl = gateway.get(path + filters("{\"id\":[\"(?=a)\"]}").substring(1));
            assertEquals(400, perl.status(), perl.body());
            assertTrue(perl.message().startsWith("invalid filter 'id=(?=a)': error parsing regexp: "), perl.message());
            // RE2/J would run out of memory compiling this one (Go refuses it as too large, too).
            GatewayFixture.Answer huge = gateway.get(path + filters("{\"name\":[\"((a{1000}){1000}){1000}\"]}").substring(1));
            assertEquals(400, huge.status(), huge.body());
            assertEquals("invalid filter 'name=((a{1000}){1000}){1000}': error parsing regexp: expression too large: "
                    + "`((a{1000}){1000}){1000}`", huge.message());
        }
    }

    @Test
    void pruneRefusesAnUntilGoCannotHoldAndRemovesNothing() {
        await(gateway.engine.create(ContainerRequest.of("stopped", "none")));
        GatewayFixture.Answer made = gateway.post("/v1.51/networks/create", "{\"Name\":\"unused\"}");
        assertEquals(201, made.status(), made.body());
        for (String path : List.of("/v1.51/containers/prune", "/v1.51/networks/prune")) {
            GatewayFixture.Answer a = gateway.post(path + filters("{\"until\":[\"99999999999999999999\"]}"), null);
            assertEquals(400, a.status(), a.body());
            assertEquals("failed to parse value as time or duration: \"99999999999999999999\"", a.message());
        }
        assertEquals(List.of("/stopped"), containerNames("?all=1"));
        assertTrue(networkNames("").contains("unused"));
    }
}
