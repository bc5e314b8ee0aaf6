package io.netwharf.gateway;

import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Request bodies and filters as Docker reads them: no coercion, unknown fields ignored, Go-like field matching. */
class DockerJsonTest {
    private static NetworkJson.CreateRequest create(String json) {
        return DockerJson.parse(ByteString.fromString(json), NetworkJson.CreateRequest.class);
    }

    private static String refusal(String json) {
        DockerApiException e = assertThrows(DockerApiException.class, () -> create(json));
        assertEquals(400, e.status());
        return e.getMessage();
    }

    @Test
    void bodiesParseWithDockersNamesIgnoringUnknownFieldsAndCase() {
        NetworkJson.CreateRequest r = create("{\"name\":\"x\",\"Internal\":true,\"IPAM\":{\"Config\":[{\"Subnet\":\"10.1.0.0/24\"}]},"
                + "\"Labels\":{\"a\":\"b\"},\"ConfigFrom\":null,\"Future\":[1,2]}");
        assertEquals("x", r.name());
        assertTrue(r.internal());
        assertEquals("10.1.0.0/24", r.ipam().config().get(0).subnet());
        assertEquals(Map.of("a", "b"), r.labels());
    }

    @Test
    void wrongTypesAndBrokenJsonAreRefusedNamingTheField() {
        assertTrue(refusal("{\"Internal\":\"yes\"}").startsWith("invalid JSON: field Internal: "), refusal("{\"Internal\":\"yes\"}"));
        assertTrue(refusal("{\"Internal\":\"true\"}").startsWith("invalid JSON: field Internal: "));
        assertTrue(refusal("{\"Internal\":1}").startsWith("invalid JSON: field Internal: "));
        assertTrue(refusal("{\"Name\":5}").startsWith("invalid JSON: field Name: "));
        assertTrue(refusal("{\"Name\":true}").startsWith("invalid JSON: field Name: "));
        assertTrue(refusal("{\"Options\":{\"com.docker.network.driver.mtu\":1400}}")
                .startsWith("invalid JSON: field Options.com.docker.network.driver.mtu: "));
        assertTrue(refusal("{\"IPAM\":{\"Config\":{\"Subnet\":\"x\"}}}").startsWith("invalid JSON: field IPAM.Config: "));
        String eof = refusal("{\"Name\":");
        assertTrue(eof.startsWith("invalid JSON: ") && !eof.contains("\n"), eof);
        assertTrue(refusal("{\"Name\" \"x\"}").startsWith("invalid JSON: "));
        assertEquals("invalid JSON: got EOF while reading request body", refusal(""));
        assertEquals("invalid JSON: the body is null", refusal("null"));
    }

    @Test
    void filtersTakeBothFormsAndRefuseUnknownKeys() {
        DockerFilters f = DockerFilters.parse(Optional.of("{\"name\":{\"a\":true,\"b\":false},\"label\":[\"k=v\",\"other\"]}"), List.of("name", "label"));
        assertEquals(java.util.Set.of("a"), f.get("name"));
        assertTrue(f.matchesAny("name", "xay"::contains));
        assertTrue(f.matchesLabels("label", Map.of("k", "v", "other", "")));
        assertFalse(f.matchesLabels("label", Map.of("k", "w", "other", "")));
        assertTrue(f.matchesExactly("driver", "anything"), "a key not given matches all");
        DockerApiException unknown = assertThrows(DockerApiException.class,
                () -> DockerFilters.parse(Optional.of("{\"x\":{\"1\":true}}"), List.of("name")));
        assertEquals("invalid filter 'x'", unknown.getMessage());
        assertTrue(DockerFilters.parse(Optional.empty(), List.of()).isEmpty());
        DockerFilters not = DockerFilters.parse(Optional.of("{\"label!\":[\"keep\"]}"), List.of("label!"));
        assertFalse(not.matchesLabels("label!", Map.of("keep", "1")));
        assertTrue(not.matchesLabels("label!", Map.of()));
    }

    @Test
    void apiVersionsCompareAsNumbers() {
        assertTrue(DockerApi.compare("1.5", "1.24") < 0);
        assertTrue(DockerApi.compare("1.41", "1.24") > 0);
        assertEquals(0, DockerApi.compare("1.51", "1.51"));
        assertTrue(DockerApi.compare("2.0", "1.51") > 0);
    }

    @Test
    void untilTakesUnixTimesRfc3339AndGoDurations() {
        assertEquals(java.time.Instant.ofEpochSecond(1700000000, 500_000_000), DockerTime.until("1700000000.5"));
        assertEquals(java.time.Instant.parse("2024-01-02T03:04:05Z"), DockerTime.until("2024-01-02T03:04:05Z"));
        assertTrue(DockerTime.until("1h30m").isBefore(java.time.Instant.now().minusSeconds(5399)));
        assertThrows(DockerApiException.class, () -> DockerTime.until("soon"));
    }

    @Test
    void untilRefusesWhatGoCannotHoldInDockersWords() {
        for (String bad : List.of("99999999999999999999", "1.99999999999999999999", "3000000h", "1e9", "-1", "1.5.2", ".s", "")) {
            DockerApiException e = assertThrows(DockerApiException.class, () -> DockerTime.until(bad), bad);
            assertEquals(400, e.status());
            assertEquals("failed to parse value as time or duration: \"" + bad + "\"", e.getMessage());
        }
        // The largest int64 is a time Go holds: far in the future, as far as an Instant goes.
        assertEquals(java.time.Instant.MAX, DockerTime.until("9223372036854775807"));
        assertEquals(java.time.Instant.EPOCH, DockerTime.until("0"), "0 is a Unix time, not a duration");
        assertEquals(java.time.Instant.ofEpochSecond(5), DockerTime.until("+5"));
        assertEquals(java.time.Instant.ofEpochSecond(1, 250_000_000), DockerTime.until("1.25"));
        java.time.Instant now = java.time.Instant.now();
        assertTrue(DockerTime.until("2562047h").isBefore(now.minus(java.time.Duration.ofDays(106751))));
        assertTrue(DockerTime.until(".5s").isBefore(now.plusMillis(1)));
        assertTrue(DockerTime.until("-10m").isAfter(now.plusSeconds(599)), "a negative duration is in the future");
    }

