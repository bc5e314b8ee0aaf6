package io.netwharf.gateway;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A test against the whole gateway ({@link GatewayFixture}: runtime, engine, API), made anew for each test. */
abstract class ApiTest {
    protected GatewayFixture gateway;

    @BeforeEach
    void startGateway() throws Exception {
        gateway = new GatewayFixture();
    }

    @AfterEach
    void stopGateway() throws Exception {
        gateway.close();
    }
}
