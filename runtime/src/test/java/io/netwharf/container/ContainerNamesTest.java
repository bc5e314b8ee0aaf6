package io.netwharf.container;

import io.netwharf.container.ContainerActor.WaitCondition;
import io.netwharf.kernel.NameView;
import io.netwharf.protocol.model.EndpointSpec;
import io.netwharf.protocol.model.NetworkSpec;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.model.NetwharfException.Kind;
import io.netwharf.runtime.RuntimeFixture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.netwharf.runtime.RuntimeFixture.await;
import static io.netwharf.runtime.RuntimeFixture.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a container's process sees of names (root, real kernel, processes in containers): its host name, its
 * /etc/hostname, /etc/hosts and /etc/resolv.conf, written in its folder at each start and bound over the host's in
 * mount and UTS namespaces of its own; while the test JVM's mounts and the host name stay as they were.
 */
class ContainerNamesTest {
    /** The script each container runs: what its process sees, in sections. */
    private static final String SHOW = "hostname; echo \"$HOSTNAME\"; echo --; cat /etc/hostname; echo --; cat /etc/hosts; echo --; "
            + "cat /etc/resolv.conf; echo --; readlink /proc/self/ns/mnt";

    private RuntimeFixture fixture;
    private ContainerEngine engine;
    private Path dataRoot;
    private Path hostResolvConf;
    private String hostName;
    private String mounts;

    @BeforeEach
    void start() throws IOException {
        hostName = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        mounts = Files.readString(Path.of("/proc/thread-self/mountinfo"));
        fixture = new RuntimeFixture();
        fixture.start();
        dataRoot = Files.createTempDirectory("netwharf-data-");
        hostResolvConf = dataRoot.resolve("host-resolv.conf");
        // A host behind systemd-resolved's stub and a real server, with an IPv6 one a container on IPv4 cannot use.
        Files.writeString(hostResolvConf, "# the host's\nnameserver 127.0.0.53\nnameserver 10.1.2.3\nnameserver fd00::53\n"
                + "search host.example\noptions edns0 trust-ad\n");
        engine = await(ContainerEngine.start(RuntimeFixture.SYSTEM, fixture.netwharf, fixture.netwharf.store(), dataRoot,
                Duration.ofMinutes(1), false, hostResolvConf));
    }

    @AfterEach
    void stop() throws IOException {
        await(engine.stop());
        fixture.close();
        assertEquals(hostName, Files.readString(Path.of("/proc/sys/kernel/hostname")).strip(), "the host name is the host's");
        assertEquals(mounts, Files.readString(Path.of("/proc/thread-self/mountinfo")), "the JVM's mounts did not change");
    }

    private static ContainerRequest request(String name, String mode, NameSettings names, String user, String... cmd) {
        return new ContainerRequest(name, "none", List.of(cmd), List.of(), null, user, List.of(), mode, Map.of(), Map.of(), Map.of(),
                null, null, false, RestartPolicy.NO, names, null, null);
    }

    private static NameSettings names(String hostname, String domainname, List<String> dns, List<String> search, List<String> options,
                                      List<String> extraHosts) {
        return new NameSettings(hostname, domainname, dns, search, options, extraHosts);
    }

    /** Runs {@code SHOW} in a new container and answers its sections, once it has exited. */
    private List<String> show(String name, String mode, NameSettings names) throws Exception {
        return show(name, mode, names, null);
    }

    private List<String> show(String name, String mode, NameSettings names, String user) throws Exception {
        await(engine.create(request(name, mode, names, user, "sh", "-c", SHOW)));
        return runAndRead(name);
    }

    /** Starts the container and waits for its exit; what this run wrote to stdout, in parts. */
    private List<String> runAndRead(String name) throws Exception {
        int before = await(engine.inspect(name)).log().stdout().length();
        await(engine.start(name));
        assertEquals(0, await(await(engine.waitFor(name, WaitCondition.NOT_RUNNING))),
                () -> name + ": " + await(engine.inspect(name)).log().stderr());
        return List.of(await(engine.inspect(name)).log().stdout().substring(before).split("--\n", -1));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private String addressOf(String name, String network) {
        return await(engine.inspect(name)).config().networks().get(network).lastIpv4Address();
    }

    @Test
    void onTheDefaultBridgeTheHostNameIsTheShortIdAndTheHostsUpstreamsAreCopied() throws Exception {
        List<String> seen = show("plain", "bridge", null);
        ContainerView view = await(engine.inspect("plain"));
        String shortId = view.id().substring(0, 12);
        assertEquals(shortId + "\n" + shortId + "\n", seen.get(0), "hostname and $HOSTNAME");
        assertEquals(shortId + "\n", seen.get(1));
        String address = addressOf("plain", "bridge");
        assertEquals("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::\tip6-localnet\nff00::\tip6-mcastprefix\n"
                + "ff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n" + address + "\t" + shortId + "\n", seen.get(2));
        // Loopback and IPv6 servers dropped, the host's search and options kept (moby's TransformForLegacyNw).
        assertEquals("nameserver 10.1.2.3\nsearch host.example\noptions edns0 trust-ad\n", seen.get(3));
        assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString() + "\n", seen.get(4));

        // The files are kept in the container's folder, where inspect says they are.
        NameView files = view.names();
        Path folder = dataRoot.resolve("containers").resolve(view.id());
        assertEquals(folder.resolve("hostname"), files.hostnameFile());
        assertEquals(folder.resolve("hosts"), files.hostsFile());
        assertEquals(folder.resolve("resolv.conf"), files.resolvConfFile());
        assertEquals(seen.get(3), Files.readString(files.resolvConfFile()));
    }

