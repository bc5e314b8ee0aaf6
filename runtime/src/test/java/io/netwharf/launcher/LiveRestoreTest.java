package io.netwharf.launcher;

import io.netwharf.kernel.KernelSandbox;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With {@code --live-restore}, 200 running containers, each a tiny TCP server, keep answering while the daemon is
 * SIGKILLed and started again: a poller in the host namespace connects to a sample of them, through their bridges,
 * over and over from before the kill until after the restart, and any refused or timed-out connection fails the test.
 * The restarted daemon lists them running, and {@code docker stop} and {@code docker rm} on every one leave no
 * process, namespace or endpoint link behind. Needs root and the kernel (CI runs as root).
 */
class LiveRestoreTest {
    private static final int CONTAINERS = 200;
    private static final int CLIENTS = 8;
    private static final int PORT = 8080;
    /** A server that answers every connection with "ok" (perl is part of every Debian system, and small: 200 of them fit). */
    private static final String SERVER = "$s=IO::Socket::INET->new(LocalPort=>" + PORT + ",Listen=>128,ReuseAddr=>1) or die $!;"
            + "while($c=$s->accept){print $c \"ok\\n\";close $c}";

    @Test
    void runningContainersKeepAnsweringTcpThroughAKillAndRestartAndStopAndRemoveCleanlyAfterwards() throws Exception {
        try (RestartHost host = new RestartHost("--live-restore")) {
            host.start();
            host.createNetwork("n1");
            String server = "[\"perl\",\"-MIO::Socket::INET\",\"-e\"," + RestartHost.JSON.writeValueAsString(SERVER)
                    + ",\"" + host.marker + "\"]";
            List<String> ids = inParallel(CONTAINERS, i -> {
                String id = host.create(RestartHost.containerBody(server, i % 2 == 0 ? "n1" : "bridge", null));
                host.startContainer(id);
                return id;
            });
            List<String> addresses = new ArrayList<>();
            for (String id : ids) {
                addresses.add(host.inspect(id).path("NetworkSettings").path("Networks").elements().next().path("IPAddress").asText());
            }
            // Every server answers before the kill (a process needs a moment to listen).
            Poller poller = new Poller(host.box);
            for (String address : addresses) {
                assertTrue(poller.answersWithin(address, 20_000), address + " does not answer");
            }

            List<String> sample = new ArrayList<>();
            for (int i = 0; i < addresses.size(); i += 10) {
                sample.add(addresses.get(i));
            }
            poller.start(sample);
            Thread.sleep(500);
            host.kill9();
            long restartBegan = System.nanoTime();
            host.start();
            System.out.printf("LiveRestoreTest: the restart with %d running containers listened after %d ms%n", CONTAINERS,
                    (System.nanoTime() - restartBegan) / 1_000_000);
            Thread.sleep(1000);
            poller.stop();
            assertEquals(List.of(), poller.failures, host.daemon().log());
            assertTrue(poller.answered.get() > sample.size() * 2L, "the poller went round its sample at least twice: " + poller.answered);
            for (String address : addresses) {
                assertTrue(poller.answersWithin(address, 3000), address + " no longer answers after the restart");
            }

            RestartInvariants view = RestartInvariants.read(host);
            assertEquals(List.of(), view.all(ids), host.daemon().log());
            assertEquals(new HashSet<>(ids), view.runningIds(), "every container is running after the restart");

            inParallel(CONTAINERS, i -> {
                host.post("/containers/" + ids.get(i) + "/stop?t=1", null, 204);
                ApiClient.Response removed = host.api().delete("/containers/" + ids.get(i));
                assertEquals(204, removed.status(), removed.body());
                return null;
            });
            RestartInvariants after = RestartInvariants.read(host);
            assertEquals(List.of(), after.all(List.of()), host.daemon().log());
            assertEquals(List.of(), host.markedProcesses(), "no server left");
            assertEquals(List.of(), host.namespaceFiles(), "no namespace left");
            assertEquals(0, host.getJson("/containers/json?all=1").size());
        }
    }

    interface Task<T> {
        T run(int i) throws Exception;
    }

    /** Runs {@code task} for 0..count-1 on {@link #CLIENTS} threads; the results in order. */
    static <T> List<T> inParallel(int count, Task<T> task) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int n = i;
                futures.add(clients.submit(() -> task.run(n)));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get());
            }
            return results;
        } finally {
            clients.shutdownNow();
        }
    }

    /** Connects to the servers from the host namespace: its sockets are opened inside it, then used from here. */
    private static final class Poller {
        private final KernelSandbox box;
        final List<String> failures = new CopyOnWriteArrayList<>();
        final AtomicLong answered = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean();
        private Thread thread;

        Poller(KernelSandbox box) {
            this.box = box;
        }

        /** One connection: null when "ok" came back (within 2 s to connect, 3 s to answer: the machine may be busy), else what went wrong. */
        String ask(String address) {
            try (SocketChannel channel = KernelSandbox.THREADS.call(box.host, SocketChannel::open)) {
                Socket socket = channel.socket();
                socket.connect(new InetSocketAddress(address, PORT), 2000);
                socket.setSoTimeout(3000);
                InputStream in = socket.getInputStream();
                String line = new String(in.readNBytes(3), StandardCharsets.US_ASCII);
                return line.equals("ok\n") ? null : "answered " + line;
            } catch (IOException | RuntimeException e) {
                return e.toString();
            }
        }

        boolean answersWithin(String address, long millis) throws InterruptedException {
            long deadline = System.currentTimeMillis() + millis;
            while (ask(address) != null) {
                if (System.currentTimeMillis() > deadline) {
                    return false;
                }
                Thread.sleep(50);
            }
            return true;
        }

        void start(List<String> sample) {
            running.set(true);
            thread = new Thread(() -> {
                while (running.get()) {
                    for (String address : sample) {
                        String failure = ask(address);
                        if (failure == null) {
                            answered.incrementAndGet();
                        } else {
                            failures.add(System.currentTimeMillis() + " " + address + ": " + failure);
                        }
                    }
                }
            }, "live-restore-poller");
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
        }
    }
}
