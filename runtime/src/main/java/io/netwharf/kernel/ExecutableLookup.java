package io.netwharf.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Checks, before spawning, what runc checks in the container before it executes the program, with runc's words:
 * the working directory exists and is a directory the user may enter, and argv[0] names a file the user may
 * execute. Like Docker, a name with a '/' is taken as it is (relative to the working directory), any other is searched
 * in the PATH of the container's environment, else in Docker's default. Permissions are judged from the mode bits
 * and ownership of the final file alone (no ACLs, no path components), which is what decides in the usual cases.
 */
final class ExecutableLookup {
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final int SEARCH_OR_EXECUTE = 0111;

    private ExecutableLookup() {}

    /** Refuses a working directory the process cannot start in. */
    static void checkWorkingDirectory(Path dir, Credentials user) {
        String problem = !Files.exists(dir) ? "no such file or directory"
                : !Files.isDirectory(dir) ? "not a directory"
                : !mayExecute(dir, user) ? "permission denied" : null;
        if (problem != null) {
            throw new ProcessRefusedException("chdir to cwd (\"" + dir + "\") set in config.json failed: " + problem,
                    problem.equals("permission denied") ? ProcessRefusedException.CANNOT_INVOKE : ProcessRefusedException.NOT_FOUND);
        }
    }

    /**
     * The path to give posix_spawn for {@code name}; throws {@link ExecutableNotFoundException} when there is none,
     * {@link ProcessRefusedException} when it is a directory or {@code user} may not execute it.
     */
    static String resolve(String name, List<String> env, Path workingDir, Credentials user) {
        if (name.isEmpty()) {
            throw new ExecutableNotFoundException(name, "exec: \"\": executable file not found in $PATH");
        }
        if (name.contains("/")) {
            Path file = workingDir.resolve(name);
            if (!Files.exists(file)) {
                throw new ExecutableNotFoundException(name,
                        "exec: \"" + name + "\": stat " + name + ": no such file or directory");
            }
            if (Files.isDirectory(file)) {
                // Docker adds "permission denied" so that the docker CLI exits with 126, as for a file it cannot run.
                throw new ProcessRefusedException("exec: \"" + name + "\": is a directory: permission denied",
                        ProcessRefusedException.CANNOT_INVOKE);
            }
            if (!mayExecute(file, user)) {
                throw new ProcessRefusedException("exec: \"" + name + "\": permission denied", ProcessRefusedException.CANNOT_INVOKE);
            }
            return name;
        }
        // Like Go's exec.LookPath, which Docker uses: an empty entry means the working directory; a directory or a
        // file the user may not execute is passed over.
        for (String dir : path(env).split(":", -1)) {
            Path candidate = workingDir.resolve(dir.isEmpty() ? "." : dir).resolve(name);
            if (Files.isRegularFile(candidate) && mayExecute(candidate, user)) {
                return candidate.toString();
            }
        }
        throw new ExecutableNotFoundException(name, "exec: \"" + name + "\": executable file not found in $PATH");
    }

    /**
     * Whether {@code user} may execute the file (or enter the directory): root if any execute bit is set, another
     * user by the owner's, the group's or the others' bit, as the kernel decides without ACLs.
     */
    private static boolean mayExecute(Path file, Credentials user) {
        try {
            int mode = (Integer) Files.getAttribute(file, "unix:mode");
            if (user.isRoot()) {
                return (mode & SEARCH_OR_EXECUTE) != 0;
            }
            int owner = (Integer) Files.getAttribute(file, "unix:uid");
            int group = (Integer) Files.getAttribute(file, "unix:gid");
            int bit = owner == user.uid() ? 0100 : user.inGroup(group) ? 0010 : 0001;
            return (mode & bit) != 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** The container's PATH (the last PATH= entry, as Docker merges env lists), or Docker's default when it has none. */
    private static String path(List<String> env) {
        String path = DEFAULT_PATH;
        for (String entry : env) {
            if (entry.startsWith("PATH=")) {
                path = entry.substring("PATH=".length());
            }
        }
        return path;
    }
}
