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
        String userArg = spec == null ? "" : spec;
        String groupArg = "";
        String[] parts = userArg.split(":", -1);
        if (parts.length > 1) {
            userArg = parts[0];
            groupArg = parts[1];
        }
        Long uidArg = number(userArg);
        Long gidArg = number(groupArg);

        List<String[]> users = entries(passwd);
        String[] entry = null;
        for (String[] u : users) {
            if (u.length >= 7 && (userArg.isEmpty() ? u[2].equals("0") : uidArg != null ? u[2].equals(String.valueOf(uidArg)) : u[0].equals(userArg))) {
                entry = u;
                break;
            }
        }
        int uid = 0;
        int gid = 0;
        String home = "/";
        String matchedName = null;
        if (entry != null) {
            matchedName = entry[0];
            uid = id(entry[2]);
            gid = id(entry[3]);
            home = entry[5];
        } else if (!userArg.isEmpty()) {
            if (uidArg == null) {
                throw NetwharfException.badParameter("unable to find user " + userArg + ": no matching entries in passwd file");
            }
            uid = inRange(uidArg);
        }

        List<Integer> memberOf = new ArrayList<>();
        if (!groupArg.isEmpty() || matchedName != null) {
            List<String[]> groups = entries(group);
            if (!groupArg.isEmpty()) {
                String[] named = null;
                for (String[] g : groups) {
                    if (g.length >= 3 && (gidArg != null ? g[2].equals(String.valueOf(gidArg)) : g[0].equals(groupArg))) {
                        named = g;
                        break;
                    }
                }
                if (named != null) {
                    gid = id(named[2]);
                } else if (gidArg == null) {
                    throw NetwharfException.badParameter("unable to find group " + groupArg + ": no matching entries in group file");
                } else {
                    gid = inRange(gidArg);
                }
            } else {
                for (String[] g : groups) {
                    if (g.length >= 4 && List.of(g[3].split(",")).contains(matchedName)) {
                        memberOf.add(id(g[2]));
                    }
                }
            }
        }

        Set<Integer> supplementary = new LinkedHashSet<>();
        supplementary.add(gid);
        supplementary.addAll(memberOf);
        supplementary.addAll(additionalGroups(groupAdd));
        return new Resolved(new Credentials(uid, gid, List.copyOf(supplementary)), home);
    }

    /** {@code --group-add}: a group's name or gid, the first entry of that name or gid; an unknown number as it is. */
    private List<Integer> additionalGroups(List<String> names) {
        List<Integer> gids = new ArrayList<>();
        if (names == null || names.isEmpty()) {
            return gids;
        }
        List<String[]> groups = entries(group);
        for (String name : names) {
            Integer found = null;
            for (String[] g : groups) {
                if (g.length >= 3 && (g[0].equals(name) || g[2].equals(name))) {
                    found = id(g[2]);
                    break;
                }
            }
            if (found == null) {
                Long number = number(name);
                if (number == null) {
                    throw NetwharfException.badParameter("Unable to find group " + name + ": no matching entries in group file");
                }
                found = inRange(number);
            }
            gids.add(found);
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
