package io.netwharf.container;

import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.runtime.RuntimeFixture;
import io.netwharf.store.Change;
import io.netwharf.store.MemoryStore;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.netwharf.runtime.RuntimeFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's image names: kept in the store, so a new engine knows what the last one pulled; a removal is kept too;
 * and the embedded API takes any image label, pulled or not (the known-image check is the gateway's, as Docker's
 * clients expect it). Needs root and the kernel (a throwaway host namespace); runs in CI.
 */
class ImagesEngineTest {
    private RuntimeFixture fixture;
    private Path dataRoot;
    private final MemoryStore store = new MemoryStore();
    private ContainerEngine engine;

    @BeforeEach
    void start() throws IOException {
        fixture = new RuntimeFixture();
        fixture.start();
        dataRoot = Files.createTempDirectory("netwharf-data-");
    }

    @AfterEach
    void stop() throws IOException {
        if (engine != null) {
            await(engine.stop());
        }
        fixture.close();
    }

    private ContainerEngine newEngine() {
        if (engine != null) {
            await(engine.stop());
        }
        engine = await(ContainerEngine.start(RuntimeFixture.SYSTEM, fixture.netwharf, store, dataRoot, Duration.ofMinutes(1), false));
        return engine;
    }

    @Test
    void pulledNamesSurviveANewEngineAndSoDoRemovals() {
        newEngine();
        assertTrue(await(engine.pullImage(ImageReference.parse("debian"))));
        assertFalse(await(engine.pullImage(ImageReference.parse("docker.io/library/debian:latest"))), "the same name, known");
        assertTrue(await(engine.pullImage(ImageReference.parse("alpine:3.19"))));
        assertEquals(2, store.applied().size(), "one row per new name: " + store.applied());
        assertTrue(store.applied().stream().allMatch(c -> c instanceof Change.PutImage));

        newEngine();
        assertEquals(List.of("debian:latest", "alpine:3.19"), await(engine.images()).stream().map(i -> i.reference().familiar()).toList());
        ImageInfo debian = await(engine.image("debian"));
        assertEquals(ImageReference.parse("debian").id(), debian.id());
        await(engine.removeImage("alpine:3.19", false));

        newEngine();
        assertEquals(List.of("debian:latest"), await(engine.images()).stream().map(i -> i.reference().familiar()).toList());
        NetwharfException gone = RuntimeFixture.refused(NetwharfException.Kind.NOT_FOUND, engine.image("alpine:3.19"));
        assertEquals("No such image: alpine:3.19", gone.getMessage());
    }

    @Test
    void theEmbeddedApiTakesAnyImageLabelAndAContainerKeepsItsImageInUseAcrossANewEngine() {
        newEngine();
        await(engine.create(ContainerRequest.of("embedded", "none")));
        await(engine.pullImage(ImageReference.parse("none")));

        newEngine();
        NetwharfException inUse = RuntimeFixture.refused(NetwharfException.Kind.CONFLICT, engine.removeImage("none", false));
        assertTrue(inUse.getMessage().contains("is using its referenced image"), inUse.getMessage());
    }
}
