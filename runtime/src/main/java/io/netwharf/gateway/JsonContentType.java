package io.netwharf.gateway;

import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;

import java.util.function.Supplier;

/**
 * moby's {@code CheckForJSON} (api/server/httputils) for the routes that read a JSON body: the body must be
 * declared {@code application/json}; only a request without a body may leave {@code Content-Type} out. A browser can
 * send {@code text/plain} to another origin without asking first, but not {@code application/json}, so this also
 * keeps pages from posting bodies. pekko-http gives a request without {@code Content-Type} the type
 * {@code application/octet-stream}, so that one cannot be told from a missing header: its message names both.
 */
public final class JsonContentType {
    private static final String JSON = "application/json";

    private JsonContentType() {}

    /** Answers 400 in moby's words when the request's body is not declared JSON; else {@code inner}. */
    public static Route required(Supplier<Route> inner) {
        return Directives.extractRequestEntity(entity -> {
            boolean maybeMissing = entity.getContentType().mediaType().equals(MediaTypes.APPLICATION_OCTET_STREAM);
            if (maybeMissing && hasNoBody(entity)) {
                return inner.get();
            }
            if (!entity.getContentType().mediaType().equals(MediaTypes.APPLICATION_JSON)) {
                return DockerErrors.error(StatusCodes.BAD_REQUEST, "unsupported Content-Type header ("
                        + (maybeMissing ? "none or " : "") + entity.getContentType() + "): must be '" + JSON + "'");
            }
            return inner.get();
        });
    }

    private static boolean hasNoBody(HttpEntity entity) {
        return entity.isKnownEmpty() || entity.getContentLengthOption().orElse(-1L) == 0;
    }
}
