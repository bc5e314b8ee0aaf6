package io.netwharf.launcher;

import io.netwharf.kernel.FaultPoint;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daemon dies by SIGKILL at a chosen point of network creation, of the connect saga or of a container's start
 * ({@link FaultPoint}, armed by a system property), while the test's API call is in flight; the daemon started again
 * on the same host, exec-root and data-root must account for all that is left ({@link RestartInvariants}) and bring
 * the containers back with working networking. Needs root and the kernel (CI runs as root, in a throwaway namespace).
 */
class CrashPointsTest {

    @ParameterizedTest
    @ValueSource(strings = {"network.intent-written", "network.bridge-made"})
    void aKillDuringNetworkCreationLeavesNothingUnaccountedFor(String point) throws Exception {
        try (RestartHost host = new RestartHost()) {
            host.start("-D" + FaultPoint.PROPERTY + "=" + point);
            List<String> acknowledged = new ArrayList<>(sleepers(host, "bridge", 2));
            assertThrows(IOException.class, () -> host.createNetwork("n1"), "the daemon dies at " + point);
            assertDiedAt(host, point);

            host.start();
            assertEquals(List.of(), RestartInvariants.read(host).all(acknowledged), host.daemon().log());
            // The name is free again, or the network was kept; either way containers on it work.
            if (host.api().get("/networks/n1").status() == 404) {
                host.createNetwork("n1");
            }
            acknowledged.addAll(sleepers(host, "n1", 2));
            assertEquals(List.of(), RestartInvariants.startsWithNetworking(host, acknowledged), host.daemon().log());
            assertEquals(List.of(), RestartInvariants.read(host).all(acknowledged), host.daemon().log());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"connect.intent-written", "connect.attached", "connect.enabled", "container.launched"})
    void aKillDuringAContainersStartLeavesNothingUnaccountedFor(String point) throws Exception {
        try (RestartHost host = new RestartHost()) {
            host.start("-D" + FaultPoint.PROPERTY + "=" + point);
            host.createNetwork("n1");
            List<String> acknowledged = new ArrayList<>();
            String victim = host.create(host.sleeper("n1"));
            acknowledged.add(victim);
            assertThrows(IOException.class, () -> host.startContainer(victim), "the daemon dies at " + point);
            assertDiedAt(host, point);

            host.start();
            assertEquals(List.of(), RestartInvariants.read(host).all(acknowledged), host.daemon().log());
            acknowledged.addAll(sleepers(host, "n1", 1));
            assertEquals(List.of(), RestartInvariants.startsWithNetworking(host, acknowledged), host.daemon().log());
            assertEquals(List.of(), RestartInvariants.read(host).all(acknowledged), host.daemon().log());
        }
    }

    /** {@code count} sleepers created and started on {@code network}; their ids. */
    static List<String> sleepers(RestartHost host, String network, int count) throws IOException {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = host.create(host.sleeper(network));
            host.startContainer(id);
            ids.add(id);
        }
        return ids;
    }

    private static void assertDiedAt(RestartHost host, String point) throws InterruptedException {
        assertEquals(137, host.daemon().awaitExit(30), host.daemon().log());
        assertTrue(host.daemon().log().contains("fault point " + point + " reached"), host.daemon().log());
    }
}
