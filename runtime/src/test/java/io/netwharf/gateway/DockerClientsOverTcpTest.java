package io.netwharf.gateway;

import io.netwharf.runtime.RuntimeFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.netwharf.runtime.RuntimeFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real clients over TCP, after the browser guards: the docker CLI with mutual TLS (its own TLS stack checking
 * netwharf's certificate, netwharf checking the CLI's), and the CLI and docker-py over plain TCP by a name that
 * resolves to the listener ({@code localhost}), where the Host check applies.
 */
class DockerClientsOverTcpTest extends ApiTest {
    @TempDir
    Path dir;

    @Test
    void theDockerCliOverMutualTls() throws Exception {
        TestCertificates certificates = new TestCertificates(dir);
        Gateway tls = await(Gateway.bind(RuntimeFixture.SYSTEM, List.of(ListenAddress.parse("tcp://127.0.0.1:0")),
                DockerApi.route(gateway.netwharf, gateway.engine), certificates.server(true)));
        try {
            String address = tls.boundAddresses().get(0);
            String port = address.substring(address.lastIndexOf(':') + 1);
            String[] withCertificate = {"--tlsverify", "--tlscacert", certificates.caCert.toString(), "--tlscert",
                    certificates.clientCert.toString(), "--tlskey", certificates.clientKey.toString()};
            assertEquals("netwharf", gateway.ok(concat(withCertificate, "-H", "tcp://127.0.0.1:" + port, "version",
                    "--format", "{{.Server.Platform.Name}}")));
            gateway.ok(concat(withCertificate, "-H", "tcp://localhost:" + port, "network", "create", "overtls"));
            assertTrue(gateway.ok(concat(withCertificate, "-H", "tcp://localhost:" + port, "network", "ls", "--format", "{{.Name}}"))
                    .contains("overtls"));
            gateway.ok(concat(withCertificate, "-H", "tcp://localhost:" + port, "create", "--name", "c1", "--network", "overtls", "debian"));
            gateway.ok(concat(withCertificate, "-H", "tcp://localhost:" + port, "start", "c1"));

            GatewayFixture.Cli without = gateway.docker("--tlsverify", "--tlscacert", certificates.caCert.toString(),
                    "-H", "tcp://127.0.0.1:" + port, "version");
            assertNotEquals(0, without.exit(), without.toString());
            assertTrue(without.err().contains("tls") || without.err().contains("certificate"), without.toString());
        } finally {
            await(tls.unbind());
        }
    }

    @Test
    void theDockerCliAndDockerPyOverPlainTcpByName() throws Exception {
        String host = "tcp://localhost:" + gateway.port;
        gateway.ok("-H", host, "network", "create", "byname");
        gateway.ok("-H", host, "create", "--name", "c2", "--network", "byname", "debian");
        gateway.ok("-H", host, "start", "c2");
        assertTrue(gateway.ok("-H", host, "ps", "--format", "{{.Names}}").contains("c2"));
        // Attach and exec over TCP: the output comes after the CLI has half-closed its side (no -i).
        assertEquals("late", gateway.ok("-H", host, "run", "--rm", "debian", "sh", "-c", "sleep 1; echo late"));
        assertEquals("typed after\n", gateway.dockerWithInput("typed\n", "-H", host, "run", "-i", "--rm", "debian", "sh", "-c",
                "read x; sleep 1; echo $x after").out());
        gateway.ok("-H", host, "run", "-d", "--name", "c3", "debian", "sleep", "600");
        assertEquals("c3 exec", gateway.ok("-H", host, "exec", "c3", "sh", "-c", "sleep 1; echo c3 exec"));

        // docker-py sends Host: localhost:<port> and its own Content-Type on every body.
        Process python = new ProcessBuilder("python3", "-c", """
                import docker, sys
                c = docker.DockerClient(base_url=sys.argv[1])
                c.networks.create('frompy')
                print(c.version()['Platform']['Name'], sorted(n.name for n in c.networks.list())) 
                """, host).redirectErrorStream(true).start();
        assertTrue(python.waitFor(60, TimeUnit.SECONDS));
        String out = new String(python.getInputStream().readAllBytes());
        assertEquals(0, python.exitValue(), out);
        assertTrue(out.startsWith("netwharf ") && out.contains("'frompy'") && out.contains("'byname'"), out);
    }

    private static String[] concat(String[] first, String... rest) {
        String[] all = new String[first.length + rest.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);
        return all;
    }
}
