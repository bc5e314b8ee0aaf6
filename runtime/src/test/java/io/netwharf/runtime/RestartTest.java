package io.netwharf.runtime;

import io.netwharf.Netwharf;
import io.netwharf.kernel.KernelSandbox;
import io.netwharf.kernel.LinkMarks;
import io.netwharf.kernel.Netns;
import io.netwharf.protocol.model.ContainerInfo;
import io.netwharf.protocol.model.ContainerSpec;
import io.netwharf.protocol.model.EndpointInfo;
import io.netwharf.protocol.model.EndpointSpec;
import io.netwharf.protocol.model.Ids;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.protocol.model.NetworkMode;
import io.netwharf.protocol.model.NetworkSpec;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.store.Change;
import io.netwharf.store.MemoryStore;
import io.netwharf.store.Phase;
import io.netwharf.store.StoredEndpoint;
import io.netwharf.store.StoredNetwork;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.netwharf.runtime.RuntimeFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Restarts of the runtime on one host namespace and one store (in memory here; the SQLite store has tests of its
 * own): what a clean stop keeps, and what a start after a crash finds and makes of it. A "crash" ends the runtime's
 * actor system without the runtime's shutdown: nothing it made in the kernel is removed, as after a kill -9. Needs
 * root and the kernel (CI runs as root, in a throwaway namespace).
 */
