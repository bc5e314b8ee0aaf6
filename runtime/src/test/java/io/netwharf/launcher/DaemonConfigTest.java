package io.netwharf.launcher;

import io.netwharf.gateway.ListenAddress;
import io.netwharf.gateway.TestCertificates;
import io.netwharf.gateway.TlsOptions;
import io.netwharf.ipam.AddressPoolsSpec;
import io.netwharf.runtime.RuntimeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `netwharf daemon`'s settings: flags, a daemon.json-style file, flags over the file, unknown keys refused. */
class DaemonConfigTest {
    @TempDir
    Path dir;

    private static DaemonConfig daemon(String... args) {
        Main.Daemon daemon = new Main.Daemon();
        new CommandLine(daemon).parseArgs(args);
        return daemon.config();
    }

    @Test
    void defaults() {
        DaemonConfig config = daemon();
        assertEquals(List.of(ListenAddress.parse("unix:///run/netwharf/netwharf.sock")), config.hosts());
        assertEquals(Path.of("/var/lib/netwharf"), config.dataRoot());
        assertEquals(RuntimeConfig.builder().stateDirectory(Path.of("/var/lib/netwharf")).build(), config.runtime(),
                "the defaults, with the store in the data root");
        assertFalse(config.runtime().liveRestore());
    }

    @Test
    void liveRestoreFromTheFlagOrTheFileAndTheStoreInTheDataRoot() throws IOException {
        assertTrue(daemon("--live-restore").runtime().liveRestore());
        assertFalse(daemon("--live-restore=false").runtime().liveRestore());
        Path file = file("{\"live-restore\": true, \"data-root\": \"/srv/kept\"}");
        DaemonConfig config = daemon("--config-file", file.toString());
        assertTrue(config.runtime().liveRestore(), "daemon.json's key");
        assertEquals(Path.of("/srv/kept"), config.runtime().stateDirectory());
        assertFalse(daemon("--config-file", file.toString(), "--live-restore=false").runtime().liveRestore(), "the flag wins");
        assertEquals(Path.of("/srv/nw"), daemon("--data-root", "/srv/nw").runtime().stateDirectory());
    }

    @Test
    void fromFlags() {
        DaemonConfig config = daemon("-H", "unix:///tmp/nw.sock", "--host", "tcp://127.0.0.1:2376", "--data-root", "/srv/nw",
                "--exec-root", "/run/nw", "-b", "br-test", "--bip", "10.9.0.1/24", "--default-address-pool", "base=10.10.0.0/16,size=24",
                "--default-address-pool", "base=10.11.0.0/16,size=24", "--mtu", "1400", "--icc", "false", "--ip-masq", "false");
        assertEquals(List.of(new ListenAddress.Unix(Path.of("/tmp/nw.sock")), new ListenAddress.Tcp("127.0.0.1", 2376)), config.hosts());
        assertEquals(Path.of("/srv/nw"), config.dataRoot());
        RuntimeConfig runtime = config.runtime();
        assertEquals("br-test", runtime.bridgeName());
        assertEquals("10.9.0.1/24", runtime.bip());
        assertEquals(List.of(AddressPoolsSpec.parse("base=10.10.0.0/16,size=24"), AddressPoolsSpec.parse("base=10.11.0.0/16,size=24")),
                runtime.defaultAddressPools());
        assertEquals(1400, runtime.mtu());
        assertFalse(runtime.icc());
        assertFalse(runtime.ipMasquerade());
        assertEquals(Path.of("/run/nw"), runtime.runDirectory());
    }

    private Path file(String text) throws IOException {
        return Files.writeString(dir.resolve("daemon.conf"), text);
    }

