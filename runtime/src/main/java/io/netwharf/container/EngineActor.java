package io.netwharf.container;

import io.netwharf.Netwharf;
import io.netwharf.actor.Answered;
import io.netwharf.actor.Asks;
import io.netwharf.actor.KernelErrors;
import io.netwharf.kernel.Directories;
import io.netwharf.kernel.ProcessLauncher;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.model.NetworkMode;
import io.netwharf.protocol.model.Resolver;
import io.netwharf.store.Change;
import io.netwharf.store.StoredContainer;
import io.netwharf.store.StoredImage;

import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The registry of containers and the only owner of their names: ids, names (their rules and conflicts, with Docker's
 * messages), id prefixes, and which containers joined whose namespace; and of the image names ({@link Images}), whose
 * removal it refuses while a container was made from one. Each container is a {@link ContainerActor}
 * child; this actor only creates them, finds them by id, name or unique id prefix (the shared {@link Resolver}), and
 * forgets them once removed, so a name is free again as soon as its removal is answered. Below it, the runtime
 * knows containers by id alone.
 */
final class EngineActor {
    private static final Logger LOG = LoggerFactory.getLogger(EngineActor.class);
    static final DispatcherSelector CONTAINER_DISPATCHER = DispatcherSelector.fromConfig("netwharf.container-dispatcher");
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]+");
    private static final Resolver<String> CONTAINERS = Resolver.containers();

    sealed interface Command {}

    /** Answered once the new container's row is durable. */
    record Create(ContainerConfig config, ActorRef<StatusReply<String>> replyTo) implements Command {}

    /**
     * Brings back the containers the store kept, each in its stored state; answered once every one is back, with
     * what the daemon's start does next.
     */
    record Restore(List<StoredContainer> rows, List<StoredImage> images, ActorRef<RestoreOutcome> replyTo) implements Command {}

    /** From a restored container's actor: it is back. */
    record Restored(String id, boolean restart, boolean remove) implements Command {}

    /** The containers whose policy restarts them at the daemon's start, and those to remove ({@code --rm}, exited). */
    record RestoreOutcome(List<String> toRestart, List<String> toRemove) {}

    /**
     * Hands {@code command} to the container {@code container} names, or refuses it (no such container). Every
     * command goes this way, so none can reach a container's actor after the registry has retired it.
     */
    record Forward(String container, ContainerActor.Command command) implements Command {}

    /** The ids of all containers. */
    record All(ActorRef<List<String>> replyTo) implements Command {}

    record Remove(String container, boolean force, ActorRef<StatusReply<Done>> replyTo) implements Command {}

    /** Renames {@code container} to {@code name}, with Docker's checks and messages; answered once durable. */
    record Rename(String container, String name, ActorRef<StatusReply<Done>> replyTo) implements Command {}

    /** The container's actor has answered a rename: the old name is free, or the new one is released. */
    private record RenameAnswered(Rename request, String id, String oldName, String newName, Throwable failure) implements Command {}

    record Joined(String owner, String joiner) implements Command {}

    record Left(String owner, String joiner) implements Command {}

    record JoinersOf(String owner, ActorRef<List<String>> replyTo) implements Command {}

    /** The container's actor has answered a removal: the outcome of {@link #onRemove}'s one step. */
    private record ContainerRemoved(Remove request, String id) implements Command {}

    private record RemovalFailed(Remove request, String id, Throwable cause) implements Command {}

    /** Makes the name known (answered once durable): true when it was not known yet. */
    record PullImage(ImageReference reference, ActorRef<StatusReply<Boolean>> replyTo) implements Command {}

    /** The image a name or id refers to, or Docker's "No such image". */
    record FindImage(String reference, ActorRef<StatusReply<ImageInfo>> replyTo) implements Command {}

    record ListImages(ActorRef<List<ImageInfo>> replyTo) implements Command {}

    /** Forgets the image (answered once durable); without {@code force}, refused while a container was made from it. */
    record RemoveImage(String reference, boolean force, ActorRef<StatusReply<ImageInfo>> replyTo) implements Command {}

    /** @param image the image label it was created with, as given */
    private record Entry(String name, String image, ActorRef<ContainerActor.Command> actor) {}

    private final ActorContext<Command> context;
    private final ContainerEngine engine;
    private final Netwharf netwharf;
    private final ProcessLauncher launcher;
    private final Path dataRoot;
    private final Duration timeout;
    private final Map<String, Entry> byId = new LinkedHashMap<>();
    private final Map<String, String> idsByName = new HashMap<>();
    private final Map<String, Set<String>> joiners = new HashMap<>();
    private final Images images = new Images();
    /** While a {@link Restore} is under way: the containers not back yet, and what those back said. */
    private Restore restoring;
    private final Set<String> notBackYet = new HashSet<>();
    private final List<String> toRestart = new ArrayList<>();
    private final List<String> toRemove = new ArrayList<>();
    private final Resolver.Candidates<String> ids = new Resolver.Candidates<>() {
        @Override
        public String byId(String id) {
            return byId.containsKey(id) ? id : null;
        }

        @Override
        public List<String> byName(String name) {
            String id = idsByName.get(name);
            return id == null ? List.of() : List.of(id);
        }

        @Override
        public List<String> byIdPrefix(String prefix, int limit) {
            return byId.keySet().stream().filter(id -> id.startsWith(prefix)).limit(limit).toList();
        }
    };

    private EngineActor(ActorContext<Command> context, ContainerEngine engine, Netwharf netwharf, ProcessLauncher launcher,
                        Path dataRoot, Duration timeout) {
        this.context = context;
        this.engine = engine;
        this.netwharf = netwharf;
        this.launcher = launcher;
        this.dataRoot = dataRoot;
        this.timeout = timeout;
    }

    static Behavior<Command> create(ContainerEngine engine, Netwharf netwharf, ProcessLauncher launcher, Path dataRoot, Duration timeout) {
        return Behaviors.supervise(Behaviors.<Command>setup(context ->
                        new EngineActor(context, engine, netwharf, launcher, dataRoot, timeout).running()))
                .onFailure(RuntimeException.class, SupervisorStrategy.resume());
    }

    private Behavior<Command> running() {
        return Behaviors.receive(Command.class)
                .onMessage(Create.class, this::onCreate)
                .onMessage(Restore.class, this::onRestore)
                .onMessage(Restored.class, this::onRestored)
                .onMessage(Forward.class, this::onForward)
                .onMessage(All.class, m -> {
                    m.replyTo().tell(List.copyOf(byId.keySet()));
                    return Behaviors.same();
                })
                .onMessage(Remove.class, this::onRemove)
                .onMessage(Rename.class, this::onRename)
                .onMessage(RenameAnswered.class, this::onRenameAnswered)
                .onMessage(ContainerRemoved.class, this::onRemoved)
                .onMessage(RemovalFailed.class, m -> {
                    m.request().replyTo().tell(StatusReply.error(KernelErrors.describe("remove container " + m.id(), m.cause())));
                    return Behaviors.same();
                })
                .onMessage(Joined.class, m -> {
                    joiners.computeIfAbsent(m.owner(), k -> new HashSet<>()).add(m.joiner());
                    return Behaviors.same();
                })
                .onMessage(Left.class, m -> {
                    Set<String> joined = joiners.get(m.owner());
                    if (joined != null && joined.remove(m.joiner()) && joined.isEmpty()) {
                        joiners.remove(m.owner());
                    }
                    return Behaviors.same();
                })
                .onMessage(PullImage.class, this::onPullImage)
                .onMessage(FindImage.class, m -> {
                    try {
                        m.replyTo().tell(StatusReply.success(images.find(m.reference())));
                    } catch (NetwharfException e) {
                        m.replyTo().tell(StatusReply.error(e));
                    }
                    return Behaviors.same();
                })
                .onMessage(ListImages.class, m -> {
                    m.replyTo().tell(images.all());
                    return Behaviors.same();
                })
                .onMessage(RemoveImage.class, this::onRemoveImage)
                .onMessage(JoinersOf.class, m -> {
                    m.replyTo().tell(List.copyOf(joiners.getOrDefault(m.owner(), Set.of())));
                    return Behaviors.same();
                })
                .build();
    }

    private Behavior<Command> onCreate(Create create) {
        ContainerConfig config = create.config();
        try {
            String name = config.name();
            checkFree(name, name);
            if (config.networkMode() instanceof NetworkMode.Container joined
                    && (joined.reference().equals(name) || joined.reference().equals(config.id()))) {
                throw NetwharfException.badParameter("cannot join own network namespace");
            }
            Path logs = logDirectory(config.id());
            ActorRef<ContainerActor.Command> actor = context.spawn(
                    ContainerActor.create(engine, netwharf, launcher, config, logs), "container-" + config.id(), CONTAINER_DISPATCHER);
            byId.put(config.id(), new Entry(name, config.image(), actor));
            idsByName.put(name, config.id());
            // Answered once durable; the container's own later rows follow this one in the store's order.
            engine.store().apply(new Change.PutContainer(ContainerActor.createdRow(config))).whenComplete((done, failure) -> {
                if (failure == null) {
                    netwharf.events().publish(ContainerEvents.container(config, "create"));
                }
                create.replyTo().tell(failure == null ? StatusReply.success(config.id())
                        : StatusReply.error(NetwharfException.internal("keep container " + name + " in the store: "
                        + KernelErrors.unwrap(failure).getMessage(), failure)));
            });
        } catch (NetwharfException e) {
            create.replyTo().tell(StatusReply.error(e));
        } catch (IOException e) {
            create.replyTo().tell(StatusReply.error(NetwharfException.internal("create the log directory of " + config.name()
                    + ": " + e.getMessage(), e)));
        }
        return Behaviors.same();
    }

    /**
     * moby's {@code reserveName}: Docker's pattern, then no other container's. {@code shown} is the name as Docker's
     * message shows it (a rename shows it with its leading slash).
     */
    private void checkFree(String name, String shown) {
        if (!NAME.matcher(name).matches()) {
            throw NetwharfException.badParameter("Invalid container name (" + shown + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        }
        String holder = idsByName.get(name);
        if (holder != null) {
            throw NetwharfException.conflict("Conflict. The container name \"/" + name + "\" is already in use by container \""
                    + holder + "\". You have to remove (or rename) that container to be able to reuse that name.");
        }
    }

    /**
     * moby's {@code ContainerRename}: both names present, a different name, then the new one reserved (so no other
     * rename or creation takes it meanwhile) while the container's actor renames it; the old one stays its until that
     * is answered.
     */
    private Behavior<Command> onRename(Rename rename) {
        String id;
        String oldName;
        String newName = stripSlash(rename.name().strip());
        try {
            if (stripSlash(rename.container().strip()).isEmpty() || newName.isEmpty()) {
                throw NetwharfException.badParameter("Neither old nor new names may be empty");
            }
            id = resolve(rename.container().strip());
            oldName = byId.get(id).name();
            if (oldName.equals(newName)) {
                throw NetwharfException.badParameter("Renaming a container with the same name as its current name");
            }
            try {
                checkFree(newName, "/" + newName);
            } catch (NetwharfException e) {
                throw new NetwharfException(e.kind(), "Error when allocating new name: " + e.getMessage());
            }
        } catch (NetwharfException e) {
            rename.replyTo().tell(StatusReply.error(e));
            return Behaviors.same();
        }
        idsByName.put(newName, id);
        context.pipeToSelf(Asks.<ContainerActor.Command, Done>askWithStatus(byId.get(id).actor(),
                        replyTo -> new ContainerActor.Rename(newName, replyTo), timeout.multipliedBy(2), context.getSystem().scheduler()),
                (done, failure) -> new RenameAnswered(rename, id, oldName, newName, failure));
        return Behaviors.same();
    }

    private Behavior<Command> onRenameAnswered(RenameAnswered answered) {
        Entry entry = byId.get(answered.id());
        if (answered.failure() != null) {
            idsByName.remove(answered.newName(), answered.id());
            answered.request().replyTo().tell(StatusReply.error(KernelErrors.describe("rename container " + answered.oldName(),
                    answered.failure())));
            return Behaviors.same();
        }
        if (entry != null) {
            // Its name until now, which an earlier rename answered meanwhile may have changed from the old one.
            idsByName.remove(entry.name(), answered.id());
            byId.put(answered.id(), new Entry(answered.newName(), entry.image(), entry.actor()));
        } else {
            idsByName.remove(answered.newName(), answered.id()); // removed meanwhile
        }
        answered.request().replyTo().tell(StatusReply.ack());
        return Behaviors.same();
    }

    private static String stripSlash(String name) {
        return name.startsWith("/") ? name.substring(1) : name;
    }

    /** Docker reports every pull, of a new image or of one it has. */
    private Behavior<Command> onPullImage(PullImage pull) {
        images.add(pull.reference(), Instant.now()).ifPresentOrElse(
                added -> engine.store().apply(new Change.PutImage(new StoredImage(added.id(), added.reference().normalized(), added.created())))
                        .whenComplete((done, failure) -> {
                            if (failure == null) {
                                netwharf.events().publish(ContainerEvents.pulled(pull.reference()));
                            }
                            pull.replyTo().tell(failure == null ? StatusReply.success(true)
                                    : StatusReply.error(NetwharfException.internal("keep image " + added.reference().familiar()
                                    + " in the store: " + KernelErrors.unwrap(failure).getMessage(), failure)));
                        }),
                () -> {
                    netwharf.events().publish(ContainerEvents.pulled(pull.reference()));
                    pull.replyTo().tell(StatusReply.success(false));
                });
        return Behaviors.same();
    }

    private Behavior<Command> onRemoveImage(RemoveImage remove) {
        try {
            ImageInfo image = images.find(remove.reference());
            Optional<String> user = byId.entrySet().stream()
                    .filter(e -> ImageReference.of(e.getValue().image()).map(image.reference()::equals).orElse(false))
                    .map(Map.Entry::getKey).findFirst();
            if (!remove.force() && user.isPresent()) {
                // Docker's words; a name is all a netwharf image is, so the container would lose nothing with force.
                throw NetwharfException.conflict("conflict: unable to remove repository reference \"" + remove.reference()
                        + "\" (must force) - container " + user.get().substring(0, 12) + " is using its referenced image "
                        + image.id().substring("sha256:".length(), "sha256:".length() + 12));
            }
            images.remove(image);
            engine.store().apply(new Change.DeleteImage(image.id())).whenComplete((done, failure) -> {
                if (failure == null) {
                    // As Docker removing an image's last name: untagged, then deleted.
                    netwharf.events().publish(ContainerEvents.image(image, "untag"));
                    netwharf.events().publish(ContainerEvents.image(image, "delete"));
                }
                remove.replyTo().tell(failure == null ? StatusReply.success(image) : StatusReply.error(NetwharfException.internal(
                        "remove image " + image.reference().familiar() + " from the store: " + KernelErrors.unwrap(failure).getMessage(),
                        failure)));
            });
        } catch (NetwharfException e) {
            remove.replyTo().tell(StatusReply.error(e));
        }
        return Behaviors.same();
    }

    /** Modes as dockerd's: the data root 0711, containers/ and each container's folder root's alone. Kept across restarts. */
    private Path logDirectory(String id) throws IOException {
        Directories.ensure(dataRoot, Directories.TRAVERSE_ONLY);
        return Directories.ensure(Directories.ensure(dataRoot.resolve("containers"), Directories.PRIVATE).resolve(id), Directories.PRIVATE);
    }

    private Behavior<Command> onRestore(Restore restore) {
        restoring = restore;
        images.restore(restore.images());
        for (StoredContainer row : restore.rows()) {
            try {
                ContainerConfig config = ContainerRows.config(row.configJson());
                ActorRef<ContainerActor.Command> actor = context.spawn(ContainerActor.restore(engine, netwharf, launcher, row, config,
                        logDirectory(row.id())), "container-" + row.id(), CONTAINER_DISPATCHER);
                byId.put(row.id(), new Entry(config.name(), config.image(), actor));
                idsByName.put(config.name(), row.id());
                notBackYet.add(row.id());
            } catch (IOException | RuntimeException e) {
                LOG.error("container {} ({}) cannot be restored, left in the store: {}", row.name(), row.id(), e.getMessage());
            }
        }
        answerRestoreWhenDone();
        return Behaviors.same();
    }

    private Behavior<Command> onRestored(Restored restored) {
        if (notBackYet.remove(restored.id())) {
            if (restored.restart()) {
                toRestart.add(restored.id());
            } else if (restored.remove()) {
                toRemove.add(restored.id());
            }
            answerRestoreWhenDone();
        }
        return Behaviors.same();
    }

    private void answerRestoreWhenDone() {
        if (restoring != null && notBackYet.isEmpty()) {
            LOG.info("{} containers restored", restoring.rows().size());
            restoring.replyTo().tell(new RestoreOutcome(List.copyOf(toRestart), List.copyOf(toRemove)));
            restoring = null;
        }
    }

    private Behavior<Command> onForward(Forward forward) {
        try {
            byId.get(resolve(forward.container())).actor().tell(forward.command());
        } catch (NetwharfException e) {
            if (forward.command() instanceof Answered<?> answered) {
                answered.refuse(e);
            }
        }
        return Behaviors.same();
    }

    private Behavior<Command> onRemove(Remove remove) {
        String id;
        try {
            id = resolve(remove.container());
        } catch (NetwharfException e) {
            remove.replyTo().tell(StatusReply.error(e));
            return Behaviors.same();
        }
        // A forced removal kills first and the kill may wait on the kernel: allow for it.
        context.pipeToSelf(Asks.<ContainerActor.Command, Done>askWithStatus(byId.get(id).actor(),
                        replyTo -> new ContainerActor.Remove(remove.force(), replyTo), timeout.multipliedBy(2), context.getSystem().scheduler()),
                (done, failure) -> failure == null ? new ContainerRemoved(remove, id) : new RemovalFailed(remove, id, failure));
        return Behaviors.same();
    }

    private Behavior<Command> onRemoved(ContainerRemoved removed) {
        Entry entry = byId.remove(removed.id());
        if (entry != null) {
            idsByName.remove(entry.name());
            // After whatever was forwarded to it before: those commands are answered, later ones find no container.
            entry.actor().tell(new ContainerActor.Retire());
        }
        joiners.remove(removed.id());
        removed.request().replyTo().tell(StatusReply.ack());
        return Behaviors.same();
    }

    /** A container's id from its id, name (with or without Docker's leading slash) or unique id prefix. */
    private String resolve(String reference) {
        return CONTAINERS.resolve(reference, ids);
    }
}
