package io.netwharf.kernel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A process launched with a {@link NameView} (root, real kernel): it sees its own /etc/hostname, /etc/hosts,
 * /etc/resolv.conf and host name, from mount and UTS namespaces of its own, while the test JVM's mounts, the host
 * name and every thread's namespaces stay as they were. The JVM shares the machine's UTS namespace (surefire makes
 * only network and mount namespaces for it), so a host name set in the wrong place would show here.
 */
class ProcessNamesTest extends KernelTest {
    private static final String PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    @TempDir
    Path dir;
    private ProcessLauncher launcher;
    private final List<ContainerProcess> started = new ArrayList<>();

    @BeforeEach
    void startLauncher() {
        launcher = new ProcessLauncher();
    }

    @AfterEach
    void stopLauncher() throws Exception {
        for (ContainerProcess p : started) {
            p.signal(LibC.SIGKILL);
            exitOf(p);
        }
        launcher.close();
    }

    private static int exitOf(ContainerProcess p) throws Exception {
        return p.exitCode().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    /** Files for one container under {@code dir/name}, world-readable as the engine writes them. */
    private NameView view(String name, String hostname, String domainname) throws IOException {
        Path folder = Files.createDirectories(dir.resolve(name));
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
        Path hostnameFile = write(folder.resolve("hostname"), hostname + "\n");
        Path hosts = write(folder.resolve("hosts"), "127.0.0.1\tlocalhost\n10.9.8.7\t" + hostname + "\n");
        Path resolv = write(folder.resolve("resolv.conf"), "nameserver 127.0.0.11\nsearch " + name + ".test\noptions ndots:0\n");
        return new NameView(hostname, domainname, hostnameFile, hosts, resolv);
    }

    private static Path write(Path file, String content) throws IOException {
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        return file;
    }

    private String run(NameView names, Credentials user, String script) throws Exception {
        Path out = dir.resolve("out-" + System.nanoTime() + ".log");
        ContainerProcess p = launcher.launch(box.host, names, List.of("sh", "-c", script), List.of(PATH), Path.of("/"), user,
                out, dir.resolve("err.log"));
        started.add(p);
        assertEquals(0, exitOf(p), () -> "stderr: " + read(dir.resolve("err.log")));
        return Files.readString(out);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String hostName() throws IOException {
        return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
    }

    private static String mountTable() throws IOException {
        return Files.readString(Path.of("/proc/thread-self/mountinfo"));
    }

    /** The mount and UTS namespaces of every thread of this JVM, as the kernel shows them. */
    private static List<String> threadsOutsideHome() throws IOException {
        String mnt = Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString();
        String uts = Files.readSymbolicLink(Path.of("/proc/self/ns/uts")).toString();
        List<String> away = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    if (!Files.readSymbolicLink(task.resolve("ns/mnt")).toString().equals(mnt)
                            || !Files.readSymbolicLink(task.resolve("ns/uts")).toString().equals(uts)) {
                        away.add(task.getFileName().toString());
                    }
                } catch (java.nio.file.NoSuchFileException exited) {
                    // a thread that ended meanwhile
                }
            }
        }
        return away;
    }

    /** Runs {@code mount} in the JVM's mount namespace (a throwaway one, see the class comment). */
    private static void mountPropagation(String flag) throws Exception {
        Process p = new ProcessBuilder("mount", flag, "/").inheritIO().start();
        assertEquals(0, p.waitFor());
    }

    @Test
    void theProcessSeesItsOwnFilesAndHostNameAndTheHostKeepsItsOwn() throws Exception {
        // As systemd leaves a host: every mount shared, so a bind made in a copied namespace would come back here
        // unless the copy is made private first.
        mountPropagation("--make-rshared");
        try {
            seesItsOwnFilesAndHostName();
        } finally {
            mountPropagation("--make-rprivate");
        }
    }

    private void seesItsOwnFilesAndHostName() throws Exception {
        String hostName = hostName();
        String mounts = mountTable();
        String hostsBefore = Files.readString(Path.of("/etc/hosts"));
        NameView names = view("c1", "web-1", "corp.example");

        String seen = run(names, Credentials.ROOT, "hostname; domainname; echo --; cat /etc/hostname; echo --; cat /etc/hosts; "
                + "echo --; cat /etc/resolv.conf; echo --; readlink /proc/self/ns/mnt /proc/self/ns/uts");
        String[] parts = seen.split("--\n");
        assertEquals("web-1\ncorp.example\n", parts[0]);
        assertEquals(Files.readString(names.hostnameFile()), parts[1]);
        assertEquals(Files.readString(names.hostsFile()), parts[2]);
        assertEquals(Files.readString(names.resolvConfFile()), parts[3]);
        List<String> namespaces = parts[4].lines().toList();
        assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString(), namespaces.get(0));
        assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/uts")).toString(), namespaces.get(1));

        assertEquals(hostName, hostName(), "the host name is the host's");
        assertEquals(mounts, mountTable(), "the JVM's mount table did not change");
        assertEquals(hostsBefore, Files.readString(Path.of("/etc/hosts")));
        assertEquals(List.of(), threadsOutsideHome(), "every thread is back in the JVM's mount and UTS namespaces");
    }

    @Test
    void withoutANameViewTheProcessSeesTheHostsFilesAndName() throws Exception {
        String seen = run(null, Credentials.ROOT, "hostname; readlink /proc/self/ns/mnt /proc/self/ns/uts");
        List<String> lines = seen.lines().toList();
        assertEquals(hostName(), lines.get(0));
        assertEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString(), lines.get(1));
        assertEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/uts")).toString(), lines.get(2));
    }

    @Test
    void aProcessRunAsAnotherUserSeesItsFilesToo() throws Exception {
        NameView names = view("c2", "as-nobody", null);
        String seen = run(names, new Credentials(65534, 65534, List.of()), "id -u; hostname; cat /etc/hosts /etc/resolv.conf");
        assertEquals("65534\nas-nobody\n" + Files.readString(names.hostsFile()) + Files.readString(names.resolvConfFile()), seen);
    }

    @Test
    void manyProcessesAtOnceEachSeeTheirOwnName() throws Exception {
        String hostName = hostName();
        String mounts = mountTable();
        ExecutorService callers = Executors.newFixedThreadPool(6);
        try {
            List<Future<String>> seen = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                NameView names = view("m" + i, "many-" + i, null);
                seen.add(callers.submit(() -> run(names, Credentials.ROOT, "hostname; cat /etc/hostname")));
            }
            for (int i = 0; i < seen.size(); i++) {
                assertEquals("many-" + i + "\nmany-" + i + "\n", seen.get(i).get(30, TimeUnit.SECONDS));
            }
        } finally {
            callers.shutdownNow();
        }
        assertEquals(hostName, hostName());
        assertEquals(mounts, mountTable());
        assertEquals(List.of(), threadsOutsideHome());
    }

    @Test
    void aFileThatCannotBeBoundStartsNothingAndChangesNothing() throws Exception {
        String mounts = mountTable();
        NameView names = view("c3", "broken", null);
        Files.delete(names.hostsFile());
        long children = ProcessHandle.current().children().count();
        KernelException e = assertThrows(KernelException.class, () -> launcher.launch(box.host, names, List.of("true"), List.of(PATH),
                Path.of("/"), Credentials.ROOT, null, null));
        assertTrue(e.getMessage().contains("bind " + names.hostsFile() + " over /etc/hosts"), e.getMessage());
        assertEquals(children, ProcessHandle.current().children().count());
        assertEquals(mounts, mountTable());
        assertEquals(List.of(), threadsOutsideHome());
        // The spawner is home again and serves the next launch.
        assertEquals("again\n", run(view("c4", "again", null), Credentials.ROOT, "hostname"));
    }
}
