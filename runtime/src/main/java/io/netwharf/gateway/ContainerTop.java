package io.netwharf.gateway;

import io.netwharf.container.ContainerView;
import io.netwharf.kernel.ProcessTable;
import io.netwharf.protocol.model.NetwharfException;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /containers/{id}/top}: the container's processes (its process and that process's descendants) in the
 * columns of {@code ps -ef}, Docker's default, read from /proc: no {@code ps} is run, so other {@code ps_args} are
 * refused by name.
 */
final class ContainerTop {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<String> TITLES = List.of("UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD");
    /** What asks for ps -ef's columns: nothing (Docker's default) or -ef itself. */
    private static final Set<String> DEFAULT_ARGS = Set.of("", "-ef", "-fe", "-e -f", "-f -e");
    private static final DateTimeFormatter TODAY = DateTimeFormatter.ofPattern("HH:mm");
    private static final DateTimeFormatter THIS_YEAR = DateTimeFormatter.ofPattern("MMMdd", Locale.ENGLISH);
    private static final DateTimeFormatter OLDER = DateTimeFormatter.ofPattern("yyyy");

    private ContainerTop() {}

    /** Refuses {@code ps_args} other than ps -ef's before anything is read. */
    static void checkArgs(String psArgs) {
        String args = psArgs == null ? "" : psArgs.trim();
        if (!DEFAULT_ARGS.contains(args)) {
            throw NetwharfException.badParameter("netwharf does not run ps: top shows ps -ef's columns read from /proc, "
                    + "ps_args " + args + " is not supported (give none, or -ef)");
        }
    }

    static ObjectNode of(ContainerView c, ProcessTable processes) {
        if (!c.running() || c.pid() == 0) {
            throw NetwharfException.conflict("Container " + c.id() + " is not running");
        }
        Instant now = Instant.now();
        long boot = processes.bootTime();
        double uptime = processes.uptime();
        Map<Integer, String> users = users();
        ObjectNode json = NODES.objectNode();
        ArrayNode rows = json.putArray("Processes");
        for (ProcessTable.Process p : processes.tree(c.pid())) {
            ArrayNode row = rows.addArray();
            row.add(users.getOrDefault(p.uid(), Integer.toString(p.uid())));
            row.add(Integer.toString(p.pid()));
            row.add(Integer.toString(p.ppid()));
            double started = (double) p.startTicks() / ProcessTable.TICKS;
            double cpu = (double) (p.utime() + p.stime()) / ProcessTable.TICKS;
            row.add(Integer.toString(uptime - started <= 0 ? 0 : (int) Math.min(99, cpu * 100 / (uptime - started))));
            row.add(startTime(Instant.ofEpochSecond(boot + (long) started), now));
            row.add(tty(p.tty()));
            row.add(cpuTime((p.utime() + p.stime()) / ProcessTable.TICKS));
            row.add(p.command().isEmpty() ? "[" + p.name() + "]" : String.join(" ", p.command()));
        }
        ArrayNode titles = json.putArray("Titles");
        TITLES.forEach(titles::add);
        return json;
    }

    /** ps's STIME: the time within the last day, else the day within the year, else the year. */
    static String startTime(Instant start, Instant now) {
        ZonedDateTime at = start.atZone(ZoneId.systemDefault());
        if (Duration.between(start, now).toHours() < 24) {
            return TODAY.format(at);
        }
        return at.getYear() == now.atZone(ZoneId.systemDefault()).getYear() ? THIS_YEAR.format(at) : OLDER.format(at);
    }

    /** ps's TTY: {@code ?} for none, {@code pts/N} for a pseudo-terminal, {@code ttyN} for a console. */
    static String tty(int device) {
        int major = (device >> 8) & 0xfff;
        int minor = (device & 0xff) | ((device >> 12) & 0xfff00);
        if (device == 0) {
            return "?";
        }
        if (major >= 136 && major <= 143) {
            return "pts/" + ((major - 136) * 256 + minor);
        }
        return major == 4 ? "tty" + minor : "?";
    }

    /** ps's TIME: [DD-]HH:MM:SS of CPU time. */
    static String cpuTime(long seconds) {
        long days = seconds / 86_400;
        String time = String.format("%02d:%02d:%02d", (seconds / 3600) % 24, (seconds / 60) % 60, seconds % 60);
        return days > 0 ? days + "-" + time : time;
    }

    /** User names by uid from /etc/passwd, as ps shows them; a uid without one is shown as its number. */
    private static Map<Integer, String> users() {
        Map<Integer, String> users = new HashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] f = line.split(":");
                if (f.length > 2 && f[2].chars().allMatch(Character::isDigit) && !f[2].isEmpty()) {
                    users.putIfAbsent(Integer.parseInt(f[2]), f[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // no names: ps shows numbers too
        }
        return users;
    }
}
