package io.netwharf.gateway;

import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * The answer to a request so malformed that no route sees it (a request line or header too long, a broken header):
 * pekko-http's status and words, as Docker's JSON error like every other refusal of the gateway, on TCP and on the
 * Unix socket alike. Named in reference.conf ({@code netwharf.gateway.server.parsing.error-handler}).
 */
public final class DockerParsingErrors extends ParsingErrorHandler {
    @Override
    public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
        log.warning("Illegal request, responding with status '{}': {}", status, info.summary());
        return DockerErrors.response(status, info.summary());
    }
}
