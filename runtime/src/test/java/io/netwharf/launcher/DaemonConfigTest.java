package io.netwharf.launcher;

import io.netwharf.gateway.ListenAddress;
import io.netwharf.ipam.AddressPoolsSpec;
import io.netwharf.runtime.RuntimeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
        assertEquals(RuntimeConfig.defaults(), config.runtime());
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
                "--mtu", "--icc", "--ip-masq", "--config-file")) {
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
}
