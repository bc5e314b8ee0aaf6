package io.netwharf.gateway;

import com.typesafe.config.Config;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The gateway's listeners: one route served on every address given, Unix sockets through {@link UnixSocketListener}
 * and TCP through pekko-http, with TLS as {@link TlsOptions} say. Server settings are {@code netwharf.gateway.server}
 * laid over {@code pekko.http.server}.
 */
public final class Gateway {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    /** How long TCP requests in flight may take to answer once unbinding starts; then their connections close. */
    private static final Duration TCP_TERMINATION_DEADLINE = Duration.ofSeconds(1);

    private final List<Listener> listeners;

    private record Listener(String address, Supplier<CompletionStage<Done>> unbind) {}

    private Gateway(List<Listener> listeners) {
        this.listeners = List.copyOf(listeners);
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
        Route sealed = route.seal();
        ServerSettings settings = serverSettings(system);
        CompletableFuture<Gateway> result = new CompletableFuture<>();
        bindFrom(system, addresses.stream().distinct().toList(), 0, sealed, settings, tls, new ArrayList<>(), result);
        return result;
    }

    /** What is listened on, e.g. {@code unix:///run/netwharf/netwharf.sock}, {@code tcp://127.0.0.1:39211}. */
    public List<String> boundAddresses() {
        return listeners.stream().map(Listener::address).toList();
    }

    /**
     * Stops listening everywhere and closes the connections: Unix sockets at once (their files are removed), TCP
     * after requests in flight have had a second to answer.
     */
    public CompletionStage<Done> unbind() {
        return unbindAll(listeners);
    }

    /** The gateway's pekko-http settings: {@code netwharf.gateway.server} over {@code pekko.http.server}. */
    public static ServerSettings serverSettings(ActorSystem<?> system) {
        Config config = system.settings().config();
        return ServerSettings.create(config.getConfig("netwharf.gateway.server").atPath("pekko.http.server").withFallback(config));
    }

    private static void bindFrom(ActorSystem<?> system, List<ListenAddress> addresses, int index, Route route,
                                 ServerSettings settings, TlsOptions tls, List<Listener> bound, CompletableFuture<Gateway> result) {
        if (index == addresses.size()) {
            result.complete(new Gateway(bound));
            return;
        }
        ListenAddress address = addresses.get(index);
        bindOne(system, address, route, settings, tls).whenComplete((listener, failure) -> {
            if (failure == null) {
                bound.add(listener);
                bindFrom(system, addresses, index + 1, route, settings, tls, bound, result);
            } else {
                Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                unbindAll(bound).whenComplete((done, ignored) -> result.completeExceptionally(
                        new IllegalStateException("cannot listen on " + address + ": " + cause.getMessage(), cause)));
            }
        });
    }

    private static CompletionStage<Listener> bindOne(ActorSystem<?> system, ListenAddress address, Route route,
                                                     ServerSettings settings, TlsOptions tls) {
        if (address instanceof ListenAddress.Unix unix) {
            try {
                UnixSocketListener listener = UnixSocketListener.bind(system, unix.path(), route.flow(system), settings);
                return CompletableFuture.completedFuture(new Listener(address.toString(), listener::unbind));
            } catch (IOException | RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        ListenAddress.Tcp tcp = (ListenAddress.Tcp) address;
        Optional<String> refusal = TcpExposure.refusal(tcp, tls);
        if (refusal.isPresent()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(refusal.get()));
        }
        ServerBuilder server = Http.get(system).newServerAt(tcp.host(), tcp.port()).withSettings(settings);
        Route served = route;
        if (tls.enabled()) {
            try {
                server = server.enableHttps(ServerTls.load(tls).connectionContext());
            } catch (IllegalArgumentException e) {
                return CompletableFuture.failedFuture(e);
            }
        } else {
            // A browser accepts no certificate for a rebound name, so only plain HTTP needs the Host check.
            served = BrowserGuard.checkHost(tcp, route);
        }
        LOG.info("{}: {}", tcp, tls.describe());
        TcpExposure.warnings(tcp, tls).forEach(LOG::warn);
        return server.bind(served)
                .thenApply(binding -> new Listener(new ListenAddress.Tcp(tcp.host(), binding.localAddress().getPort()).toString(),
                        () -> binding.terminate(TCP_TERMINATION_DEADLINE).thenApply(terminated -> Done.getInstance())));
    }

    private static CompletionStage<Done> unbindAll(List<Listener> listeners) {
        CompletableFuture<?>[] unbinding = listeners.stream()
                .map(listener -> listener.unbind().get().toCompletableFuture())
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(unbinding).thenApply(all -> Done.getInstance());
    }
}
