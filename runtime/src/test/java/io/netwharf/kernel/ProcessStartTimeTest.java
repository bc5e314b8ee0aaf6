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
        // perl forks a child, prints its pid, then sleeps without waiting for it: killed, the child stays a zombie.
        // (Not sh: the shell it execs into may reap it, and the test would race the reaping.)
        Process parent = new ProcessBuilder("perl", "-e", "$p = fork; if (!$p) { sleep 600; exit } $| = 1; print \"$p\\n\"; sleep 60")
                .start();
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
