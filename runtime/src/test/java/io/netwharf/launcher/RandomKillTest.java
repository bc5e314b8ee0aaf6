package io.netwharf.launcher;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Eight clients create and start 300 containers (on two user networks and the default bridge) while the daemon is
 * SIGKILLed at a random moment; the daemon started again must account for all it finds ({@link RestartInvariants}
 * (a) to (e)) and bring a sample back with working networking (f): ten containers picked at random plus the last one
 * each client heard a 201 for before the kill. Eight rounds on one host (about 9 s each; twenty put the suite over
 * 15 minutes), each starting from the state the previous one left (the start after a round's kill is the next
 * round's daemon), so the store and the kernel accumulate what many crashes leave. The seed is printed; {@code -Dnetwharf.random-kill.seed=S} runs the same moments again, and
 * {@code -Dnetwharf.random-kill.rounds=N} changes the number of rounds. Needs root and the kernel (CI runs as root).
 */
class RandomKillTest {
    private static final int CLIENTS = 8;
    private static final int CONTAINERS = 300;
    private static final int ROUNDS = Integer.getInteger("netwharf.random-kill.rounds", 8);
    private static final List<String> NETWORKS = List.of("n1", "n2", "bridge");
    /** Kill moments are drawn up to this many milliseconds after the clients start (300 creations take about this long). */
    private static final int KILL_WINDOW_MILLIS = 4000;

    @Test
    void killedAtRandomMomentsWhileEightClientsCreateContainersEachRestartAccountsForAll() throws Exception {
        long seed = Long.getLong("netwharf.random-kill.seed", System.nanoTime());
        System.out.println("RandomKillTest: seed " + seed + " (-Dnetwharf.random-kill.seed=" + seed + " repeats it)");
        Random random = new Random(seed);
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        try (RestartHost host = new RestartHost()) {
            host.start();
            host.createNetwork("n1");
            host.createNetwork("n2");
            for (int round = 1; round <= ROUNDS; round++) {
                int killAfter = random.nextInt(KILL_WINDOW_MILLIS);
                long began = System.nanoTime();
                Clients clients = new Clients(host, acknowledged);
                clients.start();
                Thread.sleep(killAfter);
                host.kill9();
                clients.join();
                assertEquals(List.of(), clients.failures, "answers before the kill in round " + round);
                long restartBegan = System.nanoTime();
                host.start();
                long restarted = System.nanoTime() - restartBegan;
                String what = "round " + round + " (seed " + seed + ", killed " + killAfter + " ms after the clients began, "
                        + clients.created.get() + " created, " + acknowledged.size() + " acknowledged in all)\n" + host.daemon().log();
                RestartInvariants view = RestartInvariants.read(host);
                assertEquals(List.of(), view.all(acknowledged), what);
                List<String> sample = new ArrayList<>(clients.lastAcknowledged());
                List<String> all = new ArrayList<>(acknowledged);
                for (int i = 0; i < 10 && !all.isEmpty(); i++) {
                    sample.add(all.get(random.nextInt(all.size())));
                }
                assertEquals(List.of(), RestartInvariants.startsWithNetworking(host, new LinkedHashSet<>(sample)), what);
                System.out.printf("RandomKillTest: round %d: killed after %d ms, %d created, restart listened in %d ms, round %d ms%n",
                        round, killAfter, clients.created.get(), restarted / 1_000_000,
                        (System.nanoTime() - began) / 1_000_000);
            }
        }
    }

    /** The eight clients of one round: each takes the next of the 300, creates it (noting a 201) and starts it, until the daemon dies. */
    private static final class Clients {
        private final RestartHost host;
        private final Set<String> acknowledged;
        private final AtomicInteger next = new AtomicInteger();
        final AtomicInteger created = new AtomicInteger();
        /** Answers other than a 201 and a 204 while the daemon was alive. */
        final List<String> failures = new CopyOnWriteArrayList<>();
        private final AtomicReferenceArray<String> last = new AtomicReferenceArray<>(CLIENTS);
        private final List<Thread> threads = new ArrayList<>();

        Clients(RestartHost host, Set<String> acknowledged) {
            this.host = host;
            this.acknowledged = acknowledged;
        }

        void start() {
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                Thread thread = new Thread(() -> run(client), "client-" + c);
                thread.start();
                threads.add(thread);
            }
        }

        private void run(int client) {
            ApiClient api = host.api();
            for (int i = next.getAndIncrement(); i < CONTAINERS; i = next.getAndIncrement()) {
                try {
                    ApiClient.Response r = api.post("/containers/create", host.sleeper(NETWORKS.get(i % NETWORKS.size())));
                    if (r.status() != 201) {
                        failures.add("create: " + r.status() + " " + r.body());
                        continue;
                    }
                    String id = RestartHost.JSON.readTree(r.body()).get("Id").asText();
                    acknowledged.add(id);
                    last.set(client, id);
                    created.incrementAndGet();
                    ApiClient.Response started = api.post("/containers/" + id + "/start", null);
                    if (started.status() != 204) {
                        failures.add("start of " + id + ": " + started.status() + " " + started.body());
                    }
                } catch (IOException e) {
                    return; // the daemon died
                }
            }
        }

        void join() throws InterruptedException {
            for (Thread t : threads) {
                t.join(90_000);
            }
        }

        List<String> lastAcknowledged() {
            List<String> ids = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                if (last.get(c) != null) {
                    ids.add(last.get(c));
                }
            }
            return ids;
        }
    }
}
