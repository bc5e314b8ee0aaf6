package io.netwharf.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The daemon run with umask 000 gives every folder it owns a mode of its own, as dockerd does: the run directory (exec
 * root) and data root 0711, the namespace folder, containers/ and each container's folder 0700, the socket 0660; a
 * folder that existed with a looser mode is narrowed too.
 */
class FolderModesTest {
    @TempDir
    Path dir;

    @Test
    void foldersHaveTheirOwnModesWhateverTheUmask() throws Exception {
        Path looseDataRoot = Files.createDirectories(dir.resolve("data"));
        Files.setPosixFilePermissions(looseDataRoot, PosixFilePermissions.fromString("rwxrwxrwx"));
        try (DaemonChild daemon = new DaemonChild(dir).awaitListening()) {
            assertEquals(200, Curl.request(daemon.socket, "POST", "/v1.51/images/create?fromImage=debian&tag=latest", null).status());
            Curl.Answer created = Curl.request(daemon.socket, "POST", "/v1.51/containers/create?name=modes", "{\"Image\":\"debian\"}");
            assertEquals(201, created.status(), created.toString());
            String id = new ObjectMapper().readTree(created.body()).get("Id").asText();

            assertMode("rwx--x--x", daemon.runDirectory);
            assertMode("rwx------", daemon.runDirectory.resolve("netns"));
            assertMode("rw-rw----", daemon.socket);
            assertMode("rwx--x--x", daemon.dataRoot);
            assertMode("rwx------", daemon.dataRoot.resolve("containers"));
            assertMode("rwx------", daemon.dataRoot.resolve("containers").resolve(id));
        }
    }

    private static void assertMode(String expected, Path path) throws Exception {
        assertEquals(expected, PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS)), path.toString());
    }
}
