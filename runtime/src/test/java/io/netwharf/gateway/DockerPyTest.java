package io.netwharf.gateway;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docker-py (Debian's python3-docker) against the gateway's Unix socket, as a Python user writes it: a container run
 * in the foreground returns its output, {@code container.image}, {@code exec_run}, {@code rename},
 * {@code stats(stream=False)} and {@code events} with {@code since}/{@code until}. The script prints one
 * {@code name=value} line per check; each is compared here. Needs root, the kernel and python3-docker
 * (scripts/test installs it); runs in CI.
 */
class DockerPyTest extends ApiTest {
    private static final String SCRIPT = """
            import sys, time, datetime
            import docker
            c = docker.DockerClient(base_url=sys.argv[1])
            since = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=1)
            c.images.pull('debian', tag='latest')
            print('run=' + repr(c.containers.run('debian', ['sh', '-c', 'echo out; echo err >&2'], remove=True)))
            box = c.containers.run('debian', ['sleep', '600'], detach=True, name='pybox')
            print('image=' + str(box.image.tags))
            code, output = box.exec_run(['sh', '-c', 'echo from exec; exit 3'])
            print('exec=%d %r' % (code, output))
            box.rename('pyrenamed')
            box.reload()
            print('renamed=' + box.name)
            stats = box.stats(stream=False)
            print('stats=' + str(sorted(k for k in ('cpu_stats', 'memory_stats', 'networks') if k in stats)))
            box.remove(force=True)
            until = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=1)
            actions = [(e.get('Type'), e.get('Action')) for e in c.events(since=since, until=until, decode=True)]
            print('events=' + str(sorted(set(a for a in actions if a[0] == 'container' and a[1] in ('create', 'start', 'die', 'destroy', 'rename')))))
            """;

    @Test
    void dockerPyRunsExecsRenamesReadsStatsAndEvents() throws Exception {
        Process python = new ProcessBuilder("python3", "-c", SCRIPT, "unix://" + gateway.socket).redirectErrorStream(true).start();
        assertTrue(python.waitFor(120, TimeUnit.SECONDS), "docker-py did not finish in 120 s");
        String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, python.exitValue(), out);
        assertTrue(out.contains("run=b'out\\n'"), () -> "containers.run in the foreground returns stdout: " + out);
        assertTrue(out.contains("image=['debian:latest']"), out);
        assertTrue(out.contains("exec=3 b'from exec\\n'"), out);
        assertTrue(out.contains("renamed=pyrenamed"), out);
        assertTrue(out.contains("stats=['cpu_stats', 'memory_stats', 'networks']"), out);
        assertTrue(out.contains("events=[('container', 'create'), ('container', 'destroy'), ('container', 'die'), "
                + "('container', 'rename'), ('container', 'start')]"), out);
    }
}
