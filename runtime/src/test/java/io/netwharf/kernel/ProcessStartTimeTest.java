package io.netwharf.kernel;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A process that has exited but is not reaped yet (a zombie) has ended for a restart's purposes: it holds no namespace
 * and runs nothing, and its reaper may be slow (this machine's init reaps orphans every two seconds) or absent.
 */
class ProcessStartTimeTest {

    @Test
    void aZombieHasExitedThoughItsStartTimeStillReads() throws Exception {
        // sh starts a child, prints its pid, then becomes a sleep that never waits for it: killed, the child is a zombie.
        Process parent = new ProcessBuilder("sh", "-c", "sleep 600 & echo $!; exec sleep 60").start();
        try {
            int pid = Integer.parseInt(new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.US_ASCII)).readLine());
            long start = ProcessStartTime.of(pid).orElseThrow();
            assertFalse(ProcessStartTime.exited(pid, start), "running");
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            long deadline = System.currentTimeMillis() + 10_000;
            while (!Files.readString(Path.of("/proc/" + pid + "/stat")).contains(") Z ") && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(ProcessStartTime.of(pid).isPresent(), "a zombie's stat still reads");
            assertTrue(ProcessStartTime.exited(pid, start), "a zombie has exited");
            assertTrue(ProcessStartTime.exited(pid, start + 1), "another start time: not the process asked about");
        } finally {
            parent.destroyForcibly();
        }
    }
}
