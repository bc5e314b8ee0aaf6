package io.netwharf.kernel;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which processes live in which network namespace: a namespace is known by its inode, the same through a
 * bind mount under the exec root and through {@code /proc/<pid>/ns/net}. Found by scanning {@code /proc} once.
 */
public final class NamespaceProcesses {
    private NamespaceProcesses() {}

    /** The pids of every process, by the inode of its network namespace. */
    public static Map<Long, List<Integer>> byNamespace() {
        Map<Long, List<Integer>> found = new HashMap<>();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path entry : proc) {
                String name = entry.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                    continue;
                }
                long inode = inodeOf(entry.resolve("ns/net"));
                if (inode != 0) {
                    found.computeIfAbsent(inode, k -> new ArrayList<>()).add(Integer.parseInt(name));
                }
            }
        } catch (IOException e) {
            throw new KernelException("list the processes in /proc", 0, e.getMessage());
        }
        return found;
    }

    /** The inode of a namespace file (a bind mount or {@code /proc/<pid>/ns/net}); 0 when it cannot be read (gone). */
    public static long inodeOf(Path namespace) {
        try {
            return (Long) Files.getAttribute(namespace, "unix:ino");
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
