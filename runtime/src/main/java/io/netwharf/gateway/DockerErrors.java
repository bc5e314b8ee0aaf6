package io.netwharf.gateway;

import io.netwharf.protocol.model.NetwharfException;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MethodRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamException;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.http.scaladsl.model.IllegalRequestException;
import org.apache.pekko.http.scaladsl.model.ParsingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

/**
 * Errors as Docker sends them: {@code {"message": "..."}} with {@code Content-Type: application/json} and the status
 * Docker uses. {@link #exceptionHandler()} and {@link #rejectionHandler()} turn every failure and rejection of the
 * API's routes into such a response; a 500 is answered only for real faults, and those are logged.
 */
public final class DockerErrors {
    private static final Logger LOG = LoggerFactory.getLogger(DockerErrors.class);

    private DockerErrors() {}

    /** An error response: {@code {"message": message}}. */
    public static HttpResponse response(StatusCode status, String message) {
        return HttpResponse.create().withStatus(status)
                .withEntity(ContentTypes.APPLICATION_JSON, DockerJson.bytes(Map.of("message", message == null ? "" : message)));
    }

    public static Route error(StatusCode status, String message) {
        return Directives.complete(response(status, message));
    }

    public static StatusCode status(NetwharfException.Kind kind) {
        return switch (kind) {
            case BAD_PARAMETER -> StatusCodes.BAD_REQUEST;
            case FORBIDDEN -> StatusCodes.FORBIDDEN;
            case NOT_FOUND -> StatusCodes.NOT_FOUND;
            case CONFLICT -> StatusCodes.CONFLICT;
            case INTERNAL -> StatusCodes.INTERNAL_SERVER_ERROR;
        };
    }

    /** The response for a failure of a route or of a stage it waited for. */
    public static HttpResponse response(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof NetwharfException e) {
            if (e.kind() == NetwharfException.Kind.INTERNAL) {
                LOG.error("request failed: {}", e.getMessage(), e);
            }
            return response(status(e.kind()), e.getMessage());
        }
        if (cause instanceof DockerApiException e) {
            return response(StatusCodes.get(e.status()), e.getMessage());
        }
        if (cause instanceof EntityStreamSizeException) {
            return response(StatusCodes.PAYLOAD_TOO_LARGE, DockerJson.TOO_LARGE);
        }
        // The request itself was malformed (its framing, a header): the client's fault, in pekko-http's words.
        if (cause instanceof EntityStreamException e) {
            return response(StatusCodes.BAD_REQUEST, "invalid request body: " + e.info().summary());
        }
        if (cause instanceof IllegalRequestException e) {
            return response(e.status(), e.info().summary());
        }
        if (cause instanceof ParsingException e) {
            return response(StatusCodes.BAD_REQUEST, e.info().summary());
        }
        LOG.error("request failed", cause);
        return response(StatusCodes.INTERNAL_SERVER_ERROR, "internal error: " + cause);
    }

    public static Route failure(Throwable failure) {
        return Directives.complete(response(failure));
    }

    /** Strips the wrappers that futures put around the failure that matters. */
    public static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    public static ExceptionHandler exceptionHandler() {
        return ExceptionHandler.newBuilder().match(Throwable.class, DockerErrors::failure).build();
    }

    /**
     * Rejections as JSON: no route matched → 404 {@code page not found} (as Docker's router), a wrong method → 405,
     * everything else with Pekko's status and text, wrapped into {@code {"message": ...}}.
     */
    public static RejectionHandler rejectionHandler() {
        return RejectionHandler.newBuilder()
                .handleAll(MethodRejection.class, rejections -> error(StatusCodes.METHOD_NOT_ALLOWED,
                        "method not allowed; supported: " + rejections.stream().map(r -> r.supported().name())
                                .distinct().collect(Collectors.joining(", "))))
                .handleNotFound(error(StatusCodes.NOT_FOUND, "page not found"))
                .build()
                .withFallback(RejectionHandler.defaultHandler())
                .mapRejectionResponse(DockerErrors::asJson);
    }

    /** A plain-text error response of Pekko's, rewritten as Docker's JSON error; JSON responses pass unchanged. */
    static HttpResponse asJson(HttpResponse response) {
        if (response.entity().getContentType().mediaType().equals(MediaTypes.APPLICATION_JSON)) {
            return response;
        }
        String text = response.entity() instanceof HttpEntity.Strict strict ? strict.getData().utf8String() : response.status().reason();
        return response.withEntity(ContentTypes.APPLICATION_JSON, DockerJson.bytes(Map.of("message", text)));
    }
    /**
     * Why a request body could not be read, as the client's fault, for the guard that reads bodies
     * ({@link ConnectionGuard}) and for a route that reads one itself ({@link DockerJson#body}): one that stopped
     * arriving within {@code timeout} is a 408 (the connection is then closed, as Go's server does on a read
     * timeout), one over the limit a 413, broken chunked framing or a body cut short by the client a 400 in
     * pekko-http's words.
     */
    static DockerApiException unreadableBody(Throwable failure, java.time.Duration timeout) {
        Throwable cause = unwrap(failure);
        if (cause instanceof EntityStreamSizeException) {
            return new DockerApiException(413, DockerJson.TOO_LARGE);
        }
        if (cause instanceof java.util.concurrent.TimeoutException) {
            return new DockerApiException(408, "the request body did not arrive within " + timeout.toSeconds() + " s");
        }
        String why = cause instanceof EntityStreamException e ? e.info().summary() : String.valueOf(cause.getMessage());
        return DockerApiException.badRequest("invalid request body: " + why);
    }
}
