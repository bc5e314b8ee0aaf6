package io.netwharf.gateway;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Foreground use through the docker CLI: {@code docker run} without {@code -d} (attach over a hijacked connection,
 * then start and wait), {@code -i} with stdin, {@code --rm}; and the json-file log behind it: {@code logs -f},
 * {@code -t}, {@code --since}/{@code --until}, stdout and stderr in the order written. Needs root, the kernel and the
 * docker CLI; runs in CI.
 */
class AttachAndLogsApiTest extends ApiTest {
    @Test
    void runInTheForegroundPrintsTheOutputAndEndsWithTheExitCode() {
        GatewayFixture.Cli hi = gateway.docker("run", "--rm", "debian", "echo", "hi");
        assertEquals(0, hi.exit(), hi.toString());
        assertEquals("hi\n", hi.out());
        assertEquals("", gateway.ok("ps", "-aq"), "--rm removed it");

        GatewayFixture.Cli both = gateway.docker("run", "--name", "both", "debian", "sh", "-c", "echo out; echo err >&2; exit 3");
        assertEquals(3, both.exit(), both.toString());
        assertEquals("out\n", both.out());
        assertTrue(both.err().contains("err\n"), both.err());
        assertEquals("exited", gateway.ok("inspect", "-f", "{{.State.Status}}", "both"));
    }

    @Test
    void dockerAttachFollowsARunningContainerToItsExit() {
        gateway.ok("run", "-d", "--name", "later", "debian", "sh", "-c", "sleep 1; echo attached; exit 4");
        GatewayFixture.Cli attached = gateway.docker("attach", "later");
        assertEquals("attached\n", attached.out(), attached.toString());
        assertEquals(4, attached.exit(), "the container's exit code, as Docker's attach");
    }

    @Test
    void stdinReachesTheProcessAndItsEndEndsIt() {
        GatewayFixture.Cli cat = gateway.dockerWithInput("one\ntwo\n", "run", "-i", "--rm", "debian", "cat");
        assertEquals(0, cat.exit(), cat.toString());
        assertEquals("one\ntwo\n", cat.out());
        GatewayFixture.Cli counted = gateway.dockerWithInput("a\nb\nc\n", "run", "-i", "--name", "wc", "debian", "wc", "-l");
        assertEquals("3", counted.text(), counted.toString());
        assertEquals("3\n", gateway.ok("logs", "wc") + "\n");
    }

    @Test
    void logsFollowARunningProcessUntilItExits() {
        gateway.ok("run", "-d", "--name", "slow", "debian", "sh", "-c", "echo one; sleep 1; echo two");
        GatewayFixture.Cli followed = gateway.docker("logs", "-f", "slow");
        assertEquals(0, followed.exit(), followed.toString());
        assertEquals("one\ntwo\n", followed.out());
        assertEquals("0", gateway.ok("wait", "slow"));
    }

    @Test
    void logsKeepTheOrderWrittenAndTheTimeOfEachLine() throws Exception {
        Instant before = Instant.now();
        gateway.ok("run", "-d", "--name", "mixed", "debian", "sh", "-c",
                "echo 1; sleep 0.2; echo 2 >&2; sleep 0.2; echo 3; sleep 1.2; echo 4 >&2");
        assertEquals("0", gateway.ok("wait", "mixed"));
        GatewayFixture.Answer logs = gateway.get("/v1.51/containers/mixed/logs?stdout=1&stderr=1&timestamps=1");
        List<String> frames = frames(logs.body().getBytes(StandardCharsets.UTF_8));
        assertEquals(4, frames.size(), frames.toString());
        List<String> streams = new ArrayList<>();
        List<Instant> times = new ArrayList<>();
        for (String frame : frames) {
            String[] parts = frame.split(" ", 2);
            times.add(Instant.parse(parts[0].substring(2)));
            streams.add(frame.charAt(0) + ":" + parts[1].strip());
        }
        assertEquals(List.of("1:1", "2:2", "1:3", "2:4"), streams, "one log, in the order written");
        assertTrue(!times.get(0).isBefore(before.minusSeconds(1)) && times.get(3).isAfter(times.get(2).plusSeconds(1)), times.toString());

        String since = java.math.BigDecimal.valueOf(times.get(3).minusMillis(500).toEpochMilli(), 3).toPlainString();
        assertEquals("", gateway.ok("logs", "--since", since, "mixed"), "only line 4 is that recent, and it went to stderr");
        GatewayFixture.Cli recent = gateway.docker("logs", "--since", since, "mixed");
        assertEquals("4\n", recent.err());
        String until = times.get(2).plusMillis(1).toString();
        GatewayFixture.Cli early = gateway.docker("logs", "--until", until, "mixed");
        assertEquals("1\n3\n", early.out());
        assertEquals("2\n", early.err());
        String stamped = gateway.ok("logs", "-t", "mixed");
        assertTrue(stamped.matches("(?s)\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z 1\n.*Z 3"), stamped);
        assertEquals(List.of("1", "2", "3", "4"), lines(gateway.ok("inspect", "-f", "{{.LogPath}}", "mixed")));
    }

