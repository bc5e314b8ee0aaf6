package io.netwharf.kernel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A test that needs root and the real kernel: each test method gets a fresh {@link KernelSandbox}, closed after it. */
public abstract class KernelTest {
    protected KernelSandbox box;

    @BeforeEach
    protected void makeSandbox() throws Exception {
        box = new KernelSandbox();
    }

    @AfterEach
    protected void closeSandbox() throws Exception {
        box.close();
    }
}
