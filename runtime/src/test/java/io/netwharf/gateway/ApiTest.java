package io.netwharf.gateway;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** A test against the whole gateway ({@link GatewayFixture}: runtime, engine, API), made anew for each test. */
abstract class ApiTest {
    protected GatewayFixture gateway;

    @BeforeEach
    void startGateway() throws Exception {
        gateway = new GatewayFixture();
    }

    /** The query string of a list or prune with these filters (JSON). */
    protected static String filters(String json) {
        return "?filters=" + URLEncoder.encode(json, StandardCharsets.UTF_8);
    }

    @AfterEach
    void stopGateway() throws Exception {
        gateway.close();
    }
}
