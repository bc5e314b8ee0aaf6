package io.netwharf.gateway;

import io.netwharf.container.ContainerLog;
import io.netwharf.container.ContainerView;
import io.netwharf.kernel.StdinPipe;

import org.apache.pekko.NotUsed;
import org.apache.pekko.http.impl.engine.server.UpgradeToOtherProtocolResponseHeader;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Predicate;

/**
 * {@code POST /containers/{id}/attach}, as the docker CLI, docker-compose and the SDKs use it: with
 * {@code Upgrade: tcp} the connection is hijacked (101, then raw bytes both ways): the container's output goes out in
 * the multiplexed frames of {@link ContainerLogs} (no TTY), and what the client writes goes to the process's stdin
 * when it was created with one ({@code -i}). Without the upgrade, the output comes as the body of a 200.
 *
 * <p>The output is the run under way, or else the next one (the CLI attaches before it starts the container), read
 * from the container's log as it is written ({@link ContainerLog#attach}); {@code logs=1} first gives what is in the
 * log. The stream ends when that run's process exits. The client's input ending (its half-close) ends the process's
 * stdin when the container was created with {@code StdinOnce}, as Docker.
 *
 * <p>pekko-http switches a connection to another protocol for a 101 that carries its internal
 * {@code UpgradeToOtherProtocolResponseHeader} (what its WebSocket support is built on); it has no public API for a
 * raw upgrade, so this class uses that header, from the pinned pekko-http version.
 */
final class ContainerAttach {
    private ContainerAttach() {}

    static HttpResponse response(ContainerView container, Map<String, String> query, HttpRequest request, Executor blocking) {
        boolean stdout = ContainerRoutes.flag(query, "stdout");
        boolean stderr = ContainerRoutes.flag(query, "stderr");
        boolean stream = ContainerRoutes.flag(query, "stream");
        boolean logs = ContainerRoutes.flag(query, "logs");
        ContainerLog log = container.log();
        Predicate<ContainerLog.Entry> kept = entry -> entry.stream().equals("stdout") ? stdout : stderr;
        Source<ByteString, NotUsed> output = Source.empty();
        if (logs) {
            output = ContainerLogs.frames(log.all(-1), kept, false);
        }
        if (stream) {
            output = output.concat(ContainerLogs.frames(log.attach(), kept, false));
        }
        Sink<ByteString, ?> input = ContainerRoutes.flag(query, "stdin") && stream && container.config().stdin().open()
                ? stdin(log, container.config().stdin().once(), blocking) : Sink.ignore();
        return hijacked(request, input, output);
    }

    /**
     * Switches the connection to raw streams when the client asked for it ({@code Upgrade: tcp}): {@code output} goes
     * out, what comes in goes to {@code input}; else {@code output} is the body of a 200.
     */
    static HttpResponse hijacked(HttpRequest request, Sink<ByteString, ?> input, Source<ByteString, NotUsed> output) {
        boolean upgrade = request.getHeader("Upgrade").map(h -> h.value().equalsIgnoreCase("tcp")).orElse(false);
        if (!upgrade) {
            return HttpResponse.create().withStatus(StatusCodes.OK)
                    .withEntity(HttpEntities.createChunked(ContainerLogs.MULTIPLEXED, output));
        }
        Flow<ByteString, ByteString, NotUsed> hijacked = Flow.fromSinkAndSource(input, output);
        @SuppressWarnings("unchecked")
        org.apache.pekko.stream.scaladsl.Flow<ByteString, ByteString, Object> handler =
                (org.apache.pekko.stream.scaladsl.Flow<ByteString, ByteString, Object>) (Object) hijacked.asScala();
        return HttpResponse.create().withStatus(StatusCodes.SWITCHING_PROTOCOLS)
                .withEntity(HttpEntities.create(ContainerLogs.MULTIPLEXED, new byte[0]))
                .addHeader(Connection.create("Upgrade"))
                .addHeader(RawHeader.create("Upgrade", "tcp"))
                .addHeader(new UpgradeToOtherProtocolResponseHeader(handler));
    }

    /**
     * Writes the client's bytes to the stdin of the run under way or the next one (bytes sent before the start wait
     * for it), on {@code blocking}: a full pipe holds the writer. With {@code once}, the end of the client's input
     * ends the process's stdin.
     */
    static Sink<ByteString, ?> stdin(ContainerLog log, boolean once, Executor blocking) {
        CompletionStage<ContainerLog.Run> run = log.runningOrNext();
        return Flow.<ByteString>create()
                .mapAsync(1, bytes -> run.thenApplyAsync(r -> r.stdin() != null && r.stdin().write(bytes.toArray()), blocking))
                .to(Sink.<Boolean>ignore().mapMaterializedValue(done -> done.whenComplete((ok, failure) -> {
                    if (once) { // after the last write: mapAsync completes once its writes have
                        run.thenAcceptAsync(r -> close(r.stdin()), blocking);
                    }
                })));
    }

    private static void close(StdinPipe stdin) {
        if (stdin != null) {
            stdin.close();
        }
    }
}