    @Test
    void withOnlyLoopbackServersOnTheHostTheDefaultBridgeFallsBackToDockersAndDnsGivenIsKept() throws Exception {
        Files.writeString(hostResolvConf, "nameserver 127.0.0.53\nnameserver ::1\n");
        assertEquals("nameserver 8.8.8.8\nnameserver 8.8.4.4\n", show("fallback", "bridge", null).get(3));
        List<String> seen = show("given", "bridge", names(null, null, List.of("10.9.9.9", "127.0.0.1"), List.of("corp", "lab.corp"),
                List.of("timeout:2"), List.of()));
        assertEquals("nameserver 10.9.9.9\nnameserver 127.0.0.1\nsearch corp lab.corp\noptions timeout:2\n", seen.get(3));
    }

    @Test
    void onAUserNetworkTheProcessSeesItsNamesExtraHostsAndTheEmbeddedDns() throws Exception {
        await(fixture.netwharf.createNetwork(NetworkSpec.named("backend").subnet("10.57.0.0/24").build()));
        List<String> seen = show("web", "backend", names("web", "corp.example", List.of(), List.of("corp"), List.of("timeout:2"),
                List.of("db:10.0.0.9", "gw:host-gateway", "v6:[fd00::9]")));
        assertEquals("web\nweb\n", seen.get(0));
        assertEquals("web.corp.example\n", seen.get(1));
        String gateway = await(fixture.netwharf.inspectNetwork("bridge")).gateway();
        assertTrue(seen.get(2).endsWith("ff02::2\tip6-allrouters\n10.0.0.9\tdb\n" + gateway + "\tgw\nfd00::9\tv6\n"
                + addressOf("web", "backend") + "\tweb.corp.example web\n"), seen.get(2));
        assertEquals("nameserver 127.0.0.11\nsearch corp\noptions timeout:2 ndots:0\n", seen.get(3));

        // Without options of its own it keeps the host's, and an ndots of the host's stays.
        Files.writeString(hostResolvConf, "nameserver 10.1.2.3\nsearch host.example\noptions ndots:2 edns0\n");
        assertEquals("nameserver 127.0.0.11\nsearch host.example\noptions ndots:2 edns0\n", show("keeps", "backend", null).get(3));
    }

    @Test
    void theHostsFileFollowsConnectsAndDisconnectsWhileTheProcessRuns() throws Exception {
        await(fixture.netwharf.createNetwork(NetworkSpec.named("backend").subnet("10.59.0.0/24").build()));
        await(engine.create(request("multi", "bridge", names("multi", null, List.of(), List.of(), List.of(), List.of()), null,
                "sleep", "100")));
        await(engine.start("multi"));
        // What the process sees, through its own mount namespace.
        Path seen = Path.of("/proc/" + await(engine.inspect("multi")).pid() + "/root/etc/hosts");
        String onBridge = await(engine.inspect("multi")).network().endpoints().get("bridge").ipv4Address();
        assertTrue(Files.readString(seen).endsWith("\n" + onBridge + "\tmulti\n"), Files.readString(seen));
        await(engine.connect("multi", "backend", EndpointSpec.DYNAMIC));
        String onBackend = await(engine.inspect("multi")).network().endpoints().get("backend").ipv4Address();
        assertTrue(Files.readString(seen).endsWith("\n" + onBridge + "\tmulti\n" + onBackend + "\tmulti\n"), Files.readString(seen));
        await(engine.disconnect("multi", "bridge"));
        assertTrue(Files.readString(seen).endsWith("ip6-allrouters\n" + onBackend + "\tmulti\n"), Files.readString(seen));
        await(engine.stop("multi", Duration.ofSeconds(5), Signals.SIGKILL));
    }

