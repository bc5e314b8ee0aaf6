package io.netwharf.gateway;

import org.apache.pekko.Done;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Sits between pekko-http's server layer and the route, one per connection, and keeps a connection from holding the
 * daemon while it does nothing useful. It knows what the bytes cannot tell: whether a request is in progress.
 * <ul>
 *   <li>With no request in progress (just accepted, or its last answer written whole), the next request's headers
 *   must arrive within the idle timeout, else the connection is closed: idle keep-alive connections go, and so do
 *   clients trickling their headers in.</li>
 *   <li>A request's body must arrive whole within the body timeout (it is read here, so the route always gets a
 *   strict entity: the API takes small JSON documents), else it is answered 408 and the connection closed.</li>
 *   <li>A request in progress is never cut: Docker's container wait parks for hours, its answer's body comes when
 *   the container exits. The request counts as in progress until its answer's body is written whole; a connection
 *   switched to the container's streams (attach, 101) for as long as it stays open.</li>
 *   <li>When the listener stops ({@link GuardedConnections#drain}), a connection idle for a second or more since
 *   its last answer closes at once; one answered less than a second ago gets that second, and a new one the deadline,
 *   to deliver a request it may have sent already (its bytes cannot be seen from here); a busy one closes after its
 *   answer (sent with {@code Connection: close}); past the deadline a request still unanswered is
 *   answered 503, and an answer still being written is cut.</li>
 * </ul>
 * Completing the stage closes the connection: pekko-http's server layer ends the connection when the responses end.
 */
final class ConnectionGuard extends GraphStage<BidiShape<HttpResponse, HttpResponse, HttpRequest, HttpRequest>> {
    private final Inlet<HttpResponse> responseIn = Inlet.create("ConnectionGuard.responseIn");
    private final Outlet<HttpResponse> responseOut = Outlet.create("ConnectionGuard.responseOut");
    private final Inlet<HttpRequest> requestIn = Inlet.create("ConnectionGuard.requestIn");
    private final Outlet<HttpRequest> requestOut = Outlet.create("ConnectionGuard.requestOut");
    private final BidiShape<HttpResponse, HttpResponse, HttpRequest, HttpRequest> shape =
            BidiShape.of(responseIn, responseOut, requestIn, requestOut);
    private final ConnectionLimits limits;
    private final GuardedConnections connections;

    ConnectionGuard(ConnectionLimits limits, GuardedConnections connections) {
        this.limits = limits;
        this.connections = connections;
    }

    @Override
    public BidiShape<HttpResponse, HttpResponse, HttpRequest, HttpRequest> shape() {
        return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes inheritedAttributes) {
        return new Logic();
    }

    private static final String IDLE = "idle";
    private static final String SHUTDOWN_DEADLINE = "shutdown-deadline";
    /** On drain, how long a connection idle for less than this may still deliver a request it may have sent. */
    private static final Duration DRAIN_GRACE = Duration.ofSeconds(1);

    private final class Logic extends TimerGraphStageLogic implements GuardedConnections.Member {
        private final CompletableFuture<Done> closed = new CompletableFuture<>();
        /** Since when no request is in progress (System.nanoTime), or Long.MAX_VALUE while one is. */
        private volatile long idleSince = System.nanoTime();
        /** The request in progress has been handed to the route (its body read), and no answer came back yet. */
        private boolean awaitingAnswer;
        /** A request's body is being read, before it goes to the route. */
        private boolean readingBody;
        /** The client will send no more requests; the route's input ends once the last one is handed over. */
        private boolean requestsEnded;
        private boolean draining;
        private boolean answeredAny;
        private final AsyncCallback<Boolean> evict = createAsyncCallback(ignored -> {
            if (idleSince != Long.MAX_VALUE) {
                completeStage();
            }
        });
        private final AsyncCallback<Duration> drain = createAsyncCallback(this::onDrain);
        private final AsyncCallback<Boolean> answerWritten = createAsyncCallback(ignored -> onAnswerWritten());
        private final AsyncCallback<BodyRead> bodyRead = createAsyncCallback(this::onBodyRead);

        Logic() {
            super(shape);
            setHandler(requestIn, new AbstractInHandler() {
                @Override
                public void onPush() {
                    onRequest(grab(requestIn));
                }

                @Override
                public void onUpstreamFinish() {
                    // The client sent its last request (Connection: close, HTTP/1.0, a body refused by size) or went away;
                    // the answer may still go out.
                    requestsEnded = true;
                    if (!readingBody) {
                        complete(requestOut);
                    }
                }
            });
            setHandler(requestOut, new AbstractOutHandler() {
                @Override
                public void onPull() {
                    if (!hasBeenPulled(requestIn) && !isClosed(requestIn)) {
                        pull(requestIn);
                    }
                }
            });
            setHandler(responseIn, new AbstractInHandler() {
                @Override
                public void onPush() {
                    onAnswer(grab(responseIn));
                }
            });
            setHandler(responseOut, new AbstractOutHandler() {
                @Override
                public void onPull() {
                    if (!hasBeenPulled(responseIn) && !isClosed(responseIn)) {
                        pull(responseIn);
                    }
                }
            });
        }

        @Override
        public void preStart() {
            scheduleOnce(IDLE, limits.idleTimeout());
            connections.joined(this);
        }

        @Override
        public void postStop() {
            connections.left(this);
            closed.complete(Done.getInstance());
        }

        private void onRequest(HttpRequest request) {
            cancelTimer(IDLE);
            idleSince = Long.MAX_VALUE;
            HttpEntity entity = request.entity();
            if (entity.isStrict()) {
                handOver(request);
                return;
            }
            readingBody = true;
            entity.toStrict(limits.bodyTimeout().toMillis(), materializer())
                    .whenComplete((strict, failure) -> bodyRead.invoke(new BodyRead(request, strict, failure)));
        }

        private record BodyRead(HttpRequest request, HttpEntity.Strict body, Throwable failure) {}

        private void onBodyRead(BodyRead read) {
            readingBody = false;
            if (read.failure() == null) {
                handOver(read.request().withEntity(read.body()));
                return;
            }
            DockerApiException refusal = DockerErrors.unreadableBody(read.failure(), limits.bodyTimeout());
            answerAndClose(StatusCodes.get(refusal.status()), refusal.getMessage());
        }

        private void handOver(HttpRequest request) {
            awaitingAnswer = true;
            push(requestOut, request);
            if (requestsEnded) {
                complete(requestOut);
            }
        }

        private void onAnswer(HttpResponse response) {
            awaitingAnswer = false;
            HttpResponse answer = draining ? response.addHeader(Connection.create("close")) : response;
            if (answer.status().intValue() == StatusCodes.SWITCHING_PROTOCOLS.intValue()) {
                // Hijacked (attach): the connection carries the container's streams from now on, in progress until it closes.
                push(responseOut, answer);
                return;
            }
            if (answer.entity().isStrict()) {
                push(responseOut, answer);
                onAnswerWritten();
                return;
            }
            // A streamed answer (a wait's body comes when the container exits): in progress until its body is done.
            push(responseOut, answer.withEntity(watched(answer.entity())));
        }

        /** The same entity, of the same kind, telling this stage when its body has been written (or given up). */
        private ResponseEntity watched(ResponseEntity entity) {
            Source<ByteString, ?> data = entity.getDataBytes().watchTermination((mat, done) -> {
                done.whenComplete((ok, failure) -> answerWritten.invoke(true));
                return mat;
            });
            ContentType type = entity.getContentType();
            if (entity instanceof HttpEntity.Chunked) {
                return HttpEntities.createChunked(type, data);
            }
            if (entity instanceof HttpEntity.Default && entity.getContentLengthOption().isPresent()) {
                return HttpEntities.create(type, entity.getContentLengthOption().getAsLong(), data);
            }
            return HttpEntities.createCloseDelimited(type, data);
        }

        private void onAnswerWritten() {
            answeredAny = true;
            if (draining) {
                completeStage();
                return;
            }
            idleSince = System.nanoTime();
            scheduleOnce(IDLE, limits.idleTimeout());
        }

        private void onDrain(Duration deadline) {
            if (draining) {
                return;
            }
            draining = true;
            scheduleOnce(SHUTDOWN_DEADLINE, deadline);
            if (idleSince == Long.MAX_VALUE) {
                return; // closes after its answer
            }
            // A request may have been sent and not read yet: on a new connection (as Go's Shutdown spares new
            // connections), or on one answered a moment ago. Those get until the deadline, or a second; the others,
            // idle, are closed now.
            if (!answeredAny) {
                return;
            }
            Duration idleFor = Duration.ofNanos(System.nanoTime() - idleSince);
            Duration grace = DRAIN_GRACE.compareTo(deadline) < 0 ? DRAIN_GRACE : deadline;
            if (idleFor.compareTo(grace) >= 0) {
                completeStage();
            } else {
                scheduleOnce(IDLE, grace.minus(idleFor));
            }
        }

        @Override
        public void onTimer(Object key) {
            if (key.equals(SHUTDOWN_DEADLINE) && awaitingAnswer) {
                answerAndClose(StatusCodes.SERVICE_UNAVAILABLE, "netwharf is shutting down and could not finish this request in time");
            } else {
                completeStage(); // idle too long, or an answer still being written at the shutdown deadline
            }
        }

        /** Answers in the route's stead (its answer, if one comes, is dropped) and closes the connection. */
        private void answerAndClose(StatusCode status, String message) {
            cancelTimer(IDLE);
            cancelTimer(SHUTDOWN_DEADLINE);
            cancel(responseIn);
            complete(requestOut);
            HttpResponse answer = DockerErrors.response(status, message).addHeader(Connection.create("close"));
            emit(responseOut, answer, this::completeStage);
        }

        @Override
        public long idleSince() {
            return idleSince;
        }

        @Override
        public void evict() {
            evict.invoke(true);
        }

        @Override
        public void drain(Duration deadline) {
            drain.invoke(deadline);
        }

        @Override
        public CompletionStage<Done> closed() {
            return closed;
        }
    }
}
