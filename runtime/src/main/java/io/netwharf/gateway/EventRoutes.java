package io.netwharf.gateway;

import io.netwharf.Netwharf;
import io.netwharf.events.EventLog;

import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.util.ByteString;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.parameterMap;
import static org.apache.pekko.http.javadsl.server.Directives.path;

/**
 * {@code GET /events}, as Docker streams it: one JSON object per line, in a chunked answer that stays open for new
 * events until {@code until} (absent: until the client goes). With {@code since} or {@code until}, the recent events in
 * that span come first, from the {@link EventLog}'s memory of the last {@value EventLog#CAPACITY} (an {@code until}
 * already past: those alone). {@code since} and {@code until} are Unix times in seconds with an optional fraction (what
 * the docker CLI sends), RFC 3339, or a Go duration back from now ({@link DockerTime}); {@code filters} as
 * {@link EventFilter}.
 */
final class EventRoutes {
    private final Netwharf netwharf;

    EventRoutes(Netwharf netwharf) {
        this.netwharf = netwharf;
    }

    Route route() {
        return path("events", () -> get(() -> parameterMap(query -> ContainerRoutes.answer(() -> events(query)))));
    }

    private CompletionStage<HttpResponse> events(Map<String, String> query) {
        Instant since = time(query, "since");
        Instant until = time(query, "until");
        if (since != null && until != null && until.isBefore(since)) {
            throw DockerApiException.badRequest("`since` time (" + query.get("since") + ") cannot be after `until` time ("
                    + query.get("until") + ")");
        }
        EventFilter filter = EventFilter.parse(Optional.ofNullable(query.get("filters")));
        var lines = netwharf.events().subscribe(since, until, filter)
                .map(event -> ByteString.fromArray(DockerJson.bytes(EventJson.of(event))).concat(ByteString.fromString("\n")));
        return CompletableFuture.completedFuture(HttpResponse.create().withStatus(StatusCodes.OK)
                .addHeader(RawHeader.create("Cache-Control", "no-cache"))
                .withEntity(HttpEntities.createChunked(ContentTypes.APPLICATION_JSON, lines)));
    }

    private static Instant time(Map<String, String> query, String name) {
        String text = query.get(name);
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return DockerTime.until(text);
        } catch (DockerApiException e) {
            throw DockerApiException.badRequest("invalid " + name + " timestamp: " + e.getMessage());
        }
    }
}
