package io.netwharf.container;

import io.netwharf.kernel.Credentials;
import io.netwharf.protocol.model.NetwharfException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Who a container's process runs as ({@code Config.User}, {@code --user}, and {@code HostConfig.GroupAdd},
 * {@code --group-add}), looked up in the passwd and group files as Docker looks them up (moby/sys/user's
 * {@code GetExecUser} and {@code GetAdditionalGroups}, with their messages): {@code name}, {@code uid},
 * {@code name:group} or {@code uid:gid}. A name must exist; a number need not. With no group given, the user's
 * primary group from passwd (0 for an unknown uid) and, for a user found in passwd, the groups that list it as a member;
 * with a group given, that group alone. Then, as Docker, the supplementary groups are the primary group, those, and
 * the added groups. The process runs on the host's filesystem, so these are the host's files.
 */
public final class ContainerUser {
    private static final long MAX_ID = (1L << 31) - 1;
    private static final String RANGE = "uids and gids must be in range 0-" + MAX_ID;

    /** Who to run as, and the home directory for {@code HOME} when the environment sets none. */
    public record Resolved(Credentials credentials, String home) {}

    private final Path passwd;
    private final Path group;

    public ContainerUser(Path passwd, Path group) {
        this.passwd = passwd;
        this.group = group;
    }

    /** The host's {@code /etc/passwd} and {@code /etc/group}. */
    public static ContainerUser host() {
        return new ContainerUser(Path.of("/etc/passwd"), Path.of("/etc/group"));
    }

    /** Resolves {@code spec} (null or empty: root) and {@code groupAdd}; a 400 in Docker's words for what is not found. */
    public Resolved resolve(String spec, List<String> groupAdd) {
        String[] parts = (spec == null ? "" : spec).split(":", -1);
        String userArg = parts[0];
        String groupArg = parts.length > 1 ? parts[1] : "";

        // The user: its passwd entry (by uid when a number, root's when none is given), else a bare uid.
        Long uidArg = number(userArg);
        String[] user = first(entries(passwd), 7, u -> userArg.isEmpty() ? u[2].equals("0")
                : uidArg != null ? u[2].equals(String.valueOf(uidArg)) : u[0].equals(userArg));
        if (user == null && !userArg.isEmpty() && uidArg == null) {
            throw NetwharfException.badParameter("unable to find user " + userArg + ": no matching entries in passwd file");
        }
        int uid = user != null ? id(user[2]) : userArg.isEmpty() ? 0 : inRange(uidArg);
        int gid = user != null ? id(user[3]) : 0;
        String home = user != null ? user[5] : "/";

        // The group: the one given replaces the primary group and the memberships; else the user's memberships.
        List<Integer> memberships = List.of();
        if (!groupArg.isEmpty()) {
            gid = groupId(groupArg);
        } else if (user != null) {
            String name = user[0];
            memberships = entries(group).stream().filter(g -> g.length >= 4 && List.of(g[3].split(",")).contains(name))
                    .map(g -> id(g[2])).toList();
        }

        Set<Integer> supplementary = new LinkedHashSet<>();
        supplementary.add(gid);
        supplementary.addAll(memberships);
        supplementary.addAll(additionalGroups(groupAdd));
        return new Resolved(new Credentials(uid, gid, List.copyOf(supplementary)), home);
    }

    /** The gid of the group {@code --user name:group} names: its entry by gid or name, or an unknown number as it is. */
    private int groupId(String groupArg) {
        Long gidArg = number(groupArg);
        String[] named = first(entries(group), 3, g -> gidArg != null ? g[2].equals(String.valueOf(gidArg)) : g[0].equals(groupArg));
        if (named != null) {
            return id(named[2]);
        }
        if (gidArg == null) {
            throw NetwharfException.badParameter("unable to find group " + groupArg + ": no matching entries in group file");
        }
        return inRange(gidArg);
    }

    /** The first entry with at least {@code fields} fields that matches; first match wins, as in moby/sys/user. */
    private static String[] first(List<String[]> entries, int fields, Predicate<String[]> matches) {
        return entries.stream().filter(e -> e.length >= fields && matches.test(e)).findFirst().orElse(null);
    }

    /** {@code --group-add}: a group's name or gid, the first entry of that name or gid; an unknown number as it is. */
    private List<Integer> additionalGroups(List<String> names) {
        List<Integer> gids = new ArrayList<>();
        if (names == null || names.isEmpty()) {
            return gids;
        }
        List<String[]> groups = entries(group);
        for (String name : names) {
            String[] found = first(groups, 3, g -> g[0].equals(name) || g[2].equals(name));
            Long number = number(name);
            if (found == null && number == null) {
                throw NetwharfException.badParameter("Unable to find group " + name + ": no matching entries in group file");
            }
            gids.add(found != null ? id(found[2]) : inRange(number));
        }
        return gids;
    }

    /** The colon-separated lines of a passwd or group file; a missing file has none, as for Docker. */
    private static List<String[]> entries(Path file) {
        try {
            return Files.readAllLines(file).stream().map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .map(line -> line.split(":", -1)).toList();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The number a user or group argument is, as Go's Atoi reads it; null for a name. */
    private static Long number(String text) {
        if (!text.matches("[+-]?[0-9]{1,18}")) {
            return null;
        }
        return Long.parseLong(text);
    }

    private static int inRange(long id) {
        if (id < 0 || id > MAX_ID) {
            throw NetwharfException.badParameter(RANGE);
        }
        return (int) id;
    }

    /** An id field of the files; a malformed one reads as 0, as moby/sys/user reads it. */
    private static int id(String field) {
        try {
            return inRange(Long.parseLong(field));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
