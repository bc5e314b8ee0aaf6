package io.netwharf.container;

import io.netwharf.protocol.model.NetwharfException;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Image names read as Docker's reference.ParseNormalizedNamed reads them, and the ids derived from them. Pure. */
class ImageReferenceTest {
    @Test
    void namesAreNormalisedAsDockerNormalisesThem() {
        assertEquals("docker.io/library/debian:latest", ImageReference.parse("debian").normalized());
        assertEquals("docker.io/library/debian:12", ImageReference.parse("debian:12").normalized());
        assertEquals("docker.io/library/debian:latest", ImageReference.parse("library/debian").normalized());
        assertEquals("docker.io/library/debian:latest", ImageReference.parse("docker.io/library/debian:latest").normalized());
        assertEquals("docker.io/library/debian:latest", ImageReference.parse("index.docker.io/debian").normalized());
        assertEquals("docker.io/someone/app:v1.2_rc-3", ImageReference.parse("someone/app:v1.2_rc-3").normalized());
        assertEquals("localhost:5000/team/app:latest", ImageReference.parse("localhost:5000/team/app").normalized());
        assertEquals("localhost/app:latest", ImageReference.parse("localhost/app").normalized());
        assertEquals("registry.example.com/a/b/c:x", ImageReference.parse("registry.example.com/a/b/c:x").normalized());
        assertEquals("docker.io/library/my__app-x.y:latest", ImageReference.parse("my__app-x.y").normalized());
    }

    @Test
    void familiarNamesDropTheDefaultRegistryAndLibrary() {
        assertEquals("debian:latest", ImageReference.parse("docker.io/library/debian").familiar());
        assertEquals("someone/app:v1", ImageReference.parse("docker.io/someone/app:v1").familiar());
        assertEquals("localhost:5000/app:latest", ImageReference.parse("localhost:5000/app").familiar());
        assertEquals("library/debian", ImageReference.parse("debian").path());
    }

    @Test
    void theIdIsTheSha256OfTheNormalisedNameSoEverySpellingHasOne() throws Exception {
        String expected = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest("docker.io/library/debian:latest".getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, ImageReference.parse("debian").id());
        assertEquals(expected, ImageReference.parse("docker.io/library/debian:latest").id());
        assertNotEquals(expected, ImageReference.parse("debian:12").id());
        assertEquals(71, expected.length());
    }

    @Test
    void whatDockerRefusesIsRefusedWithItsWords() {
        assertEquals("invalid reference format: repository name (library/Debian) must be lowercase", refused("Debian"));
        assertEquals("invalid repository name (" + "a".repeat(64) + "), cannot specify 64-byte hexadecimal strings",
                refused("a".repeat(64)));
        for (String bad : new String[] {"", "debian:", ":latest", "debian::x", "-debian", "debian-", "a//b", "debian:-x",
                "debian:" + "x".repeat(129), "deb ian", "a/" + "b".repeat(260), "exa_mple.com:5000/app"}) {
            assertTrue(refused(bad).startsWith("invalid reference format"), bad + ": " + refused(bad));
        }
        assertTrue(refused("debian@sha256:" + "a".repeat(64)).contains("netwharf does not know images by digest"));
        assertTrue(ImageReference.of("Not An Image").isEmpty());
    }

    @Test
    void aPullsTagReplacesTheNamesOwn() {
        assertEquals("docker.io/library/debian:12", ImageReference.parse("debian:latest").withTag("12").normalized());
        assertTrue(assertThrows(NetwharfException.class, () -> ImageReference.parse("debian").withTag("sha256:" + "a".repeat(64)))
                .getMessage().contains("by digest"));
        assertThrows(NetwharfException.class, () -> ImageReference.parse("debian").withTag("a/b"));
    }

    private static String refused(String text) {
        NetwharfException e = assertThrows(NetwharfException.class, () -> ImageReference.parse(text), text);
        assertEquals(NetwharfException.Kind.BAD_PARAMETER, e.kind());
        return e.getMessage();
    }
}
