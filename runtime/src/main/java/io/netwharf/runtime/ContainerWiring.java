package io.netwharf.runtime;

import io.netwharf.actor.Asks;
import io.netwharf.actor.KernelErrors;
import io.netwharf.network.NetworkHandle;
import io.netwharf.protocol.model.EndpointInfo;
import io.netwharf.protocol.model.EndpointSpec;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.sandbox.SandboxActor;
import io.netwharf.store.Change;
import io.netwharf.store.Store;
import io.netwharf.store.StoredSandbox;

import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The saga that gives a new container its namespace and its networks, one per creation, a child of the runtime:
 * the sandbox's {@code Create}, then a {@code Connect} per network (each recording its endpoint before its link is
 * made), all sent at once (the sandbox handles them in
 * order, one at a time, and each of them undoes its own half-made work), then its published ports forwarded, then
 * the sandbox recorded in the store before the runtime hears of it. When any fails, the undo is the sandbox's
 * {@code Destroy}, sent once every answer is in, so it cannot overtake a {@code Connect} still queued; the runtime
 * hears the failure of the first step that failed once the sandbox is gone, or with what was left when the undo
 * failed too.
 */
final class ContainerWiring {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerWiring.class);

    /** A network the container joins, and how. */
    record Join(NetworkHandle network, EndpointSpec spec) {}

    /** The container's published ports: forwarded once its endpoints exist, taken back by the undo. */
    interface Publishing {
        Publishing NONE = new Publishing() {
            public CompletionStage<Void> publish(List<EndpointInfo> endpoints) {
                return CompletableFuture.completedFuture(null);
            }

            public CompletionStage<Void> unpublish() {
                return CompletableFuture.completedFuture(null);
            }
        };

        /** {@code endpoints}: in the order of the joins; the ports go to the first one's address. */
        CompletionStage<Void> publish(List<EndpointInfo> endpoints);

        CompletionStage<Void> unpublish();
    }

    /** What the runtime hears, about the container {@code containerId}. */
    sealed interface Outcome {
        String containerId();
    }

    /** Wired: the namespace's path and the endpoints, in the order of the joins. */
    record Wired(String containerId, String sandboxKey, List<EndpointInfo> endpoints) implements Outcome {}

    /** Failed, and undone; {@code leftover} says what the undo could not remove (null: nothing is left). */
    record Failed(String containerId, NetwharfException error, String leftover) implements Outcome {}

    sealed interface Command {}

    /** Every step's answer, in order: its value, or a {@link StepFailed}. */
    private record Answered(List<Object> results) implements Command {}

    private record StepFailed(String step, Throwable cause) {}

    private record Destroyed(StepFailed failed, Throwable undoFailure) implements Command {}

    /** The ports are forwarded, or failed to be. */
    private record Published(Answered answered, Throwable failure) implements Command {}

    /** The store has the sandbox as done, or failed to. */
    private record Recorded(Answered answered, Throwable failure) implements Command {}

    /** The store has forgotten the sandbox of a failed creation (or could not: a restart drops its intent record). */
    private record Forgotten(Failed outcome) implements Command {}

    private ContainerWiring() {}

    /**
     * {@code record}: the sandbox as the store is to keep it once made. It is written then, not before: a namespace a
     * crash leaves half made is found under the exec root, and its endpoints have records of their own from before
     * their links existed.
     */
    static Behavior<Command> create(ActorRef<SandboxActor.Command> sandbox, StoredSandbox record, List<Join> joins, Store store,
                                    Publishing publishing, Duration timeout, ActorRef<Outcome> replyTo) {
        String containerId = record.containerId();
        String label = record.label();
        return Behaviors.setup(context -> {
            Scheduler scheduler = context.getSystem().scheduler();
            List<CompletableFuture<Object>> steps = new ArrayList<>();
            steps.add(answer(Asks.askWithStatus(sandbox, SandboxActor.Create::new, timeout, scheduler), "create its namespace"));
            for (Join join : joins) {
                steps.add(answer(Asks.<SandboxActor.Command, EndpointInfo>askWithStatus(sandbox,
                        r -> new SandboxActor.Connect(join.network(), join.spec(), r), timeout, scheduler),
                        "connect it to network " + join.network().name()));
            }
            CompletableFuture<List<Object>> answers = CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new))
                    .thenApply(v -> steps.stream().map(CompletableFuture::join).toList());
            context.pipeToSelf(answers, (results, never) -> new Answered(results));
            return Behaviors.receive(Command.class)
                    .onMessage(Answered.class, answered -> {
                        StepFailed failed = (StepFailed) answered.results().stream().filter(r -> r instanceof StepFailed)
                                .findFirst().orElse(null);
                        if (failed != null) {
                            return undo(context, sandbox, record, store, Publishing.NONE, timeout, replyTo, failed);
                        }
                        context.pipeToSelf(publishing.publish(endpointsOf(answered)), (done, failure) -> new Published(answered, failure));
                        return Behaviors.same();
                    })
                    .onMessage(Published.class, published -> {
                        if (published.failure() != null) {
                            return undo(context, sandbox, record, store, Publishing.NONE, timeout, replyTo,
                                    new StepFailed("publish its ports", published.failure()));
                        }
                        context.pipeToSelf(store.apply(new Change.PutSandbox(record)),
                                (done, failure) -> new Recorded(published.answered(), failure));
                        return Behaviors.same();
                    })
                    .onMessage(Recorded.class, recorded -> {
                        if (recorded.failure() != null) {
                            return undo(context, sandbox, record, store, publishing, timeout, replyTo,
                                    new StepFailed("record it in the store", recorded.failure()));
                        }
                        List<Object> results = recorded.answered().results();
                        replyTo.tell(new Wired(containerId, (String) results.get(0), endpointsOf(recorded.answered())));
                        return Behaviors.stopped();
                    })
                    .build();
        });
    }

    private static List<EndpointInfo> endpointsOf(Answered answered) {
        return answered.results().stream().skip(1).map(EndpointInfo.class::cast).toList();
    }

    /** A step's answer that never fails: its value, or its failure named by the step. */
    private static CompletableFuture<Object> answer(CompletionStage<?> step, String name) {
        return step.toCompletableFuture().handle((value, failure) -> failure == null ? value : new StepFailed(name, failure));
    }

    /** {@code published}: what forwards the ports, when they were forwarded, to take them back first. */
    private static Behavior<Command> undo(ActorContext<Command> context, ActorRef<SandboxActor.Command> sandbox, StoredSandbox record,
                                          Store store, Publishing published, Duration timeout, ActorRef<Outcome> replyTo, StepFailed failed) {
        String containerId = record.containerId();
        String label = record.label();
        String saga = "create container " + label;
        LOG.debug("{}: {} failed, removing its namespace", saga, failed.step());
        // A failure to take the forwards back is logged: they name an address the pool may give again, so the next
        // container to get it would receive their traffic; the restart's install of the tables drops them.
        CompletionStage<Done> undone = published.unpublish().exceptionally(f -> {
            LOG.error("{}: its published ports could not be taken back: {}", saga, KernelErrors.unwrap(f).getMessage());
            return null;
        }).thenCompose(v -> Asks.<SandboxActor.Command, Done>askWithStatus(sandbox, SandboxActor.Destroy::new, timeout,
                context.getSystem().scheduler()));
        context.pipeToSelf(undone, (done, failure) -> new Destroyed(failed, failure));
        return Behaviors.receive(Command.class)
                .onMessage(Destroyed.class, destroyed -> {
                    // The sandbox's errors name its own steps; a refusal keeps Docker's words.
                    NetwharfException error = KernelErrors.describe(saga, destroyed.failed().cause());
                    String leftover = destroyed.undoFailure() == null ? null
                            : "its namespace, which could not be removed: " + KernelErrors.unwrap(destroyed.undoFailure()).getMessage();
                    if (leftover != null) {
                        LOG.error("{}: {} failed, and undoing it left {}", saga, destroyed.failed().step(), leftover);
                    }
                    Failed outcome = new Failed(containerId, error, leftover);
                    // What is left is the intent record's to tell: it stays when the namespace could not be removed.
                    CompletionStage<Done> forgotten = leftover == null ? store.apply(new Change.DeleteSandbox(containerId))
                            : CompletableFuture.completedFuture(Done.getInstance());
                    context.pipeToSelf(forgotten, (done, failure) -> new Forgotten(outcome));
                    return Behaviors.same();
                })
                .onMessage(Forgotten.class, forgotten -> {
                    replyTo.tell(forgotten.outcome());
                    return Behaviors.stopped();
                })
                .build();
    }
}
