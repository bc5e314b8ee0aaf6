package io.netwharf.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Directories netwharf owns (its run directory, namespace directory, data root, container folders), made with a mode
 * of their own rather than one left to the process's umask: with umask 000 they would be 0777, and anyone could
 * replace the API socket or a namespace file. As dockerd does, a directory netwharf owns gets its mode even when it
 * already exists with a looser one; missing parents are made 0711 (reachable, not listable).
 */
public final class Directories {
    /** Others may pass through to a known name (the API socket) but not list: dockerd's data root. */
    public static final Set<PosixFilePermission> TRAVERSE_ONLY = PosixFilePermissions.fromString("rwx--x--x");
    /** Root alone: namespaces, container folders. */
    public static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");

    private Directories() {
    }

    /**
     * Makes {@code directory} (and any missing parent, 0711) and gives it {@code mode}, also when it existed. Refuses a
     * path that exists and is not a directory, or is a symbolic link (which could point anywhere).
     */
    public static Path ensure(Path directory, Set<PosixFilePermission> mode) throws IOException {
        Path absolute = directory.toAbsolutePath().normalize();
        Path parent = absolute.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            ensure(parent, TRAVERSE_ONLY);
        }
        if (Files.isSymbolicLink(absolute)) {
            throw new IOException(absolute + " is a symbolic link; netwharf keeps its files only in a directory of its own");
        }
        if (!Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
            try {
                // Made private at once (the umask can only narrow it), so nobody slips in before the chmod.
                Files.createDirectory(absolute, PosixFilePermissions.asFileAttribute(PRIVATE));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // another thread made it meanwhile: fine, it gets its mode below
            }
        }
        if (!Files.isDirectory(absolute, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(absolute + " exists and is not a directory");
        }
        if (!Files.getPosixFilePermissions(absolute, LinkOption.NOFOLLOW_LINKS).equals(mode)) {
            Files.setPosixFilePermissions(absolute, mode);
        }
        return absolute;
    }

    /**
     * Makes the missing directories of {@code directory} (0711) and leaves those that exist as they are: for a folder
     * the user named that may be shared, such as the one holding a socket given with {@code -H unix:///tmp/x.sock}.
     */
    public static void ensureExists(Path directory) throws IOException {
        Path absolute = directory.toAbsolutePath().normalize();
        if (!Files.isDirectory(absolute)) {
            ensure(absolute, TRAVERSE_ONLY);
        }
    }
}
