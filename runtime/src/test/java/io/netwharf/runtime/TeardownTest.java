package io.netwharf.runtime;

import io.netwharf.protocol.model.ContainerInfo;
import io.netwharf.protocol.model.Ids;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.model.NetworkSpec;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static io.netwharf.protocol.model.ContainerSpec.of;
import static io.netwharf.runtime.RuntimeFixture.await;
import static io.netwharf.runtime.RuntimeFixture.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Teardown against the real kernel when deleting a namespace fails: the container's namespace file is bind-mounted
 * once more over itself (in the test JVM's own mount namespace), so one unmount leaves it a mount point and removing
 * the file fails with EBUSY until a retry unmounts the rest.
 */
class TeardownTest extends RuntimeTest {
    @Test
    void failedRemovalKeepsTheAddressUntilARetryHasDeletedTheNamespace() throws Exception {
        await(netwharf.createNetwork(NetworkSpec.named("n1").subnet("10.41.0.0/24").build()));
        ContainerInfo web = await(netwharf.createContainer(of("web", "n1")));
        mountAgain(web.sandboxKey());

        NetwharfException failed = refused(NetwharfException.Kind.INTERNAL, netwharf.removeContainer(web.id(), false));
        assertTrue(failed.getMessage().startsWith("remove the sandbox of container web: delete the namespace: delete netns"),
                failed.getMessage());
        assertEquals(1, await(netwharf.addressesInUse("n1")), "no address is released while its namespace exists");
        assertEquals(List.of(Ids.shortId(web.id())), fixture.namespaces());
        assertEquals("web", await(netwharf.inspectContainer(web.id())).name(), "the container is still there to remove again");

        await(netwharf.removeContainer(web.id(), false)); // the retry unmounts what is left
        assertEquals(0, await(netwharf.addressesInUse("n1")));
        assertEquals(List.of(), fixture.namespaces());
    }

    @Test
    void stopGoesOnAfterAFailureAndReportsIt() throws Exception {
        await(netwharf.createNetwork(NetworkSpec.named("n1").subnet("10.42.0.0/24").build()));
        await(netwharf.createNetwork(NetworkSpec.named("n2").subnet("10.43.0.0/24").build()));
        ContainerInfo stuck = await(netwharf.createContainer(of("stuck", "n1")));
        await(netwharf.createContainer(of("fine", "n2")));
        mountAgain(stuck.sandboxKey());

        NetwharfException failed = refused(NetwharfException.Kind.INTERNAL, netwharf.stop());
        assertTrue(failed.getMessage().startsWith("shut down the runtime: 2 steps failed: remove the sandbox of container stuck: "
                + "delete the namespace"), failed.getMessage());
        assertTrue(failed.getMessage().contains("; error while removing network: network n1 id "), failed.getMessage());
        assertEquals(List.of(Ids.shortId(stuck.id())), fixture.namespaces(), "the other container went all the same");
        assertEquals(failed, refused(NetwharfException.Kind.INTERNAL, netwharf.stop()), "a second stop answers the first's outcome");

        run("umount", stuck.sandboxKey()); // what the runtime left, unmounted so that the fixture closes cleanly
        fixture.netwharf = null;
    }

    private static void mountAgain(String path) throws IOException, InterruptedException {
        run("mount", "--bind", path, path);
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + output);
    }
}
