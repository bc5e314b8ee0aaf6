package io.netwharf.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The host's processes as /proc shows them, read as files (no {@code ps} is run): what {@code docker top} and
 * {@code docker stats} report of a container, whose processes are its process, the members of the process group it
 * leads (its {@code docker exec} processes join it), and their descendants. A process that exits while it is read
 * is left out.
 */
public final class ProcessTable {
    /** Clock ticks per second and bytes per page, which /proc's counters are in. */
    public static final long TICKS = Native.LIBC.sysconf(LibC.SC_CLK_TCK);
    public static final long PAGE_SIZE = Native.LIBC.sysconf(LibC.SC_PAGESIZE);

    private final Path proc;

    public ProcessTable(Path proc) {
        this.proc = proc;
    }

    public static ProcessTable host() {
        return new ProcessTable(Path.of("/proc"));
    }

    /**
     * One process.
     *
     * @param uid         its effective user id
     * @param utime       user time, in clock ticks
     * @param stime       system time, in clock ticks
     * @param startTicks  when it started, in clock ticks since the boot
     * @param tty         its controlling terminal's device number; 0 when none
     * @param rssPages    its resident set, in pages
     * @param command     its arguments; empty for a kernel thread or a zombie
     */
    public record Process(int pid, int ppid, int pgid, int uid, long utime, long stime, long startTicks, int tty, long rssPages,
                          String name, List<String> command) {}

    /**
     * {@code pid}, the members of the process group it leads, and the descendants of all of them: {@code pid} first,
     * then by pid; empty when it is gone.
     */
    public List<Process> tree(int pid) {
        Map<Integer, List<Process>> children = new HashMap<>();
        List<Process> all = all();
        Process root = null;
        for (Process p : all) {
            children.computeIfAbsent(p.ppid(), k -> new ArrayList<>()).add(p);
            if (p.pid() == pid) {
                root = p;
            }
        }
        if (root == null) {
            return List.of();
        }
        Set<Integer> seen = new HashSet<>();
        List<Process> tree = new ArrayList<>();
        tree.add(root);
        seen.add(pid);
        if (root.pgid() == pid) {
            all.stream().filter(p -> p.pgid() == pid && seen.add(p.pid())).forEach(tree::add);
        }
        for (int i = 0; i < tree.size(); i++) {
            children.getOrDefault(tree.get(i).pid(), List.of()).stream().filter(c -> seen.add(c.pid())).forEach(tree::add);
        }
        List<Process> rest = new ArrayList<>(tree.subList(1, tree.size()));
        rest.sort((a, b) -> Integer.compare(a.pid(), b.pid()));
        rest.add(0, root);
        return rest;
    }

    /** Every process of the host. */
    public List<Process> all() {
        List<Process> processes = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(proc, p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
            for (Path entry : entries) {
                read(Integer.parseInt(entry.getFileName().toString())).ifPresent(processes::add);
            }
        } catch (IOException e) {
            throw new KernelException("list the processes in " + proc, 0, e.getMessage());
        }
        return processes;
    }

    /** The process {@code pid}, or empty when it is gone. */
    public Optional<Process> read(int pid) {
        Path dir = proc.resolve(Integer.toString(pid));
        try {
            String stat = Files.readString(dir.resolve("stat"), StandardCharsets.UTF_8);
            // The name is in parentheses and may hold spaces and parentheses itself: the fields follow the last ')'.
            int open = stat.indexOf('(');
            int close = stat.lastIndexOf(')');
            String name = stat.substring(open + 1, close);
            String[] f = stat.substring(close + 2).trim().split(" ");
            // f[0] is field 3 (state): field n is f[n - 3].
            int ppid = Integer.parseInt(f[1]);
            int pgid = Integer.parseInt(f[2]);
            int tty = Integer.parseInt(f[4]);
            long utime = Long.parseLong(f[11]);
            long stime = Long.parseLong(f[12]);
            long start = Long.parseLong(f[19]);
            long rss = Long.parseLong(f[21]);
            byte[] cmdline = Files.readAllBytes(dir.resolve("cmdline"));
            List<String> command = new ArrayList<>();
            int from = 0;
            for (int i = 0; i < cmdline.length; i++) {
                if (cmdline[i] == 0) {
                    command.add(new String(cmdline, from, i - from, StandardCharsets.UTF_8));
                    from = i + 1;
                }
            }
            if (from < cmdline.length) {
                command.add(new String(cmdline, from, cmdline.length - from, StandardCharsets.UTF_8));
            }
            return Optional.of(new Process(pid, ppid, pgid, effectiveUid(dir), utime, stime, start, tty, rss, name, command));
        } catch (NoSuchFileException | IndexOutOfBoundsException e) {
            return Optional.empty(); // it exited meanwhile
        } catch (IOException e) {
            if (!Files.exists(dir)) {
                return Optional.empty();
            }
            throw new KernelException("read process " + pid + " in " + proc, 0, e.getMessage());
        }
    }

    private static int effectiveUid(Path dir) throws IOException {
        for (String line : Files.readAllLines(dir.resolve("status"), StandardCharsets.UTF_8)) {
            if (line.startsWith("Uid:")) {
                return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
            }
        }
        return 0;
    }

    /** The CPU time of the whole host since the boot (/proc/stat's first line), in clock ticks. */
    public long hostCpuTicks() {
        String first = lines("stat").get(0);
        long sum = 0;
        String[] f = first.trim().split("\\s+");
        // user nice system idle iowait irq softirq steal (guest and guest_nice are within user and nice)
        for (int i = 1; i < Math.min(f.length, 9); i++) {
            sum += Long.parseLong(f[i]);
        }
        return sum;
    }

    /** How many CPUs /proc/stat lists ({@code cpu0}, {@code cpu1}...). */
    public int onlineCpus() {
        return (int) lines("stat").stream().filter(l -> l.startsWith("cpu") && l.length() > 3 && Character.isDigit(l.charAt(3))).count();
    }

    /** When the host booted, in seconds since the epoch (/proc/stat's {@code btime}). */
    public long bootTime() {
        return lines("stat").stream().filter(l -> l.startsWith("btime ")).map(l -> Long.parseLong(l.substring(6).trim()))
                .findFirst().orElseThrow(() -> new KernelException("read btime in " + proc.resolve("stat"), 0, "no btime line"));
    }

    /** The host's memory, in bytes (/proc/meminfo's MemTotal). */
    public long memoryTotal() {
        return lines("meminfo").stream().filter(l -> l.startsWith("MemTotal:"))
                .map(l -> Long.parseLong(l.substring(9).trim().split("\\s+")[0]) * 1024).findFirst()
                .orElseThrow(() -> new KernelException("read MemTotal in " + proc.resolve("meminfo"), 0, "no MemTotal line"));
    }

    /** Seconds since the boot (/proc/uptime). */
    public double uptime() {
        return Double.parseDouble(lines("uptime").get(0).trim().split("\\s+")[0]);
    }

    private List<String> lines(String file) {
        try {
            return Files.readAllLines(proc.resolve(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new KernelException("read " + proc.resolve(file), 0, e.getMessage());
        }
    }
}