    @Test
    void execRunsBesideTheContainersProcessAndSeesItsNetworkAndNames() {
        gateway.ok("network", "create", "--subnet", "10.231.0.0/24", "app");
        gateway.ok("run", "-d", "--name", "web", "--network", "app", "debian", "sleep", "600");
        gateway.ok("run", "-d", "--name", "box", "--network", "app", "--hostname", "boxhost", "debian", "sleep", "600");
        assertEquals("hi", gateway.ok("exec", "box", "echo", "hi"));
        assertEquals("boxhost", gateway.ok("exec", "box", "cat", "/etc/hostname"), "its mount namespace: its own name files");
        assertEquals("boxhost", gateway.ok("exec", "box", "hostname"), "its UTS namespace");
        String web = gateway.ok("inspect", "-f", "{{.NetworkSettings.Networks.app.IPAddress}}", "web");
        assertTrue(gateway.ok("exec", "box", "getent", "hosts", "web").startsWith(web + " "), "its network and the embedded DNS");
        assertEquals(7, gateway.docker("exec", "box", "sh", "-c", "echo out; echo err >&2; exit 7").exit());
        GatewayFixture.Cli streams = gateway.docker("exec", "box", "sh", "-c", "echo out; echo err >&2");
        assertEquals("out\n", streams.out());
        assertEquals("err\n", streams.err());
        assertEquals("1 /tmp", gateway.ok("exec", "-e", "X=1", "-w", "/tmp", "box", "sh", "-c", "echo $X $(pwd)"));
        GatewayFixture.Cli cat = gateway.dockerWithInput("typed\n", "exec", "-i", "box", "cat");
        assertEquals("typed\n", cat.out(), cat.toString());
        assertEquals(0, gateway.docker("exec", "-d", "box", "sh", "-c", "echo detached > /tmp/netwharf-exec-test").exit());

        GatewayFixture.Cli tty = gateway.docker("exec", "-t", "box", "true");
        assertTrue(tty.exit() != 0 && tty.err().contains("Tty"), tty.toString());
        assertTrue(gateway.docker("exec", "nosuch", "true").err().contains("No such container: nosuch"));
        gateway.ok("stop", "-t", "1", "web");
        GatewayFixture.Cli stopped = gateway.docker("exec", "web", "true");
        assertTrue(stopped.exit() != 0 && stopped.err().contains("is not running"), stopped.toString());
        GatewayFixture.Cli missing = gateway.docker("exec", "box", "no-such-program");
        assertTrue(missing.exit() == 127 && missing.err().contains("no-such-program"), missing.toString());
    }

    /** The texts of the entries of a json-file log, as Docker's json-file keeps them. */
    private static List<String> lines(String logPath) throws Exception {
        List<String> texts = new ArrayList<>();
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(logPath))) {
            var entry = GatewayFixture.JSON.readTree(line);
            assertTrue(entry.has("time") && entry.has("stream"), line);
            texts.add(entry.get("log").asText().strip());
        }
        return texts;
    }

    /** Each frame as "S:" + payload, S its stream byte. */
    private static List<String> frames(byte[] body) {
        List<String> frames = new ArrayList<>();
        for (int i = 0; i + 8 <= body.length; ) {
            int length = ((body[i + 4] & 0xff) << 24) | ((body[i + 5] & 0xff) << 16) | ((body[i + 6] & 0xff) << 8) | (body[i + 7] & 0xff);
            frames.add(body[i] + ":" + new String(body, i + 8, length, StandardCharsets.UTF_8));
            i += 8 + length;
        }
        return frames;
    }
}
