package io.netwharf.gateway;

import io.netwharf.DaemonConfig;
import io.netwharf.Netwharf;

import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.head;
import static org.apache.pekko.http.javadsl.server.Directives.path;

/**
 * The route the daemon serves. A placeholder for now: only {@code GET|HEAD /_ping}, answering 200 "OK" as dockerd
 * does; the Docker Engine API routes replace its body.
 */
public final class GatewayRoutes {
    private GatewayRoutes() {}

    public static Route forDaemon(Netwharf netwharf, DaemonConfig config) {
        HttpResponse ok = HttpResponse.create().withStatus(StatusCodes.OK)
                .withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, "OK"));
        return path("_ping", () -> concat(get(() -> complete(ok)), head(() -> complete(ok))));
    }
}
