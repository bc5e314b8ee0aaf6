package io.netwharf.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import io.netwharf.kernel.KernelSandbox;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Restart policies in a real daemon: {@code always} brings a container back after its process is SIGKILLed from
 * outside and after the daemon itself is SIGKILLed and started again (with its networking); {@code on-failure:2} on a
 * command that exits 3 ends exited after two restarts. Needs root and the kernel (CI runs as root).
 */
class DaemonRestartPolicyTest {

    @Test
    void alwaysComesBackAfterItsProcessIsKilledAndAfterADaemonRestartOnFailureStopsAfterTwo() throws Exception {
        try (RestartHost host = new RestartHost()) {
            host.start();
            String always = host.create(RestartHost.containerBody("[\"sleep\",\"600\",\"" + host.marker + "\"]", "bridge",
                    "{\"Name\":\"always\"}"));
            String onFailure = host.create(RestartHost.containerBody("[\"sh\",\"-c\",\"exit 3\"]", "bridge",
                    "{\"Name\":\"on-failure\",\"MaximumRetryCount\":2}"));
            host.startContainer(always);
            host.startContainer(onFailure);

            long first = pid(host.inspect(always));
            ProcessHandle.of(first).orElseThrow().destroyForcibly();
            JsonNode back = await(host, always, c -> running(c) && pid(c) != first, "comes back after its process was killed");
            assertTrue(back.path("RestartCount").asInt() >= 1, back.toString());

            await(host, onFailure, c -> c.path("RestartCount").asInt() == 2 && "exited".equals(c.path("State").path("Status").asText()),
                    "ends exited after two restarts");
            Thread.sleep(1500); // longer than moby's third delay (400 ms): no third restart comes
            JsonNode failed = host.inspect(onFailure);
            assertEquals(2, failed.path("RestartCount").asInt(), failed.toString());
            assertEquals("exited", failed.path("State").path("Status").asText(), failed.toString());
            assertEquals(3, failed.path("State").path("ExitCode").asInt(), failed.toString());

            long second = pid(host.inspect(always));
            host.kill9();
            host.start();
            JsonNode again = await(host, always, c -> running(c) && pid(c) != second, "comes back after a daemon restart");
            Path key = Path.of(again.path("NetworkSettings").path("SandboxKey").asText());
            String gateway = again.path("NetworkSettings").path("Networks").path("bridge").path("Gateway").asText();
            assertTrue(KernelSandbox.ping(key, gateway), "back with its networking: " + again);
            assertEquals(List.of(), RestartInvariants.read(host).all(List.of(always, onFailure)), host.daemon().log());
            assertEquals("exited", host.inspect(onFailure).path("State").path("Status").asText(), "on-failure stays exited");
        }
    }

    private static long pid(JsonNode container) {
        return container.path("State").path("Pid").asLong();
    }

    private static boolean running(JsonNode container) {
        return container.path("State").path("Running").asBoolean();
    }

    private static JsonNode await(RestartHost host, String id, Predicate<JsonNode> condition, String what) throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        JsonNode c = host.inspect(id);
        while (!condition.test(c)) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError(id + " " + what + ": not within 20 s: " + c + "\n" + host.daemon().log());
            }
            Thread.sleep(100);
            c = host.inspect(id);
        }
        return c;
    }
}
