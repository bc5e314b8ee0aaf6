package io.netwharf.launcher;

import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Docker Engine API over HTTP/1.1 keep-alive connections, on netwharf's Unix socket ({@code unix:///path}) or
 * TCP ({@code tcp://host:port}), at most {@code connections} of them, each reused from request to request.
 *
 * <p>Apache HttpClient 5's <em>async</em> client, because it is the one that does Unix sockets without a native
 * library: since 5.6 a request's {@link RequestConfig#getUnixDomainSocket()} routes it to a Unix socket, which the
 * async client's I/O reactor opens as a JDK {@code SocketChannel} (JEP 380), while the classic blocking client
 * refuses the JDK's sockets ("JEP 380 Unix domain sockets are not supported; use JUnixSocket": it is written against
 * {@code java.net.Socket}, which the JDK gives no Unix-socket form). One I/O thread serves every connection; callers
 * block on the answer ({@link #send}), so C client threads with one request in flight each keep C connections busy.
 * Retries, redirects, cookies, auth caching and compression are off: nothing but the request and its answer.
 */
public final class ApiClient implements AutoCloseable {
    /** The API version in every path. */
    public static final String VERSION = "/v1.51";

    private final CloseableHttpAsyncClient client;
    private final String base;
    private final String description;
    private final Timeout timeout;

    /** An answer: the status and the body as text. */
    public record Response(int status, String body) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private ApiClient(CloseableHttpAsyncClient client, String base, String description, Timeout timeout) {
        this.client = client;
        this.base = base;
        this.description = description;
        this.timeout = timeout;
    }

    /**
     * A client for {@code host} ({@code unix:///path} or {@code tcp://host:port}) with at most {@code connections}
     * connections; each request fails after {@code timeout}.
     */
    public static ApiClient connect(String host, int connections, Timeout timeout) {
        URI uri = URI.create(host);
        Path unixSocket = null;
        String base;
        if ("unix".equals(uri.getScheme())) {
            unixSocket = Path.of(uri.getPath());
            base = "http://localhost";
        } else if ("tcp".equals(uri.getScheme()) || "http".equals(uri.getScheme())) {
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("no host in " + host);
            }
            base = "http://" + uri.getHost() + ":" + (uri.getPort() < 0 ? 2375 : uri.getPort());
        } else {
            throw new IllegalArgumentException("expected unix:///path or tcp://host:port, not " + host);
        }
        PoolingAsyncClientConnectionManager pool = PoolingAsyncClientConnectionManagerBuilder.create()
                .setMaxConnTotal(connections)
                .setMaxConnPerRoute(connections)
                // A pooled connection the daemon closed while idle (its gateway's idle timeout, 60 s by default) would
                // fail the next request on it with "connection closed by peer": check one idle for over a second
                // before reusing it, and close those idle for 30 s.
                .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(timeout).setSocketTimeout(timeout)
                        .setValidateAfterInactivity(TimeValue.ofSeconds(1)).build())
                .build();
        RequestConfig.Builder requests = RequestConfig.custom().setResponseTimeout(timeout).setConnectionRequestTimeout(timeout);
        if (unixSocket != null) {
            requests.setUnixDomainSocket(unixSocket);
        }
        CloseableHttpAsyncClient client = HttpAsyncClients.custom()
                .setConnectionManager(pool)
                .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(1).setSoTimeout(timeout).build())
                .setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_1)
                .setDefaultRequestConfig(requests.build())
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .disableAuthCaching()
                .disableConnectionState()
                .disableContentCompression()
                .evictIdleConnections(TimeValue.ofSeconds(30))
                .build();
        client.start();
        return new ApiClient(client, base, host, timeout);
    }

    public Response get(String path) throws IOException {
        return send(SimpleRequestBuilder.get(base + VERSION + path).build());
    }

    public Response post(String path, String json) throws IOException {
        SimpleRequestBuilder request = SimpleRequestBuilder.post(base + VERSION + path);
        if (json != null) {
            request.setBody(json, ContentType.APPLICATION_JSON);
        }
        return send(request.build());
    }

    public Response delete(String path) throws IOException {
        return send(SimpleRequestBuilder.delete(base + VERSION + path).build());
    }

    /** Sends the request and waits for its answer; an I/O failure or no answer in time is an IOException. */
    public Response send(SimpleHttpRequest request) throws IOException {
        try {
            SimpleHttpResponse response = client.execute(request, null).get(timeout.toMilliseconds() + 1000, TimeUnit.MILLISECONDS);
            return new Response(response.getCode(), response.getBodyText() == null ? "" : response.getBodyText());
        } catch (ExecutionException e) {
            throw new IOException(request.getMethod() + " " + request.getPath() + " on " + description + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException(request.getMethod() + " " + request.getPath() + " on " + description + ": no answer in " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Where the client connects, as given. */
    public String host() {
        return description;
    }

    @Override
    public void close() {
        client.close(CloseMode.GRACEFUL);
    }
}
