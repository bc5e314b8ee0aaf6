package io.netwharf.kernel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Finds the file argv[0] names before spawning, as Docker does: a name with a '/' is taken as it is (relative to the
 * working directory), any other is searched in the PATH of the container's environment, else in Docker's default.
 */
final class ExecutableLookup {
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private ExecutableLookup() {}

    /** The path to give posix_spawn for {@code name}; throws {@link ExecutableNotFoundException} when there is none. */
    static String resolve(String name, List<String> env, Path workingDir) {
        if (name.isEmpty()) {
            throw new ExecutableNotFoundException(name, "exec: \"\": executable file not found in $PATH");
        }
        if (name.contains("/")) {
            if (!Files.exists(workingDir.resolve(name))) {
                throw new ExecutableNotFoundException(name,
                        "exec: \"" + name + "\": stat " + name + ": no such file or directory");
            }
            return name;
        }
        // Like Go's exec.LookPath, which Docker uses: an empty entry means the working directory.
        for (String dir : path(env).split(":", -1)) {
            Path candidate = workingDir.resolve(dir.isEmpty() ? "." : dir).resolve(name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new ExecutableNotFoundException(name, "exec: \"" + name + "\": executable file not found in $PATH");
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