    @Test
    void iptablesFalseTurnsMasqueradingOffAsDockerdAndRefusesIccOffOrAnExplicitIpMasq() {
        RuntimeConfig runtime = daemon("--iptables", "false").runtime();
        assertFalse(runtime.iptables());
        assertFalse(runtime.ipMasquerade(), "masquerading off, as dockerd turns it off");
        assertTrue(RuntimeConfig.defaults().iptables());
        assertFalse(daemon("--iptables", "false", "--ip-masq", "false").runtime().ipMasquerade());
        IllegalArgumentException masq = assertThrows(IllegalArgumentException.class,
                () -> daemon("--iptables", "false", "--ip-masq", "true"));
        assertTrue(masq.getMessage().contains("--ip-masq=true needs netwharf's firewall"), masq.getMessage());
        IllegalArgumentException icc = assertThrows(IllegalArgumentException.class,
                () -> daemon("--iptables", "false", "--ip-masq", "false", "--icc", "false"));
        assertTrue(icc.getMessage().contains("You specified --iptables=false with --icc=false"), icc.getMessage());
    }

    @Test
    void fromAHoconFile() throws IOException {
        Path file = file("""
                hosts = ["unix:///tmp/a.sock", "tcp://127.0.0.1"]
                data-root = /srv/netwharf
                exec-root = /run/nwx
                bridge = br-file
                bip = "10.20.0.1/16"
                default-address-pools = [{base = "10.30.0.0/16", size = 24}, "base=10.31.0.0/16,size=20"]
                mtu = 9000
                icc = false
                ip-masq = false
                """);
        DaemonConfig config = daemon("--config-file", file.toString());
        assertEquals(List.of(new ListenAddress.Unix(Path.of("/tmp/a.sock")), new ListenAddress.Tcp("127.0.0.1", 2375)), config.hosts());
        assertEquals(Path.of("/srv/netwharf"), config.dataRoot());
        assertEquals(Path.of("/run/nwx"), config.runtime().runDirectory());
        assertEquals("br-file", config.runtime().bridgeName());
        assertEquals("10.20.0.1/16", config.runtime().bip());
        assertEquals(List.of(AddressPoolsSpec.parse("base=10.30.0.0/16,size=24"), AddressPoolsSpec.parse("base=10.31.0.0/16,size=20")),
                config.runtime().defaultAddressPools());
        assertEquals(9000, config.runtime().mtu());
        assertFalse(config.runtime().icc());
        assertFalse(config.runtime().ipMasquerade());
    }

    @Test
    void readsDockersJsonToo() throws IOException {
        Path file = file("""
                {"hosts": ["unix:///tmp/j.sock"], "bip": "10.40.0.1/24", "default-address-pools": [{"base": "10.50.0.0/16", "size": 24}]}
                """);
        DaemonConfig config = daemon("--config-file", file.toString());
        assertEquals(List.of(new ListenAddress.Unix(Path.of("/tmp/j.sock"))), config.hosts());
        assertEquals("10.40.0.1/24", config.runtime().bip());
    }

    @Test
    void flagsWinOverTheFile() throws IOException {
        Path file = file("""
                hosts = ["unix:///tmp/file.sock", "tcp://127.0.0.1:2375"]
                mtu = 9000
                bridge = br-file
                icc = false
                """);
        DaemonConfig config = daemon("--config-file", file.toString(), "-H", "unix:///tmp/flag.sock", "--mtu", "1280", "--icc", "true");
        assertEquals(List.of(new ListenAddress.Unix(Path.of("/tmp/flag.sock"))), config.hosts()); // the whole list replaced
        assertEquals(1280, config.runtime().mtu());
        assertTrue(config.runtime().icc());
        assertEquals("br-file", config.runtime().bridgeName()); // not given as a flag: the file's
        assertNull(config.runtime().bip());
    }

