package io.netwharf.kernel;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A fault point kills its JVM by a real SIGKILL only when the property names it: {@link FaultPointChild} in a JVM of its own. */
class FaultPointTest {
    private record Ended(int status, String output) {}

    /**
     * Runs FaultPointChild with {@code -Dnetwharf.fault-point=point} (null: unset) and the test's classpath, under
     * bash, which says "Killed" when its child died of SIGKILL: an exit with status 137 would look the same to Java.
     */
    private static Ended child(String point) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", "-c", "\"$@\"; exit $?", "bash",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path")));
        if (point != null) {
            command.add("-D" + FaultPoint.PROPERTY + "=" + point);
        }
        command.add(FaultPointChild.class.getName());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("LC_ALL", "C");
        Process p = builder
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the child JVM did not end: " + output);
        }
        return new Ended(p.exitValue(), output);
    }

    @Test
    void theNamedPointKillsTheJvmBySigkillAndSaysWhere() throws Exception {
        Ended ended = child("test.point");
        assertEquals(128 + LibC.SIGKILL, ended.status(), ended.output());
        assertTrue(ended.output().contains("before test.point"), ended.output());
        assertTrue(ended.output().contains("fault point test.point reached"), ended.output());
        assertTrue(ended.output().contains("Killed"), "a SIGKILL, not an exit with 137: " + ended.output());
        assertFalse(ended.output().contains("shutdown hook"), "no shutdown hook ran: " + ended.output());
        assertFalse(ended.output().contains("after test.point"), "nothing runs after the point: " + ended.output());
    }

    @Test
    void withoutThePropertyOrWithAnotherPointTheJvmRunsThrough() throws Exception {
        for (String point : new String[] {null, "another.point"}) {
            Ended ended = child(point);
            assertEquals(0, ended.status(), ended.output());
            assertTrue(ended.output().contains("after test.point"), ended.output());
            assertFalse(ended.output().contains("fault point"), ended.output());
            assertTrue(ended.output().contains("shutdown hook"), "an ordinary exit runs the hooks: " + ended.output());
        }
    }
}
