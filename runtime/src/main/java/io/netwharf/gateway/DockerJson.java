package io.netwharf.gateway;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * JSON as the Docker API speaks it, for every route of the gateway: one {@link ObjectMapper} (Docker's field names
 * come from {@code @JsonProperty} on the request and response types; unknown fields are ignored, field names match
 * case-insensitively as in Go, and a value of the wrong type is refused rather than coerced), {@link #complete}
 * for answers and {@link #entity} for request bodies (at most {@link #MAX_BODY} bytes; malformed JSON or a wrong type
 * → 400 naming the field, too large → 413).
 */
public final class DockerJson {
    /** The largest request body accepted: 1 MiB. */
    public static final long MAX_BODY = 1 << 20;
    static final String TOO_LARGE = "request body is too large: at most " + MAX_BODY + " bytes are accepted";
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    /** The deepest nesting of arrays and objects a body may have. */
    static final int MAX_NESTING = 100;
    private static final ObjectMapper MAPPER = newMapper();

    private DockerJson() {}

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    private static ObjectMapper newMapper() {
        // Docker's bodies nest a few levels; deep nesting only costs stack (a recursive type's reading overflowed it at
        // a depth Jackson's default limit of 500 allows), so it is refused early.
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
                .build();
        JsonMapper mapper = JsonMapper.builder(factory)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
                .build();
        // Go's encoding/json takes no "yes" for a bool and no 5 for a string: neither do we.
        for (LogicalType type : new LogicalType[] {LogicalType.Boolean, LogicalType.Integer, LogicalType.Float, LogicalType.Textual}) {
            mapper.coercionConfigFor(type)
                    .setCoercion(CoercionInputShape.String, type == LogicalType.Textual ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Integer, type == LogicalType.Integer || type == LogicalType.Float ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, type == LogicalType.Float ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, type == LogicalType.Boolean ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, type == LogicalType.Textual ? CoercionAction.TryConvert : CoercionAction.Fail);
        }
        return mapper;
    }

    /** {@code value} as JSON bytes. */
    public static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getName() + " as JSON", e);
        }
    }

    public static HttpResponse response(StatusCode status, Object value) {
        return HttpResponse.create().withStatus(status).withEntity(ContentTypes.APPLICATION_JSON, bytes(value));
    }

    /** Answers {@code value} as JSON with {@code status}. */
    public static Route complete(StatusCode status, Object value) {
        return Directives.complete(response(status, value));
    }

    /**
     * Reads the request body (at most {@link #MAX_BODY} bytes; a larger one is read to its end and answered with 413,
     * so the client gets the answer rather than a reset) and parses it as {@code type}. An empty or {@code null}
     * body, malformed JSON or a value of the wrong type is answered with 400, and so is a body not declared
     * {@code application/json} ({@link JsonContentType}).
     */
    public static <T> Route entity(Class<T> type, Function<T, Route> inner) {
        return JsonContentType.required(() -> body(bytes -> inner.apply(parse(bytes, type))));
    }

    /** The raw request body, at most {@link #MAX_BODY} bytes (else 413). */
    public static Route body(Function<ByteString, Route> inner) {
        return Directives.extractRequestEntity(entity -> {
            if (entity instanceof HttpEntity.Strict strict) {
                // A small body arrives whole with its headers: take it as it is. Reading it as a stream would
                // materialize a stream (an actor) per request, which was a good part of the gateway's cost per request.
                return answer(new Body().add(strict.getData()), inner);
            }
            return Directives.extractMaterializer(materializer -> {
                CompletionStage<Body> read = entity.getDataBytes()
                        .completionTimeout(READ_TIMEOUT)
                        .runWith(Sink.fold(new Body(), Body::add), materializer)
                        .exceptionally(DockerJson::unreadable);
                return Directives.onSuccess(read, body -> answer(body, inner));
            });
        });
    }

    private static Body unreadable(Throwable failure) {
        throw DockerErrors.unreadableBody(failure, READ_TIMEOUT);
    }

    private static Route answer(Body body, Function<ByteString, Route> inner) {
        if (body.tooLarge) {
            return DockerErrors.error(org.apache.pekko.http.javadsl.model.StatusCodes.PAYLOAD_TOO_LARGE, TOO_LARGE);
        }
        return inner.apply(body.bytes);
    }

    /**
     * Parses a request body as {@code type}; refuses what Docker refuses with a 400: broken JSON, a value of the
     * wrong type (naming the field), a byte-order mark or another encoding than UTF-8, and anything but white space
     * after the value.
     */
    public static <T> T parse(ByteString bytes, Class<T> type) {
        if (bytes.isEmpty()) {
            throw DockerApiException.badRequest("invalid JSON: got EOF while reading request body");
        }
        T value = read(bytes.toArray(), type);
        if (value == null) {
            throw DockerApiException.badRequest("invalid JSON: the body is null");
        }
        return value;
    }

    /** A JSON text (a query parameter's) as a tree, refused as {@link #parse} refuses a body. */
    static JsonNode tree(String json) {
        return read(json.getBytes(StandardCharsets.UTF_8), JsonNode.class);
    }

    private static <T> T read(byte[] bytes, Class<T> type) {
        refuseOtherEncodings(bytes);
        try (JsonParser parser = MAPPER.createParser(bytes)) {
            T value = MAPPER.readValue(parser, type);
            // Go's json.Unmarshal takes one value and white space; Jackson stops after the first value.
            if (parser.nextToken() != null) {
                throw DockerApiException.badRequest("invalid JSON: unexpected content after the JSON value");
            }
            return value;
        } catch (StreamReadException e) {
            throw DockerApiException.badRequest("invalid JSON: " + firstLine(e.getOriginalMessage()));
        } catch (JsonMappingException e) {
            String field = e.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            throw DockerApiException.badRequest("invalid JSON: " + (field.isEmpty() ? "" : "field " + field + ": ")
                    + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw DockerApiException.badRequest("invalid JSON: " + firstLine(e.getMessage()));
        }
    }

    /**
     * JSON is UTF-8 to Go, while Jackson would skip a byte-order mark and read UTF-16 or UTF-32 (which it detects by
     * their zero bytes): refuse both in Go's words. A zero byte is never valid in JSON text.
     */
    private static void refuseOtherEncodings(byte[] bytes) {
        int first = 0;
        while (first < bytes.length && (bytes[first] == ' ' || bytes[first] == '\t' || bytes[first] == '\r' || bytes[first] == '\n')) {
            first++;
        }
        if (first < bytes.length && (bytes[first] & 0x80) != 0) {
            throw DockerApiException.badRequest("invalid JSON: invalid character '" + (char) (bytes[first] & 0xFF)
                    + "' looking for beginning of value");
        }
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                throw DockerApiException.badRequest("invalid JSON: invalid character '\\x00' "
                        + (i == first ? "looking for beginning of value" : "at offset " + i));
            }
        }
    }

    static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }

    /** What has been read of a body: kept up to the limit, then only counted. */
    private static final class Body {
        ByteString bytes = ByteString.emptyByteString();
        boolean tooLarge;

        Body add(ByteString chunk) {
            if (!tooLarge) {
                if (bytes.size() + (long) chunk.size() > MAX_BODY) {
                    tooLarge = true;
                    bytes = ByteString.emptyByteString();
                } else {
                    bytes = bytes.concat(chunk);
                }
            }
            return this;
        }
    }
}