    @Test
    void aContainerJoiningAnothersNamespaceSeesItsFilesAndHostName() throws Exception {
        await(engine.create(request("owner", "bridge", names("the-owner", null, List.of(), List.of(), List.of(), List.of()), null,
                "sleep", "100")));
        await(engine.start("owner"));
        List<String> seen = show("joiner", "container:owner", null);
        assertEquals("the-owner\nthe-owner\n", seen.get(0));
        ContainerView owner = await(engine.inspect("owner"));
        assertEquals(Files.readString(owner.names().hostsFile()), seen.get(2));
        assertEquals(owner.names(), await(engine.inspect("joiner")).names(), "the owner's paths and host name, as Docker shows them");
        await(engine.stop("owner", Duration.ofSeconds(5), Signals.SIGKILL));
    }

    @Test
    void aContainerInHostModeSeesTheHostsOwnFilesAndName() throws Exception {
        List<String> seen = show("onhost", "host", null);
        assertEquals(hostName + "\n" + hostName + "\n", seen.get(0));
        assertEquals(Files.readString(Path.of("/etc/hosts")), seen.get(2));
        assertEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString() + "\n", seen.get(4), "no mount namespace made");
        NameView view = await(engine.inspect("onhost")).names();
        assertEquals(Path.of("/etc/hosts"), view.hostsFile());
        assertEquals(hostName, view.hostname());
    }

    @Test
    void aProcessRunAsAnotherUserSeesItsFilesAndEachStartRewritesThem() throws Exception {
        List<String> first = show("nobody", "bridge", names("as-nobody", null, List.of(), List.of(), List.of(), List.of("db:10.0.0.9")),
                "65534:65534");
        assertEquals("as-nobody\nas-nobody\n", first.get(0));
        assertTrue(first.get(2).contains("10.0.0.9\tdb\n"), first.get(2));
        Files.writeString(hostResolvConf, "nameserver 10.4.4.4\n");
        assertEquals("nameserver 10.4.4.4\n", runAndRead("nobody").get(3), "the host's file is read again at the next start");
    }

    @Test
    void namesAreCheckedWithDockersMessagesWhenTheContainerIsCreated() {
        assertRefused("invalid hostname format: -web", "bridge", names("-web", null, List.of(), List.of(), List.of(), List.of()));
        assertRefused("hostname \"" + "h".repeat(65) + "\" is too long (maximum 64 bytes)", "bridge",
                names("h".repeat(65), null, List.of(), List.of(), List.of(), List.of()));
        assertRefused("IP address is not correctly formatted: 1.2.3 (HostConfig.Dns)", "bridge",
                names(null, null, List.of("1.2.3"), List.of(), List.of(), List.of()));
        assertRefused("bad format for add-host: \"db\"", "bridge", names(null, null, List.of(), List.of(), List.of(), List.of("db")));
        assertRefused("invalid IP address in add-host: \"10.0.0\"", "bridge",
                names(null, null, List.of(), List.of(), List.of(), List.of("db:10.0.0")));
        assertRefused("-corp is not a valid domain", "bridge", names(null, null, List.of(), List.of("-corp"), List.of(), List.of()));
        assertRefused("conflicting options: hostname and the network mode", "host",
                names("h", null, List.of(), List.of(), List.of(), List.of()));
        assertRefused("conflicting options: hostname and the network mode", "container:other",
                names("h", null, List.of(), List.of(), List.of(), List.of()));
        assertRefused("conflicting options: dns and the network mode", "container:other",
                names(null, null, List.of("10.0.0.1"), List.of(), List.of(), List.of()));
        assertRefused("conflicting options: custom host-to-IP mapping and the network mode", "container:other",
                names(null, null, List.of(), List.of(), List.of(), List.of("db:10.0.0.9")));
        assertRefused("netwharf gives a container in host network mode the host's own /etc/resolv.conf, /etc/hosts and host name: "
                + "create it without --add-host (HostConfig.ExtraHosts)", "host",
                names(null, null, List.of(), List.of(), List.of(), List.of("db:10.0.0.9")));
        // name=address and a bracketed address are kept as Docker's name:address.
        String id = await(engine.create(request("eq", "bridge", names(null, null, List.of(), List.of(), List.of(),
                List.of("db=10.0.0.9", "v6:[::1]")), null)));
        assertEquals(List.of("db:10.0.0.9", "v6:::1"), await(engine.inspect(id)).config().names().extraHosts());
    }

    private void assertRefused(String message, String mode, NameSettings names) {
        NetwharfException e = refused(Kind.BAD_PARAMETER, engine.create(request("bad", mode, names, null, "true")));
        assertEquals(message, e.getMessage());
    }
}