    /** A request shape with numbers and nesting, as option-bearing bodies have (HostConfig's Memory, PidsLimit...). */
    record Limits(@com.fasterxml.jackson.annotation.JsonProperty("Count") int count,
                  @com.fasterxml.jackson.annotation.JsonProperty("Memory") long memory,
                  @com.fasterxml.jackson.annotation.JsonProperty("Ratio") Double ratio,
                  @com.fasterxml.jackson.annotation.JsonProperty("Inner") Limits inner,
                  @com.fasterxml.jackson.annotation.JsonProperty("Any") Object any) {}

    private static String limitsRefusal(byte[] json) {
        DockerApiException e = assertThrows(DockerApiException.class, () -> DockerJson.parse(ByteString.fromArray(json), Limits.class),
                () -> new String(json, 0, Math.min(json.length, 200), java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(400, e.status());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    private static String limitsRefusal(String json) {
        return limitsRefusal(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void aByteOrderMarkOrAnotherEncodingIsRefusedAsGoDoes() {
        assertEquals("invalid JSON: invalid character 'ï' looking for beginning of value",
                refusal("\uFEFF{\"Name\":\"a\"}"));
        byte[] utf16 = "{\"Name\":\"a\"}".getBytes(java.nio.charset.StandardCharsets.UTF_16BE);
        assertEquals("invalid JSON: invalid character '\\x00' looking for beginning of value", limitsRefusal(utf16));
        byte[] utf16le = "{\"Name\":\"a\"}".getBytes(java.nio.charset.StandardCharsets.UTF_16LE);
        assertTrue(limitsRefusal(utf16le).startsWith("invalid JSON: invalid character '\\x00'"), limitsRefusal(utf16le));
        assertEquals("invalid JSON: invalid character 'þ' looking for beginning of value",
                limitsRefusal(new byte[] {(byte) 0xFE, (byte) 0xFF, 0, '{', 0, '}'}));
    }

    @Test
    void contentAfterTheValueIsRefused() {
        assertEquals("invalid JSON: unexpected content after the JSON value", refusal("{\"Name\":\"a\"}{\"Name\":\"b\"}"));
        assertEquals("invalid JSON: unexpected content after the JSON value", refusal("{\"Name\":\"a\"} 5"));
        assertTrue(refusal("{\"Name\":\"a\"} x").startsWith("invalid JSON: "));
        assertEquals("a", create("{\"Name\":\"a\"} \r\n\t").name(), "white space after the value is fine");
        DockerApiException filters = assertThrows(DockerApiException.class,
                () -> DockerFilters.parse(Optional.of("{\"name\":[\"a\"]}{}"), List.of("name")));
        assertEquals(400, filters.status());
    }

    @Test
    void everyMappingFailureIsA400NamingTheField() {
        assertTrue(limitsRefusal("{\"Count\":99999999999}").startsWith("invalid JSON: field Count: "), limitsRefusal("{\"Count\":99999999999}"));
        assertTrue(limitsRefusal("{\"Memory\":99999999999999999999999}").startsWith("invalid JSON: field Memory: "));
        assertTrue(limitsRefusal("{\"Count\":1.5}").startsWith("invalid JSON: field Count: "));
        assertTrue(limitsRefusal("{\"Inner\":{\"Count\":\"x\"}}").startsWith("invalid JSON: field Inner.Count: "));
        assertTrue(limitsRefusal("{\"Inner\":[1]}").startsWith("invalid JSON: field Inner: "));
        assertTrue(limitsRefusal("{\"Count\":NaN}").startsWith("invalid JSON: "));
        assertTrue(limitsRefusal("{\"Count\":-}").startsWith("invalid JSON: "));
        assertTrue(limitsRefusal("{\"Count\":0x10}").startsWith("invalid JSON: "));
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertTrue(limitsRefusal("{\"Any\":" + deep + "}").startsWith("invalid JSON: "));
        assertTrue(limitsRefusal("{\"Inner\":".repeat(5_000) + "{}" + "}".repeat(5_000)).startsWith("invalid JSON: "));
        // Refused at the limit, before a recursive type's reading can overflow the stack (it did at depth 500).
        assertTrue(limitsRefusal("{\"Inner\":".repeat(DockerJson.MAX_NESTING) + "{}" + "}".repeat(DockerJson.MAX_NESTING))
                .contains("nesting depth"));
        assertEquals(0, DockerJson.parse(ByteString.fromString("{\"Inner\":".repeat(DockerJson.MAX_NESTING - 1) + "{}"
                + "}".repeat(DockerJson.MAX_NESTING - 1)), Limits.class).count());
        assertTrue(limitsRefusal("{\"Any\":\"\\ud800\"} x").startsWith("invalid JSON: "));
        assertTrue(limitsRefusal(new byte[] {'{', '"', 'A', 'n', 'y', '"', ':', '"', (byte) 0xC3, '"', '}'}).startsWith("invalid JSON: "));
        // A null is no value, as Go reads it: the default stays.
        Limits nulls = DockerJson.parse(ByteString.fromString("{\"Count\":null,\"Memory\":null,\"Inner\":null}"), Limits.class);
        assertEquals(0, nulls.count());
    }
}
