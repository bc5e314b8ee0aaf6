package io.netwharf.kernel;

import java.util.List;

/**
 * Who a container's process runs as: its user and group ids and its supplementary groups, set in the child before
 * the program is executed.
 *
 * @param groups the supplementary groups, exactly (empty: none, not even the primary group)
 */
public record Credentials(int uid, int gid, List<Integer> groups) {
    public Credentials {
        if (uid < 0 || gid < 0) {
            throw new IllegalArgumentException("user and group ids cannot be negative: " + uid + ":" + gid);
        }
        groups = List.copyOf(groups);
    }

    /** root with no supplementary group, as a container's process runs by default. */
    public static final Credentials ROOT = new Credentials(0, 0, List.of());

    public boolean isRoot() {
        return uid == 0;
    }

    /** Whether this user is in group {@code gid}, as its primary or a supplementary group. */
    boolean inGroup(int group) {
        return gid == group || groups.contains(group);
    }
}
