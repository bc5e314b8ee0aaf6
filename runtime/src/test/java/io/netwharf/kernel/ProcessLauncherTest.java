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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Processes started inside namespaces (root, real kernel): they run in the namespace asked for, with their logs,
 * environment and working directory; they are reaped with Docker's exit codes; signals reach their whole group; and
 * no Java thread is ever born inside a container's namespace.
 */
class ProcessLauncherTest extends KernelTest {
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

    private ContainerProcess launch(Netns ns, String... argv) {
        return launch(ns, List.of(PATH), argv);
    }

    private ContainerProcess launch(Netns ns, List<String> env, String... argv) {
        ContainerProcess p = launcher.launch(ns, List.of(argv), env, dir, dir.resolve("out.log"), dir.resolve("err.log"));
        started.add(p);
        return p;
    }

    private static int exitOf(ContainerProcess p) throws Exception {
        return p.exitCode().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    private String out() throws IOException {
        return Files.readString(dir.resolve("out.log"));
    }

    private static String namespaceOf(Path nsFile) throws IOException {
        return "net:[" + Files.getAttribute(nsFile, "unix:ino") + "]";
    }

    private static String link(String path) throws IOException {
        return Files.readSymbolicLink(Path.of(path)).toString();
    }

    /** The states (R, S, Z...) of the processes in process group {@code pgid}, from /proc/PID/stat. */
    private static List<String> groupStates(int pgid) throws IOException {
        List<String> states = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                String stat;
                try {
                    stat = Files.readString(p.resolve("stat"));
                } catch (IOException gone) {
                    continue;
                }
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                if (Integer.parseInt(fields[2]) == pgid) {
                    states.add(fields[0]);
                }
            }
        }
        return states;
    }

    private static long liveMembers(int pgid) throws IOException {
        return groupStates(pgid).stream().filter(s -> !s.equals("Z") && !s.equals("X")).count();
    }

    private static void await(String what, ThrowingCondition condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    private interface ThrowingCondition {
        boolean holds() throws Exception;
    }

    @Test
    void aProcessRunsInTheNamespaceItWasLaunchedIn() throws Exception {
        Netns container = box.netns.create("c1");
        assertEquals(0, exitOf(launch(container, "readlink", "/proc/self/ns/net")));
        String inside = out().strip();
        assertEquals(namespaceOf(container.path()), inside);
        assertNotEquals(link("/proc/self/ns/net"), inside);
        assertNotEquals(link("/proc/thread-self/ns/net"), inside);
        container.close();
    }

    @Test
    void withoutANamespaceAProcessRunsInTheLaunchersOwn() throws Exception {
        assertEquals(0, exitOf(launch(null, "readlink", "/proc/self/ns/net")));
        assertEquals(link("/proc/thread-self/ns/net"), out().strip());
    }

    @Test
    void logsEnvironmentAndWorkingDirectoryAreApplied() throws Exception {
        Path work = Files.createDirectory(dir.resolve("work"));
        List<String> env = List.of(PATH, "GREETING=hello");
        ContainerProcess p = launcher.launch(box.host, List.of("sh", "-c", "echo \"$GREETING from $(pwd)\"; echo oops >&2; env | sort"),
                env, work, dir.resolve("out.log"), dir.resolve("err.log"));
        started.add(p);
        assertEquals(0, exitOf(p));
        assertEquals("hello from " + work + "\n" + "GREETING=hello\n" + PATH + "\n" + "PWD=" + work + "\n", out());
        assertEquals("oops\n", Files.readString(dir.resolve("err.log")));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("out.log"))));

        // Appended, not truncated; stdin is /dev/null, so cat ends at once.
        assertEquals(0, exitOf(launch(box.host, "sh", "-c", "echo second; cat")));
        assertTrue(out().endsWith("PWD=" + work + "\nsecond\n"), out());
    }

    @Test
    void theChildGetsNoDescriptorOfTheJvmBeyondItsThree() throws Exception {
        assertEquals(0, exitOf(launch(box.host, "ls", "/proc/self/fd")));
        // 0, 1, 2 and the descriptor ls itself opened on the directory
        assertEquals(List.of("0", "1", "2", "3"), out().lines().toList());
    }

    @Test
    void exitCodesAreDockers() throws Exception {
        Netns container = box.netns.create("c1");
        assertEquals(3, exitOf(launch(container, "sh", "-c", "exit 3")));

        ContainerProcess terminated = launch(container, "sleep", "100");
        assertTrue(terminated.running());
        terminated.signal(LibC.SIGTERM);
        assertEquals(143, exitOf(terminated));
        assertFalse(terminated.running());
        terminated.signal(LibC.SIGKILL); // after exit: nothing happens

        ContainerProcess killed = launch(container, "sleep", "100");
        killed.signal(LibC.SIGKILL);
        assertEquals(137, exitOf(killed));
        container.close();
    }

    @Test
    void aSignalReachesTheWholeProcessGroup() throws Exception {
        Netns container = box.netns.create("c1");
        ContainerProcess p = launch(container, "sh", "-c", "sleep 100 & sleep 100");
        assertEquals(p.pid(), Integer.parseInt(Files.readString(Path.of("/proc/" + p.pid() + "/stat")).split("\\) ")[1].split(" ")[2]),
                "the process leads its own group");
        await("the sleeps to start", () -> liveMembers(p.pid()) >= 2);
        p.signal(LibC.SIGTERM);
        assertEquals(143, exitOf(p));
        await("every process of the group to end", () -> liveMembers(p.pid()) == 0);
        container.close();
    }

    @Test
    void aMissingExecutableIsRefusedInDockersWordsAndStartsNothing() throws Exception {
        Netns container = box.netns.create("c1");
        long children = ProcessHandle.current().children().count();
        ExecutableNotFoundException e = assertThrows(ExecutableNotFoundException.class, () -> launch(container, "nosuch"));
        assertEquals("exec: \"nosuch\": executable file not found in $PATH", e.getMessage());
        assertEquals("nosuch", e.executable());

        // The lookup uses the container's PATH, not the JVM's.
        e = assertThrows(ExecutableNotFoundException.class, () -> launch(container, List.of("PATH=/nonexistent"), "sh"));
        assertEquals("exec: \"sh\": executable file not found in $PATH", e.getMessage());

        e = assertThrows(ExecutableNotFoundException.class, () -> launch(container, "/no/such"));
        assertEquals("exec: \"/no/such\": stat /no/such: no such file or directory", e.getMessage());

        assertEquals(children, ProcessHandle.current().children().count());
        assertTrue(started.isEmpty());
        container.close();
    }

    @Test
    void aProgramOrWorkingDirectoryThatCannotBeUsedIsRefusedBeforeAnythingStarts() throws Exception {
        long children = ProcessHandle.current().children().count();
        Path notExecutable = Files.writeString(dir.resolve("script"), "#!/bin/sh\n");
        ProcessRefusedException e = assertThrows(ProcessRefusedException.class, () -> launch(box.host, notExecutable.toString()));
        assertEquals("exec: \"" + notExecutable + "\": permission denied", e.getMessage());
        assertEquals(126, e.exitCode());
        e = assertThrows(ProcessRefusedException.class, () -> launch(box.host, "/tmp"));
        assertEquals("exec: \"/tmp\": is a directory: permission denied", e.getMessage());
        assertEquals(126, e.exitCode());

        e = assertThrows(ProcessRefusedException.class, () -> launcher.launch(box.host, List.of("true"), List.of(PATH),
                dir.resolve("missing"), null, null));
        assertEquals("chdir to cwd (\"" + dir.resolve("missing") + "\") set in config.json failed: no such file or directory", e.getMessage());
        assertEquals(127, e.exitCode());
        e = assertThrows(ProcessRefusedException.class, () -> launcher.launch(box.host, List.of("true"), List.of(PATH),
                notExecutable, null, null));
        assertEquals("chdir to cwd (\"" + notExecutable + "\") set in config.json failed: not a directory", e.getMessage());

        // What root may run, another user may not: a program only its owner (root) may execute, a directory it cannot enter.
        Path rootsOnly = Files.writeString(dir.resolve("rootsonly"), "#!/bin/sh\necho ran\n");
        Files.setPosixFilePermissions(rootsOnly, PosixFilePermissions.fromString("rwx------"));
        Credentials nobody = new Credentials(65534, 65534, List.of());
        e = assertThrows(ProcessRefusedException.class, () -> launcher.launch(box.host, List.of(rootsOnly.toString()), List.of(PATH),
                Path.of("/"), nobody, null, null));
        assertEquals("exec: \"" + rootsOnly + "\": permission denied", e.getMessage());
        Path closed = Files.createDirectory(dir.resolve("closed"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        e = assertThrows(ProcessRefusedException.class, () -> launcher.launch(box.host, List.of("/bin/true"), List.of(PATH),
                closed, nobody, null, null));
        assertTrue(e.getMessage().endsWith("failed: permission denied"), e.getMessage());
        assertEquals(children, ProcessHandle.current().children().count());
        assertTrue(started.isEmpty());
    }

    @Test
    void aProcessRunsWithTheUserGroupAndSupplementaryGroupsAsked() throws Exception {
        Path out = dir.resolve("id.log");
        Files.createFile(out);
        // The log is opened by the launcher (as root), so the user needs no right to it.
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-------"));
        ContainerProcess p = launcher.launch(box.host, List.of("sh", "-c", "id -u; id -g; id -G; grep -E '^Cap(Eff|Prm):' /proc/self/status"),
                List.of(PATH), Path.of("/"), new Credentials(65534, 65533, List.of(65533, 44, 1000)), out, null);
        started.add(p);
        assertEquals(0, exitOf(p));
        List<String> lines = Files.readAllLines(out);
        assertEquals("65534", lines.get(0));
        assertEquals("65533", lines.get(1));
        assertEquals(List.of("65533", "44", "1000"), List.of(lines.get(2).split(" ")));
        // No capability of root's is left to the user.
        assertEquals(List.of("CapPrm:\t0000000000000000", "CapEff:\t0000000000000000"), lines.subList(3, 5));

        // No supplementary group at all: id -G shows the primary group alone.
        Files.delete(out);
        ContainerProcess bare = launcher.launch(box.host, List.of("id", "-G"), List.of(PATH), Path.of("/"),
                new Credentials(1234, 1234, List.of()), out, null);
        started.add(bare);
        assertEquals(0, exitOf(bare));
        assertEquals("1234", Files.readString(out).strip());
    }

    @Test
    void noJavaThreadIsBornInsideAContainersNamespace() throws Exception {
        Netns container = box.netns.create("c1");
        String inside = namespaceOf(container.path());
        exitOf(launch(container, "true"));
        int before = Thread.getAllStackTraces().size();
        List<ContainerProcess> sleepers = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            sleepers.add(launch(container, "sleep", "100"));
        }
        // A thread per process would show as +50; allow the JVM a few of its own coming and going.
        int during = Thread.getAllStackTraces().size();
        assertTrue(during < before + 5, before + " threads before, " + during + " with 50 processes");
        // From outside, as the kernel sees them: no thread of this JVM is in the container's namespace.
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    assertNotEquals(inside, Files.readSymbolicLink(task.resolve("ns/net")).toString(), "thread " + task.getFileName());
                } catch (java.nio.file.NoSuchFileException exited) {
                    // a short-lived JVM thread that ended meanwhile
                }
            }
        }
        for (ContainerProcess p : sleepers) {
            p.signal(LibC.SIGKILL);
        }
        for (ContainerProcess p : sleepers) {
            assertEquals(137, exitOf(p));
        }
        container.close();
    }

    @Test
    void twoHundredShortProcessesAreAllReapedWithTheirCodes() throws Exception {
        Netns container = box.netns.create("c1");
        ExecutorService callers = Executors.newFixedThreadPool(4);
        List<Future<CompletableFuture<Integer>>> launched = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int code = i % 128;
            launched.add(callers.submit(() -> launcher.launch(container, List.of("sh", "-c", "exit " + code), List.of(PATH),
                    dir, null, null).exitCode().toCompletableFuture()));
        }
        for (int i = 0; i < 200; i++) {
            assertEquals(i % 128, launched.get(i).get(30, TimeUnit.SECONDS).get(30, TimeUnit.SECONDS), "process " + i);
        }
        callers.shutdown();
        await("no child left unreaped", () -> ProcessHandle.current().children().count() == 0);
        container.close();
    }

    // ---- adopting processes this JVM did not start (after a restart, a previous run's) ----

    /** A process started outside this JVM's children, by pid, with its start time and whether it leads its group. */
    private record Stranger(int pid, long startTime, boolean leadsGroup) {}

    private final List<Stranger> strangers = new ArrayList<>();

    /**
     * Starts {@code command} (a shell command, its output to /dev/null) as the grandchild of this JVM, in a session of
     * its own: its parent shell exits at once, so it is reparented, as a previous run's processes are after a restart.
     * With {@code leadsGroup} it leads its own process group, as launched processes do; without, it is in its parent's.
     */
    private Stranger stranger(String command, boolean leadsGroup) throws Exception {
        String background = (leadsGroup ? "setsid " : "") + "sh -c '" + command + "' </dev/null >/dev/null 2>&1 & echo $!";
        Process parent = new ProcessBuilder("setsid", "sh", "-c", background).redirectErrorStream(true).start();
        int pid = Integer.parseInt(new String(parent.getInputStream().readAllBytes()).strip());
        assertTrue(parent.waitFor(10, TimeUnit.SECONDS));
        await("the parent shell to be reaped", () -> ProcessHandle.of(pid).flatMap(ProcessHandle::parent)
                .map(p -> p.pid() != parent.pid()).orElse(true));
        Stranger s = new Stranger(pid, ProcessStartTime.of(pid).orElseThrow(), leadsGroup);
        strangers.add(s);
        assertNotEquals(ProcessHandle.current().pid(), ProcessHandle.of(pid).flatMap(ProcessHandle::parent).map(ProcessHandle::pid).orElse(-1L),
                "no child of this JVM");
        return s;
    }

    /**
     * Kills what {@link #stranger} started: the process while it is still that one, and its group while any member
     * is left (a group's number is not given to another process while the group has members).
     */
    @AfterEach
    void killStrangers() throws IOException {
        for (Stranger s : strangers) {
            if (ProcessStartTime.matches(s.pid(), s.startTime())) {
                Native.LIBC.kill(s.pid(), LibC.SIGKILL);
            }
            if (s.leadsGroup() && liveMembers(s.pid()) > 0) {
                Native.LIBC.kill(-s.pid(), LibC.SIGKILL);
            }
        }
    }

    /** The pidfds this JVM holds open. */
    private static long openPidfds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().contains("pidfd");
                } catch (IOException gone) {
                    return false;
                }
            }).count();
        }
    }

    @Test
    void aProcessIsAdoptedOnlyWithItsStartTimeAndItsEndIsSeenWithAnUnknownCode() throws Exception {
        Stranger s = stranger("exec sleep 600", true);
        long pidfds = openPidfds();

        assertTrue(launcher.adopt(s.pid(), s.startTime() + 1).isEmpty(), "another start time: another process");
        assertEquals(pidfds, openPidfds(), "the pidfd opened to check is closed again");

        ContainerProcess p = launcher.adopt(s.pid(), s.startTime()).orElseThrow();
        started.add(p);
        assertEquals(s.pid(), p.pid());
        assertTrue(p.adopted());
        assertTrue(p.running());
        Thread.sleep(200);
        assertTrue(p.running(), "a process that runs on is not taken for ended");

        p.signal(LibC.SIGTERM);
        assertEquals(ContainerProcess.UNKNOWN_EXIT, exitOf(p));
        assertFalse(p.running());
        p.signal(LibC.SIGKILL); // after its end was seen: nothing, and no error
        await("the pidfd to be closed", () -> openPidfds() == pidfds);
        await("init to reap it", () -> ProcessStartTime.of(s.pid()).isEmpty());
        assertTrue(launcher.adopt(s.pid(), s.startTime()).isEmpty(), "gone");
    }

    @Test
    void aSignalReachesTheAdoptedProcessesWholeGroup() throws Exception {
        Stranger s = stranger("sleep 600 & sleep 600", true);
        await("the sleeps to start", () -> liveMembers(s.pid()) >= 2);
        ContainerProcess p = launcher.adopt(s.pid(), s.startTime()).orElseThrow();
        started.add(p);

        p.signal(LibC.SIGTERM);
        assertEquals(ContainerProcess.UNKNOWN_EXIT, exitOf(p));
        await("every process of the group to end", () -> liveMembers(s.pid()) == 0);
    }

    @Test
    void anAdoptedProcessThatLeadsNoGroupIsSignalledAlone() throws Exception {
        Stranger s = stranger("exec sleep 600", false);
        ContainerProcess p = launcher.adopt(s.pid(), s.startTime()).orElseThrow();
        started.add(p);
        p.signal(LibC.SIGTERM);
        assertEquals(ContainerProcess.UNKNOWN_EXIT, exitOf(p));
    }

    @Test
    void aPidWithNoProcessIsNotAdopted() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertTrue(gone.waitFor(10, TimeUnit.SECONDS));
        await("it to be reaped", () -> ProcessHandle.of(gone.pid()).isEmpty());
        assertTrue(launcher.adopt((int) gone.pid(), 0).isEmpty());
    }
}
