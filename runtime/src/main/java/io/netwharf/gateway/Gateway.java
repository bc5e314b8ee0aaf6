package io.netwharf.gateway;

import com.typesafe.config.Config;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.stream.javadsl.Flow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The gateway's listeners: one route served on every address given, Unix sockets through {@link UnixSocketListener}
 * and TCP through pekko-http, with TLS as {@link TlsOptions} say; every connection behind a {@link ConnectionGuard}
 * ({@link ConnectionLimits}). Server settings are {@code netwharf.gateway.server} laid over {@code pekko.http.server}.
 */
public final class Gateway {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    /** After the guards drained a TCP listener, how long pekko-http may take to close what is left. */
    private static final Duration TCP_TERMINATION_DEADLINE = Duration.ofSeconds(1);

    private final List<Listener> listeners;

    private final ConnectionLimits limits;

    private record Listener(String address, Function<Duration, CompletionStage<Done>> unbind) {}

    /** What every listener is served with. */
    private record Serving(Route route, ServerSettings settings, ConnectionLimits limits, TlsOptions tls) {}

    private Gateway(List<Listener> listeners, ConnectionLimits limits) {
        this.listeners = List.copyOf(listeners);
        this.limits = limits;
    }

    /** Binds every address, TCP without TLS: see {@link #bind(ActorSystem, List, Route, TlsOptions)}. */
    public static CompletionStage<Gateway> bind(ActorSystem<?> system, List<ListenAddress> addresses, Route route) {
        return bind(system, addresses, route, TlsOptions.notGiven());
    }

    /**
     * Binds every address, in order; TCP ones as {@code tls} says, and refused on a non-loopback address without
     * client authentication unless the user chose that explicitly ({@link TcpExposure}). If one cannot be bound,
     * those already bound are unbound and the stage fails with an {@link IllegalStateException} naming the address
     * and why.
     */
    public static CompletionStage<Gateway> bind(ActorSystem<?> system, List<ListenAddress> addresses, Route route, TlsOptions tls) {
        if (addresses.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no address to listen on"));
        }
        Serving serving = new Serving(route.seal(), serverSettings(system), ConnectionLimits.from(system.settings().config()), tls);
        CompletableFuture<Gateway> result = new CompletableFuture<>();
        bindFrom(system, addresses.stream().distinct().toList(), 0, serving, new ArrayList<>(), result);
        return result;
    }

    /** What is listened on, e.g. {@code unix:///run/netwharf/netwharf.sock}, {@code tcp://127.0.0.1:39211}. */
    public List<String> boundAddresses() {
        return listeners.stream().map(Listener::address).toList();
    }

    /** {@link #unbind(Duration)} with the configured deadline ({@code netwharf.gateway.connections.shutdown-deadline}). */
    public CompletionStage<Done> unbind() {
        return unbind(limits.shutdownDeadline());
    }

    /**
     * Stops listening everywhere (Unix socket files are removed) and closes the connections: idle ones at once, the
     * others once their request is answered (with {@code Connection: close}). Past {@code deadline}, a request still
     * unanswered is answered 503 and its connection closed. Completes when every connection is closed.
     */
    public CompletionStage<Done> unbind(Duration deadline) {
        return unbindAll(listeners, deadline);
    }

    /** The gateway's pekko-http settings: {@code netwharf.gateway.server} over {@code pekko.http.server}. */
    public static ServerSettings serverSettings(ActorSystem<?> system) {
        Config config = system.settings().config();
        return ServerSettings.create(config.getConfig("netwharf.gateway.server").atPath("pekko.http.server").withFallback(config));
    }

    private static void bindFrom(ActorSystem<?> system, List<ListenAddress> addresses, int index, Serving serving,
                                 List<Listener> bound, CompletableFuture<Gateway> result) {
        if (index == addresses.size()) {
            result.complete(new Gateway(bound, serving.limits()));
            return;
        }
        ListenAddress address = addresses.get(index);
        bindOne(system, address, serving).whenComplete((listener, failure) -> {
            if (failure == null) {
                bound.add(listener);
                bindFrom(system, addresses, index + 1, serving, bound, result);
            } else {
                Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                unbindAll(bound, serving.limits().shutdownDeadline()).whenComplete((done, ignored) -> result.completeExceptionally(
                        new IllegalStateException("cannot listen on " + address + ": " + cause.getMessage(), cause)));
            }
        });
    }

    private static CompletionStage<Listener> bindOne(ActorSystem<?> system, ListenAddress address, Serving serving) {
        if (address instanceof ListenAddress.Unix unix) {
            try {
                UnixSocketListener listener = UnixSocketListener.bind(system, unix.path(), serving.route().flow(system),
                        serving.settings(), serving.limits());
                return CompletableFuture.completedFuture(new Listener(address.toString(), listener::unbind));
            } catch (IOException | RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        ListenAddress.Tcp tcp = (ListenAddress.Tcp) address;
        TlsOptions tls = serving.tls();
        Optional<String> refusal = TcpExposure.refusal(tcp, tls);
        if (refusal.isPresent()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(refusal.get()));
        }
        ServerBuilder server = Http.get(system).newServerAt(tcp.host(), tcp.port()).withSettings(serving.settings());
        Route served = serving.route();
        if (tls.enabled()) {
            try {
                server = server.enableHttps(ServerTls.load(tls).connectionContext());
            } catch (IllegalArgumentException e) {
                return CompletableFuture.failedFuture(e);
            }
        } else {
            // A browser accepts no certificate for a rebound name, so only plain HTTP needs the Host check.
            served = BrowserGuard.checkHost(tcp, served);
        }
        LOG.info("{}: {}", tcp, tls.describe());
        TcpExposure.warnings(tcp, tls).forEach(LOG::warn);
        GuardedConnections connections = new GuardedConnections(serving.limits(), serving.settings().getMaxConnections());
        Flow<HttpRequest, HttpResponse, NotUsed> guarded = connections.guard(served.flow(system));
        return server.bindFlow(guarded)
                .thenApply(binding -> new Listener(new ListenAddress.Tcp(tcp.host(), binding.localAddress().getPort()).toString(),
                        deadline -> unbindTcp(binding, connections, deadline)));
    }

    /** Stops accepting, lets the guards drain the connections, then has pekko-http close what is left. */
    private static CompletionStage<Done> unbindTcp(ServerBinding binding, GuardedConnections connections, Duration deadline) {
        return binding.unbind()
                .thenCompose(unbound -> connections.drain(deadline))
                .thenCompose(drained -> binding.terminate(TCP_TERMINATION_DEADLINE))
                .thenApply(terminated -> Done.getInstance());
    }

    private static CompletionStage<Done> unbindAll(List<Listener> listeners, Duration deadline) {
        CompletableFuture<?>[] unbinding = listeners.stream()
                .map(listener -> listener.unbind().apply(deadline).toCompletableFuture())
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(unbinding).thenApply(all -> Done.getInstance());
    }
}