class RestartTest {
    private RuntimeFixture fixture;
    private final MemoryStore store = new MemoryStore();
    private final List<ActorSystem<Void>> systems = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        fixture = new RuntimeFixture();
    }

    @AfterEach
    void tearDown() throws IOException {
        processes.forEach(Process::destroyForcibly);
        systems.forEach(ActorSystem::terminate);
        fixture.close();
    }

    private RuntimeConfig.Builder config() {
        return fixture.config().bridgeName("nwr0");
    }

    /** A runtime in an actor system of its own, which {@link #crash} ends without the runtime's shutdown. */
    private Netwharf start(RuntimeConfig config) {
        return fixture.startAlone(config, store);
    }

    private static void crash(Netwharf netwharf) {
        RuntimeFixture.crash(netwharf);
    }

    private static ContainerInfo container(Netwharf netwharf, String network) {
        return await(netwharf.createContainer(new ContainerSpec(null, "c", NetworkMode.parse(network), Map.of())));
    }

    private static String address(ContainerInfo container) {
        return container.endpoints().values().iterator().next().ipv4Address();
    }

    /** {@code ip args...} in the fixture's host namespace. */
    private void ip(String... args) {
        List<String> command = new ArrayList<>(List.of("nsenter", "--net=" + fixture.box.host.path(), "ip"));
        command.addAll(List.of(args));
        KernelSandbox.command(command);
    }

    /** Binds the namespace file {@code from} over a new file {@code to} (this test JVM has a mount namespace of its own). */
    private static void bindMount(Path from, Path to) throws IOException {
        Files.createFile(to);
        KernelSandbox.command(List.of("mount", "--bind", from.toString(), to.toString()));
    }

    @Test
    void aCleanStopKeepsTheNetworksWithTheirIdsSubnetsAndBridges() {
        Netwharf first = start(config().build());
        NetworkInfo chosen = await(first.createNetwork(NetworkSpec.named("n1").build()));
        NetworkInfo fixed = await(first.createNetwork(NetworkSpec.named("n2").subnet("10.50.0.0/24").build()));
        NetworkInfo bridge = await(first.inspectNetwork("bridge"));
        await(first.stop());
        crash(first);

        Netwharf second = start(config().build());
        assertEquals(chosen.subnet(), await(second.inspectNetwork(chosen.id())).subnet());
        assertEquals(fixed.id(), await(second.inspectNetwork("n2")).id());
        assertEquals(bridge.id(), await(second.inspectNetwork("bridge")).id(), "the default network keeps its id");
        assertEquals(bridge.subnet(), await(second.inspectNetwork("bridge")).subnet());
        // The leftover-subnet bug of the issue: the kept network still holds its subnet.
        NetwharfException overlap = RuntimeFixture.refused(NetwharfException.Kind.FORBIDDEN,
                second.createNetwork(NetworkSpec.named("n3").subnet("10.50.0.0/24").build()));
        assertTrue(overlap.getMessage().contains("overlaps"), overlap.getMessage());
        // Containers on the kept networks work as before.
        ContainerInfo a = container(second, "n2");
        ContainerInfo b = container(second, "n2");
        assertTrue(fixture.ping(a, address(b)));
        assertTrue(fixture.box.linkNames(fixture.box.host).contains(fixed.bridge()));
        crash(second);
    }

    @Test
    void anEmbeddedRuntimeKeepsItsStateInTheFolderItsConfigNames(@TempDir Path state) {
        RuntimeConfig config = config().stateDirectory(state).build();
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "embedded-1");
        systems.add(system);
        Netwharf first = await(Netwharf.start(system, config));
        NetworkInfo network = await(first.createNetwork(NetworkSpec.named("kept").build()));
        await(first.stop());
        assertTrue(Files.exists(state.resolve("netwharf.db")));

        ActorSystem<Void> again = ActorSystem.create(Behaviors.empty(), "embedded-2");
        systems.add(again);
        Netwharf second = await(Netwharf.start(again, config));
        assertEquals(network.subnet(), await(second.inspectNetwork(network.id())).subnet());
        await(second.stop());
    }

    @Test
    void afterACrashTheContainersNamespacesAndLinksGoAndTheirAddressesAreFreeAgain() throws IOException {
        Netwharf first = start(config().build());
        NetworkInfo network = await(first.createNetwork(NetworkSpec.named("n1").subnet("10.51.0.0/24").build()));
        List<ContainerInfo> before = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            before.add(container(first, "n1"));
        }
        before.add(container(first, "bridge"));
        crash(first);
        assertEquals(6, fixture.namespaces().size(), "a crash leaves the namespaces");

        Netwharf second = start(config().build());
        assertEquals(List.of(), fixture.namespaces());
        assertEquals(List.of(), fixture.ports(network.bridge()));
        assertEquals(0, await(second.addressesInUse("n1")));
        assertEquals(List.of(), await(second.listContainers()));
        assertEquals(Set.of(), Set.copyOf(store.load().endpoints()), "no endpoint record is left");
        ContainerInfo again = container(second, "n1");
        assertEquals(address(before.get(0)), address(again), "the first address is free again, and given once");
        crash(second);
    }

    @Test
    void withLiveRestoreContainersKeepTheirNamespacesAddressesAndTraffic() throws IOException {
        RuntimeConfig live = config().liveRestore(true).build();
        Netwharf first = start(live);
        await(first.createNetwork(NetworkSpec.named("n1").subnet("10.52.0.0/24").build()));
        ContainerInfo a = container(first, "n1");
        ContainerInfo b = await(first.createContainer(new ContainerSpec(null, "b", NetworkMode.parse("n1"),
                Map.of("bridge", EndpointSpec.DYNAMIC))));
        crash(first);
        assertTrue(fixture.ping(a, address(b)), "traffic goes on while netwharf is down");

        Netwharf second = start(live);
        assertEquals(2, fixture.namespaces().size());
        ContainerInfo adopted = await(second.inspectContainer(b.id()));
        assertEquals(b.endpoints().keySet(), adopted.endpoints().keySet());
        assertEquals(b.endpoints().get("n1").ipv4Address(), adopted.endpoints().get("n1").ipv4Address());
        assertEquals(2, await(second.addressesInUse("n1")), "the adopted addresses are taken in the pool");
        ContainerInfo c = container(second, "n1");
        Set<String> addresses = Set.of(address(a), b.endpoints().get("n1").ipv4Address(), address(c));
        assertEquals(3, addresses.size(), "no address is handed out twice: " + addresses);
        assertTrue(fixture.ping(c, address(a)));
        // The adopted ones are the runtime's again: they are removed as any other.
        await(second.removeContainer(b.id(), false));
        await(second.removeContainer(a.id(), false));
        assertEquals(1, fixture.namespaces().size());
        assertEquals(1, await(second.addressesInUse("n1")));
        crash(second);
    }

    @Test
    void withLiveRestoreTheEmbeddedDnsAnswersForTheKeptContainersAgain() throws Exception {
        RuntimeConfig live = config().liveRestore(true).build();
        Netwharf first = start(live);
        await(first.createNetwork(NetworkSpec.named("n1").subnet("10.57.0.0/24").build()));
        ContainerInfo web = await(first.createContainer(new ContainerSpec(null, "web", NetworkMode.parse("n1"),
                Map.of("n1", EndpointSpec.DYNAMIC.withDnsNames(List.of("web", "www"))))));
        ContainerInfo client = container(first, "n1");
        assertEquals(address(web), askEmbeddedDns(client, "www"));
        crash(first);

        Netwharf second = start(live);
        assertEquals(address(web), askEmbeddedDns(client, "www"), "the names kept in the store are answered again");
        await(second.removeContainer(web.id(), false));
        assertEquals("", askEmbeddedDns(client, "www"), "and follow removals as before");
        crash(second);
    }

    /** An A query for {@code name} to 127.0.0.11 inside the container: the first address answered, "" for none. */
    @Test
    void withLiveRestoreARenamedContainerIsAnsweredByItsNewNameAfterARestart() throws Exception {
        RuntimeConfig live = config().liveRestore(true).build();
        Netwharf first = start(live);
        await(first.createNetwork(NetworkSpec.named("n1").subnet("10.59.0.0/24").build()));
        ContainerInfo web = await(first.createContainer(new ContainerSpec(null, "web", NetworkMode.parse("n1"),
                Map.of("n1", EndpointSpec.DYNAMIC.withDnsNames(List.of("web", "www"))))));
        ContainerInfo client = container(first, "n1");
        ContainerInfo renamed = await(first.renameContainer(web.id(), "site", Map.of("n1", List.of("site", "www"))));
        assertEquals("site", renamed.name());
        assertEquals(List.of("site", "www"), renamed.endpoints().get("n1").dnsNames());
        assertEquals(address(web), askEmbeddedDns(client, "site"));
        assertEquals("", askEmbeddedDns(client, "web"), "the old name no longer resolves");
        crash(first);

        Netwharf second = start(live);
        assertEquals(address(web), askEmbeddedDns(client, "site"), "the new names were kept in the store");
        assertEquals("", askEmbeddedDns(client, "web"));
        assertEquals(address(web), askEmbeddedDns(client, "www"));
        crash(second);
    }

    private static String askEmbeddedDns(ContainerInfo container, String name) throws Exception {
        String script = """
                import socket, sys
                name = sys.argv[1]
                q = b"\\x12\\x34\\x01\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00" + bytes([len(name)]) + name.encode() + b"\\x00\\x00\\x01\\x00\\x01"
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.settimeout(1)
                s.sendto(q, ("127.0.0.11", 53))
                a = s.recv(512)
                print(".".join(str(b) for b in a[-4:]) if int.from_bytes(a[6:8], "big") > 0 else "")
                """;
        for (int attempt = 0; ; attempt++) {
            // The listeners are made just after the runtime answers: a first query may find none yet.
            Process p = new ProcessBuilder("nsenter", "--net=" + container.sandboxKey(), "python3", "-c", script, name).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            if ((p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) || attempt == 20) {
                return out;
            }
            Thread.sleep(100);
        }
    }

    @Test
    void aContainerStartedAgainGetsItsLastAddressWhenItIsFreeAndAnotherOtherwise() {
        Netwharf netwharf = start(config().build());
        await(netwharf.createNetwork(NetworkSpec.named("n1").subnet("10.54.0.0/24").build()));
        ContainerInfo first = container(netwharf, "n1");
        await(netwharf.removeContainer(first.id(), false));
        container(netwharf, "n1"); // the pool's cursor has moved on
        Map<String, EndpointSpec> last = Map.of("n1", EndpointSpec.DYNAMIC.withLastAddress(address(first)));

        ContainerInfo again = await(netwharf.createContainer(new ContainerSpec(null, "again", NetworkMode.parse("n1"), last)));
        assertEquals(address(first), address(again));
        ContainerInfo other = await(netwharf.createContainer(new ContainerSpec(null, "other", NetworkMode.parse("n1"), last)));
        assertNotEquals(address(first), address(other), "taken: another one, and no refusal");
        crash(netwharf);
    }

    @Test
    void strayNamespacesTheirProcessesAndMarkedLinksAreRemovedButUnmarkedLinksStay() throws Exception {
        Netwharf first = start(config().build());
        crash(first);
        // A namespace under the exec root that the store does not know, with a process inside.
        Netns stray = fixture.box.netns.create("strayns");
        stray.close();
        Path strayPath = fixture.runDirectory.resolve("netns/strayns");
        Files.createDirectories(strayPath.getParent());
        Process sleeper = new ProcessBuilder("nsenter", "--net=" + fixture.box.netns.pathOf("strayns"), "sleep", "600").start();
        processes.add(sleeper);
        // Linked into the runtime's directory as a crash would have left it: a bind mount of the same namespace.
        bindMount(fixture.box.netns.pathOf("strayns"), strayPath);
        // Links: one marked as an endpoint netwharf knows nothing of, one of someone else's.
        ip("link", "add", "vmarked0", "type", "veth", "peer", "name", "vmarked1");
        ip("link", "set", "vmarked0", "alias", LinkMarks.endpoint(Ids.newId(), Ids.newId()));
        ip("link", "add", "vplain0", "type", "veth", "peer", "name", "vplain1");

        Netwharf second = start(config().build());
        assertTrue(sleeper.waitFor(10, TimeUnit.SECONDS), "the stray namespace's process was killed");
        assertFalse(Files.exists(strayPath), "the stray namespace went");
        List<String> links = fixture.box.linkNames(fixture.box.host);
        assertFalse(links.contains("vmarked0"), links.toString());
        assertTrue(links.contains("vplain0"), links.toString());
        crash(second);
    }

    @Test
    void aNetworkWhoseCreationACrashInterruptedIsRemovedWithItsBridge() {
        String id = Ids.newId();
        String bridge = "br-" + id.substring(0, 12);
        store.apply(new Change.PutNetwork(new StoredNetwork(id, "half", "bridge", bridge, null, null, Phase.INTENT, Instant.now(),
                "{\"name\":\"half\",\"driver\":\"bridge\"}")));
        ip("link", "add", bridge, "type", "bridge");
        ip("link", "set", bridge, "alias", LinkMarks.network(id));

        Netwharf netwharf = start(config().build());
        assertFalse(fixture.box.linkNames(fixture.box.host).contains(bridge));
        assertTrue(store.load().networks().stream().noneMatch(n -> n.id().equals(id)));
        RuntimeFixture.refused(NetwharfException.Kind.NOT_FOUND, netwharf.inspectNetwork("half"));
        crash(netwharf);
    }

    @Test
    void anEndpointWhoseConnectACrashInterruptedIsTakenApartOnAnAdoptedContainer() {
        RuntimeConfig live = config().liveRestore(true).build();
        Netwharf first = start(live);
        await(first.createNetwork(NetworkSpec.named("n1").subnet("10.53.0.0/24").build()));
        ContainerInfo a = container(first, "n1");
        crash(first);
        // As if a second connect had been under way: its endpoint recorded in intent, its link made and marked.
        NetworkInfo bridgeNetwork = store.load().networks().stream().filter(StoredNetworks::isDefault).findFirst()
                .map(n -> new NetworkInfo(n.id(), n.name(), n.driver(), n.link(), n.subnet(), n.gateway(), null, Map.of(), 1500, true,
                        true, false, false, true, Map.of(), Map.of(), n.created(), Map.of())).orElseThrow();
        String hostEnd = "vethhalf0";
        store.apply(new Change.PutEndpoint(new StoredEndpoint(a.id(), bridgeNetwork.id(), Ids.newId(), "eth1", hostEnd,
                "172.17.0.9", 16, "02:42:ac:11:00:09", List.of(), Phase.INTENT)));
        ip("link", "add", hostEnd, "type", "veth", "peer", "name", "vethhalf1");
        ip("link", "set", hostEnd, "alias", LinkMarks.endpoint(a.id(), bridgeNetwork.id()));

        Netwharf second = start(live);
        assertFalse(fixture.box.linkNames(fixture.box.host).contains(hostEnd));
        ContainerInfo adopted = await(second.inspectContainer(a.id()));
        assertEquals(Set.of("n1"), adopted.endpoints().keySet());
        Set<String> records = new HashSet<>();
        store.load().endpoints().forEach(e -> records.add(e.networkId()));
        assertEquals(1, records.size());
        assertNotEquals(bridgeNetwork.id(), records.iterator().next());
        EndpointInfo kept = adopted.endpoints().get("n1");
        assertEquals(address(a), kept.ipv4Address());
        crash(second);
    }
}