    @Test
    void refusesUnknownKeysNamingThem() throws IOException {
        Path file = file("""
                mtu = 1500
                log-level = debug
                """);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> daemon("--config-file", file.toString()));
        assertTrue(e.getMessage().contains("unknown configuration key log-level"), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void refusesBadValuesNamingThem() throws IOException {
        Path file = file("hosts = [\"fd://\"]");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> daemon("--config-file", file.toString()));
        assertTrue(e.getMessage().contains("\"fd://\""), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> daemon("-H", "ssh://me@host"));
        assertTrue(e.getMessage().contains("ssh://me@host"), e.getMessage());
        Path badPool = file("default-address-pools = [{base = \"10.0.0.0/8\", size = 24, gateway = x}]");
        e = assertThrows(IllegalArgumentException.class, () -> daemon("--config-file", badPool.toString()));
        assertTrue(e.getMessage().contains("gateway"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> daemon("--config-file", dir.resolve("missing.conf").toString()));
        assertTrue(e.getMessage().contains("missing.conf"), e.getMessage());
        Path notHocon = file("mtu = [");
        e = assertThrows(IllegalArgumentException.class, () -> daemon("--config-file", notHocon.toString()));
        assertTrue(e.getMessage().contains(notHocon.toString()), e.getMessage());
    }

    @Test
    void helpListsEveryFlag() {
        String help = new CommandLine(new Main()).getSubcommands().get("daemon").getUsageMessage();
        for (String flag : List.of("-H", "--host", "--data-root", "--exec-root", "-b", "--bridge", "--bip", "--default-address-pool",
                "--mtu", "--icc", "--ip-masq", "--config-file", "--live-restore", "--tls", "--tlsverify", "--tlscacert", "--tlscert", "--tlskey")) {
            assertTrue(help.contains(flag), flag + " missing from\n" + help);
        }
        assertTrue(help.contains("wins over"), help);
        String topLevel = new CommandLine(new Main()).getUsageMessage();
        assertTrue(topLevel.contains("--bip") && topLevel.contains("daemon"), topLevel);
    }

    @Test
    void theDefaultCommandTakesTheSameRuntimeFlags() {
        Main main = new Main();
        new CommandLine(main).parseArgs("--mtu", "1300", "-b", "br-x");
        RuntimeConfig runtime = DaemonConfig.load(main.runtimeOptions.toConfig(), java.util.Optional.empty()).runtime();
        assertEquals(1300, runtime.mtu());
        assertEquals("br-x", runtime.bridgeName());
    }

    @Test
    void tlsFlagsAsDockerd() throws Exception {
        TestCertificates c = new TestCertificates(dir);
        String[] files = {"--tlscacert", c.caCert.toString(), "--tlscert", c.serverCert.toString(), "--tlskey", c.serverKey.toString()};

        TlsOptions verify = daemon(with(files, "--tlsverify", "-H", "tcp://0.0.0.0:2376")).tls();
        assertTrue(verify.enabled() && verify.verifiesClients());
        assertEquals(new TlsOptions(null, true, c.caCert, c.serverCert, c.serverKey), verify);

        TlsOptions tlsAlone = daemon(with(files, "--tls", "-H", "tcp://0.0.0.0:2376")).tls();
        assertTrue(tlsAlone.verifiesClients(), "--tls alone checks client certificates, as dockerd today");

        TlsOptions serverOnly = daemon(with(files, "--tls", "--tlsverify=false", "-H", "tcp://0.0.0.0:2376")).tls();
        assertTrue(serverOnly.enabled());
        assertFalse(serverOnly.verifiesClients());
        assertTrue(serverOnly.unauthenticatedByChoice());
        assertTrue(daemon(with(files, "--tlsverify=false", "-H", "tcp://127.0.0.1")).tls().enabled(), "--tlsverify=false turns TLS on");

        // With TLS and no -H, dockerd listens on tcp://localhost:2376.
        assertEquals(List.of(ListenAddress.parse("tcp://localhost:2376")), daemon(with(files, "--tlsverify")).hosts());
        assertEquals(List.of(ListenAddress.defaultAddress()), daemon().hosts());
    }

    @Test
    void tlsKeysInTheFileAndFlagsOverThem() throws Exception {
        TestCertificates c = new TestCertificates(dir);
        Path file = file("""
                {"hosts": ["tcp://0.0.0.0:2376"], "tls": true, "tlsverify": true, "tlscacert": "%s", "tlscert": "%s", "tlskey": "%s"}
                """.formatted(c.caCert, c.serverCert, c.serverKey));
        DaemonConfig config = daemon("--config-file", file.toString());
        assertEquals(new TlsOptions(true, true, c.caCert, c.serverCert, c.serverKey), config.tls());
        assertEquals(new TlsOptions(true, false, c.caCert, c.serverCert, c.serverKey),
                daemon("--config-file", file.toString(), "--tlsverify=false").tls());
    }

    @Test
    void aNonLoopbackTcpListenerWithoutClientAuthenticationIsRefusedBeforeAnythingStarts() throws Exception {
        for (String host : List.of("tcp://0.0.0.0:2375", "tcp://0.0.0.0", "tcp://[::]:2375")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> daemon("-H", host));
            assertTrue(e.getMessage().startsWith("refusing to serve " + ListenAddress.parse(host) + " without TLS client authentication"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("--tls=false or --tlsverify=false"), e.getMessage());
        }
        Path file = file("hosts = [\"tcp://0.0.0.0:2375\"]");
        IllegalArgumentException fromFile = assertThrows(IllegalArgumentException.class, () -> daemon("--config-file", file.toString()));
        assertTrue(fromFile.getMessage().contains(file.toString()), fromFile.getMessage());

        // Said explicitly: served (and warned about when the listener binds).
        assertFalse(daemon("-H", "tcp://0.0.0.0:2375", "--tls=false").tls().enabled());
        assertFalse(daemon("--config-file", Files.writeString(dir.resolve("open.json"),
                "{\"hosts\": [\"tcp://0.0.0.0:2375\"], \"tls\": false}").toString()).tls().enabled());
        // Loopback needs no opt-out, as in dockerd.
        assertEquals(2, daemon("-H", "tcp://127.0.0.1:2375", "-H", "tcp://localhost").hosts().size());
    }

    @Test
    void theDaemonCommandExitsWith2BeforeStartingAnything() {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        int exit;
        try {
            System.setErr(new java.io.PrintStream(err, true));
            exit = new CommandLine(new Main.Daemon()).execute("-H", "tcp://0.0.0.0:2375");
        } finally {
            System.setErr(saved);
        }
        assertEquals(2, exit);
        assertTrue(err.toString().startsWith("netwharf daemon: refusing to serve tcp://0.0.0.0:2375 without TLS client "
                + "authentication"), err.toString());
    }

    @Test
    void tlsFilesThatCannotBeReadAreRefusedNamingThem() throws Exception {
        TestCertificates c = new TestCertificates(dir);
        Path missing = dir.resolve("nothing.pem");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> daemon("--tlsverify", "-H", "tcp://127.0.0.1",
                "--tlscacert", c.caCert.toString(), "--tlscert", missing.toString(), "--tlskey", c.serverKey.toString()));
        assertEquals("invalid TLS configuration: could not read certificate file \"" + missing + "\": no such file", e.getMessage());
        // Only a Unix socket: TLS has nothing to secure, and the files are not read.
        assertTrue(daemon("--tlsverify", "-H", "unix:///tmp/x.sock", "--tlscert", missing.toString()).tls().enabled());
    }

    @Test
    void theCertificateFilesDefaultAsDockerds() {
        assertEquals(Path.of("/certs"), TlsOptions.defaultCertDirectory(Map.of("DOCKER_CERT_PATH", "/certs", "DOCKER_CONFIG", "/cfg"), "/home/u"));
        assertEquals(Path.of("/cfg"), TlsOptions.defaultCertDirectory(Map.of("DOCKER_CONFIG", "/cfg"), "/home/u"));
        assertEquals(Path.of("/home/u/.docker"), TlsOptions.defaultCertDirectory(Map.of(), "/home/u"));
        TlsOptions defaults = daemon().tls();
        Path home = Path.of(System.getProperty("user.home"), ".docker");
        if (System.getenv("DOCKER_CERT_PATH") == null && System.getenv("DOCKER_CONFIG") == null) {
            assertEquals(new TlsOptions(null, null, home.resolve("ca.pem"), home.resolve("cert.pem"), home.resolve("key.pem")), defaults);
        }
        assertFalse(defaults.enabled());
    }

    private static String[] with(String[] first, String... rest) {
        String[] all = java.util.Arrays.copyOf(first, first.length + rest.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);
        return all;
    }
}
