package io.netwharf.container;

import io.netwharf.kernel.Credentials;
import io.netwharf.protocol.model.NetwharfException;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Docker's lookup of {@code --user} and {@code --group-add} (moby/sys/user), on passwd and group files of the test's own. */
class ContainerUserTest {
    @TempDir
    Path dir;
    private ContainerUser users;

    @BeforeEach
    void files() throws IOException {
        Path passwd = Files.writeString(dir.resolve("passwd"), """
                root:x:0:0:root:/root:/bin/bash
                # a comment
                web:x:1000:1000:Web:/home/web:/bin/sh
                nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
                """);
        Path group = Files.writeString(dir.resolve("group"), """
                root:x:0:
                adm:x:4:web
                web:x:1000:
                audio:x:29:web,other
                staff:x:50:
                nogroup:x:65534:
                """);
        users = new ContainerUser(passwd, group);
    }

    private Credentials of(String spec, String... groupAdd) {
        return users.resolve(spec, List.of(groupAdd)).credentials();
    }

    @Test
    void aNameOrUidFoundInPasswdBringsItsGroupAndMemberships() {
        assertEquals(new Credentials(1000, 1000, List.of(1000, 4, 29)), of("web"));
        assertEquals(new Credentials(1000, 1000, List.of(1000, 4, 29)), of("1000"));
        assertEquals("/home/web", users.resolve("web", List.of()).home());
        assertEquals(new Credentials(65534, 65534, List.of(65534)), of("nobody"));
        assertEquals(new Credentials(0, 0, List.of(0)), of(""), "no user: root, as Docker's default");
    }

    @Test
    void aGroupGivenReplacesThePrimaryGroupAndTheMemberships() {
        assertEquals(new Credentials(1000, 50, List.of(50)), of("web:staff"));
        assertEquals(new Credentials(1000, 29, List.of(29)), of("web:29"));
        assertEquals(new Credentials(1000, 777, List.of(777)), of("web:777"), "a number need not exist");
    }

    @Test
    void anUnknownUidRunsWithGroupZeroAndNoMemberships() {
        assertEquals(new Credentials(4321, 0, List.of(0)), of("4321"));
        assertEquals(new Credentials(4321, 4322, List.of(4322)), of("4321:4322"));
        assertEquals("/", users.resolve("4321", List.of()).home());
    }

    @Test
    void addedGroupsJoinByNameOrNumber() {
        assertEquals(new Credentials(65534, 65534, List.of(65534, 50, 4, 9999)), of("nobody", "staff", "4", "9999"));
        assertEquals(new Credentials(0, 0, List.of(0, 29)), of(null, "audio"));
    }

    @Test
    void whatDoesNotExistIsRefusedInDockersWords() {
        assertEquals("unable to find user ghost: no matching entries in passwd file",
                assertThrows(NetwharfException.class, () -> of("ghost")).getMessage());
        assertEquals("unable to find group ghosts: no matching entries in group file",
                assertThrows(NetwharfException.class, () -> of("web:ghosts")).getMessage());
        assertEquals("Unable to find group ghosts: no matching entries in group file",
                assertThrows(NetwharfException.class, () -> of("web", "ghosts")).getMessage());
        for (String outOfRange : List.of("-1", "2147483648", "web:-5")) {
            NetwharfException e = assertThrows(NetwharfException.class, () -> of(outOfRange));
            assertEquals("uids and gids must be in range 0-2147483647", e.getMessage());
            assertEquals(NetwharfException.Kind.BAD_PARAMETER, e.kind());
        }
    }
}
