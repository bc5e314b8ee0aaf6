package io.netwharf.runtime;

import io.netwharf.Netwharf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A test with a runtime started with its defaults on a throwaway host of its own ({@link RuntimeFixture}). */
abstract class RuntimeTest {
    protected RuntimeFixture fixture;
    protected Netwharf netwharf;

    @BeforeEach
    void startRuntime() throws Exception {
        fixture = new RuntimeFixture();
        netwharf = fixture.start();
    }

    @AfterEach
    void stopRuntime() throws Exception {
        fixture.close();
    }
}
