package io.netwharf.kernel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Namespace switching under concurrency (root): many threads create namespaces and run tasks inside them at once;
 * every task runs in the namespace it asked for, and afterwards every worker is back in its own, as
 * /proc/self/task/TID/ns/net shows from outside the workers.
 */
class NamespaceThreadsTest extends KernelTest {
    private NamespaceThreads threads;

    @BeforeEach
    void startThreads() {
        threads = new NamespaceThreads("switch-test", 4);
    }

    @AfterEach
    void stopThreads() {
        threads.close();
    }

    private static String namespaceOf(Path nsFile) throws Exception {
        return "net:[" + Files.getAttribute(nsFile, "unix:ino") + "]";
    }

    private static String currentThreadNamespace() throws Exception {
        return Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
    }

    @Test
    void manyThreadsEnteringManyNamespacesNeverLeaveAWorkerAway() throws Exception {
        String home = currentThreadNamespace();
        NetnsDirectory dir = new NetnsDirectory(box.netns.directory(), threads);
        ExecutorService callers = Executors.newFixedThreadPool(8);
        List<Future<List<String>>> results = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int caller = t;
            results.add(callers.submit(() -> {
                List<String> mismatches = new ArrayList<>();
                for (int i = 0; i < 25; i++) {
                    String name = "t" + caller + "-" + i;
                    try (Netns ns = dir.create(name)) {
                        String expected = namespaceOf(ns.path());
                        List<CompletableFuture<String>> inside = new ArrayList<>();
                        for (int k = 0; k < 4; k++) {
                            inside.add(threads.submit(ns, NamespaceThreadsTest::currentThreadNamespace));
                            inside.add(threads.submit(null, NamespaceThreadsTest::currentThreadNamespace));
                        }
                        for (int k = 0; k < inside.size(); k++) {
                            String seen = inside.get(k).get();
                            String want = k % 2 == 0 ? expected : home;
                            if (!seen.equals(want)) {
                                mismatches.add(name + " task " + k + ": in " + seen + ", wanted " + want);
                            }
                        }
                    }
                    dir.delete(name);
                }
                return mismatches;
            }));
        }
        List<String> mismatches = new ArrayList<>();
        for (Future<List<String>> r : results) {
            mismatches.addAll(r.get());
        }
        callers.shutdown();
        assertEquals(List.of(), mismatches);

        List<Integer> tids = threads.workerThreadIds();
        assertEquals(4, tids.size());
        for (int tid : tids) {
            assertEquals(home, Files.readSymbolicLink(Path.of("/proc/self/task/" + tid + "/ns/net")).toString(), "worker " + tid);
        }
    }

    @Test
    void aFailingTaskStillSwitchesBack() throws Exception {
        String home = currentThreadNamespace();
        try (Netns ns = box.netns.create("fails")) {
            assertNotEquals(home, namespaceOf(ns.path()));
            for (int i = 0; i < 20; i++) {
                assertThrows(IllegalStateException.class, () -> threads.call(ns, () -> {
                    throw new IllegalStateException("boom");
                }));
            }
        }
        for (int tid : threads.workerThreadIds()) {
            assertEquals(home, Files.readSymbolicLink(Path.of("/proc/self/task/" + tid + "/ns/net")).toString());
        }
    }

    @Test
    void aTaskMayNotSubmitAnother() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> threads.call(null, () -> threads.call(null, () -> 1)));
        assertEquals(true, e.getMessage().contains("may not submit"));
    }
}
