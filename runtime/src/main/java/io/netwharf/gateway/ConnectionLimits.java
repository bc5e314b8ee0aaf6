package io.netwharf.gateway;

import com.typesafe.config.Config;

import java.time.Duration;

/**
 * How long a gateway connection may hold the daemon's resources without doing anything useful, from
 * {@code netwharf.gateway.connections} (see reference.conf). A request in progress is never cut by these: Docker's
 * {@code POST /containers/{id}/wait} parks until the container exits.
 *
 * @param idleTimeout      with no request in progress (just accepted, or after a response), how long the next
 *                         request's headers may take to arrive whole: closes idle keep-alive connections, and bounds
 *                         clients that trickle their headers in (as Go's IdleTimeout and ReadHeaderTimeout)
 * @param bodyTimeout      how long a request's body may take to arrive whole once its headers are in
 * @param shutdownDeadline on unbind, how long requests in progress have to be answered before they are answered 503
 *                         (or, when their answer has begun, cut)
 */
public record ConnectionLimits(Duration idleTimeout, Duration bodyTimeout, Duration shutdownDeadline) {
    public ConnectionLimits {
        for (Duration d : new Duration[] {idleTimeout, bodyTimeout, shutdownDeadline}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("connection timeouts must be positive, not " + d);
            }
        }
    }

    /** From the {@code netwharf.gateway.connections} section of {@code config}. */
    public static ConnectionLimits from(Config config) {
        Config c = config.getConfig("netwharf.gateway.connections");
        return new ConnectionLimits(c.getDuration("idle-timeout"), c.getDuration("request-body-timeout"), c.getDuration("shutdown-deadline"));
    }
}
