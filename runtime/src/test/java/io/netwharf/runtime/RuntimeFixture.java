package io.netwharf.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.netwharf.Netwharf;
import io.netwharf.kernel.KernelSandbox;
import io.netwharf.kernel.Netns;
import io.netwharf.protocol.model.ContainerInfo;
import io.netwharf.protocol.model.NetwharfException;

import io.netwharf.actor.Asks;
import io.netwharf.store.Store;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A runtime started on a throwaway "host" namespace ({@link KernelSandbox}), with its own run directory, plus ways
 * to look at what it made from outside: {@code ip -j}, {@code nft -j}, ping. Closing stops the runtime and deletes
 * the host namespace with everything in it.
 */
public final class RuntimeFixture implements AutoCloseable {
    /** One actor system for all runtime tests: an embedding application's, as far as netwharf can tell. */
    public static final ActorSystem<Void> SYSTEM = ActorSystem.create(Behaviors.empty(), "netwharf-test");

    public final KernelSandbox box;
    public final Path runDirectory;
    private final List<Netns> opened = new ArrayList<>();
    public Netwharf netwharf;
    private final List<ActorSystem<Void>> systems = new ArrayList<>();
    private static final java.time.Duration ALONE_TIMEOUT = java.time.Duration.ofSeconds(60);

    public RuntimeFixture() throws IOException {
        box = new KernelSandbox();
        runDirectory = Files.createTempDirectory("netwharf-runtime-");
    }

    /** The defaults, on this fixture's host namespace and run directory. */
    public RuntimeConfig.Builder config() {
        // No upstream name server: the tests' containers never send a query out of the sandbox's namespaces.
        return RuntimeConfig.builder().hostNetns(box.host.path()).runDirectory(runDirectory).resolvConf(runDirectory.resolve("no-resolv.conf"));
    }

    public Netwharf start() {
        return start(config().build());
    }

    public Netwharf start(RuntimeConfig config) {
        netwharf = await(Netwharf.start(SYSTEM, config));
        return netwharf;
    }

    /**
     * A runtime on {@code store} in an actor system of its own, which {@link #crash} ends without the runtime's
     * shutdown: nothing it made in the kernel is removed, as after a kill -9. The systems end with the fixture.
     */
    public Netwharf startAlone(RuntimeConfig config, Store store) {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "alone-" + systems.size());
        systems.add(system);
        ActorRef<RuntimeActor.Command> runtime = system.systemActorOf(RuntimeActor.create(config, store), "runtime", Props.empty());
        await(Asks.askWithStatus(runtime, RuntimeActor.AwaitReady::new, ALONE_TIMEOUT, system.scheduler()));
        return Netwharf.of(system, runtime, ALONE_TIMEOUT);
    }

    /** Ends a runtime of {@link #startAlone} as a crash would. */
    public static void crash(Netwharf netwharf) {
        netwharf.system().terminate();
        await(netwharf.system().getWhenTerminated());
    }

    /** The container's namespace, opened for looking at from outside (and held open until close). */
    public Netns netns(ContainerInfo container) {
        Netns ns = Netns.open(Path.of(container.sandboxKey()));
        opened.add(ns);
        return ns;
    }

    /** One ping from inside the container's namespace, without holding the namespace open afterwards. */
    public boolean ping(ContainerInfo from, String address) {
        return KernelSandbox.ping(Path.of(from.sandboxKey()), address);
    }

    /** The IPv4 addresses on {@code link} in {@code ns}, as "a.b.c.d/len". */
    public List<String> addresses(Netns ns, String link) {
        List<String> found = new ArrayList<>();
        for (JsonNode l : box.ipJson(ns, "-4", "addr", "show", "dev", link)) {
            l.path("addr_info").forEach(a -> found.add(a.get("local").asText() + "/" + a.get("prefixlen").asInt()));
        }
        return found;
    }

    /** Host-side links enslaved to {@code bridge}. */
    public List<String> ports(String bridge) {
        List<String> names = new ArrayList<>();
        box.ipJson(box.host, "link", "show", "master", bridge).forEach(l -> names.add(l.get("ifname").asText()));
        return names;
    }

    /** The namespaces left in the runtime's run directory. */
    public List<String> namespaces() throws IOException {
        Path dir = runDirectory.resolve("netns");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }

    public static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(120, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new AssertionError(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    /** Awaits a refusal and checks its kind. */
    public static NetwharfException refused(NetwharfException.Kind kind, CompletionStage<?> stage) {
        try {
            await(stage);
        } catch (NetwharfException e) {
            assertEquals(kind, e.kind(), e.getMessage());
            return e;
        }
        return fail("expected a refusal of kind " + kind);
    }

    @Override
    public void close() throws IOException {
        opened.forEach(Netns::close);
        systems.forEach(ActorSystem::terminate);
        try {
            if (netwharf != null) {
                await(netwharf.stop());
            }
        } finally {
            box.close();
        }
    }
}
