package io.netwharf.container;

import io.netwharf.kernel.ContainerProcess;
import io.netwharf.kernel.Credentials;
import io.netwharf.kernel.Netns;
import io.netwharf.kernel.ProcessLauncher;
import io.netwharf.kernel.ProcessRefusedException;
import io.netwharf.protocol.model.Ids;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.actor.KernelErrors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * {@code docker exec}: processes run beside a running container's, in its network namespace and, when it has them,
 * in its process's mount and UTS namespaces (its /etc/hosts, /etc/resolv.conf and host name). Sessions are kept by id
 * until their container is removed, as Docker keeps them for inspect. The container's actor is only asked for what
 * it is now. An exec's process joins the process group of the container's, so that the container's stop and kill,
 * which signal that group, end it too, as Docker's end execs with their container.
 */
final class ContainerExecs {
    private static final Duration KEPT = Duration.ofMinutes(5);
    private final Map<String, ExecSession> sessions = new ConcurrentHashMap<>();
    private final ProcessLauncher launcher;
    private final ContainerUser users;
    private final Function<String, CompletionStage<ContainerView>> inspect;
    private final Path dataRoot;

    ContainerExecs(ProcessLauncher launcher, ContainerUser users, Function<String, CompletionStage<ContainerView>> inspect, Path dataRoot) {
        this.launcher = launcher;
        this.users = users;
        this.inspect = inspect;
        this.dataRoot = dataRoot;
    }

    /** Docker's refusals first: an unknown or stopped container, no command. */
    CompletionStage<ExecSession> create(String container, ExecSession.Request request) {
        if (request.cmd().isEmpty()) {
            return CompletableFuture.failedFuture(NetwharfException.badParameter("No exec command specified"));
        }
        forgetOld();
        return inspect.apply(container).thenApply(view -> {
            requireRunning(view);
            String id = Ids.newId();
            Path folder = folder(view.id(), id);
            try {
                Files.createDirectories(folder);
            } catch (IOException e) {
                throw NetwharfException.internal("make " + folder + ": " + e.getMessage(), e);
            }
            ContainerLog log = new ContainerLog(folder, id);
            ExecSession session = new ExecSession(id, view.id(), request, log);
            sessions.put(id, session);
            return session;
        });
    }

    ExecSession session(String id) {
        ExecSession session = sessions.get(id);
        if (session == null) {
            throw NetwharfException.notFound("No such exec instance: " + id);
        }
        return session;
    }

    /** Runs the session's process; completes once it runs. Refused when started before or its container stopped. */
    CompletionStage<ExecSession> start(String id) {
        ExecSession session;
        try {
            session = session(id);
        } catch (NetwharfException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (!session.markStarted()) {
            return CompletableFuture.failedFuture(NetwharfException.conflict("Exec " + id + " has already been started"));
        }
        return inspect.apply(session.containerId()).thenApply(view -> {
            requireRunning(view);
            launch(session, view);
            return session;
        });
    }

    private void launch(ExecSession session, ContainerView view) {
        ContainerConfig config = view.config();
        ExecSession.Request request = session.request();
        List<String> env = new ArrayList<>();
        if (config.env().stream().noneMatch(e -> e.startsWith("PATH=")) && request.env().stream().noneMatch(e -> e.startsWith("PATH="))) {
            env.addAll(ImageInfo.ENV); // a container stored before the image's env was merged into its own
        }
        env.addAll(config.env());
        env.addAll(request.env());
        String user = request.user() == null || request.user().isEmpty() ? config.user() : request.user();
        Credentials credentials = Credentials.ROOT;
        if ((user != null && !user.isEmpty()) || !config.groupAdd().isEmpty()) {
            credentials = users.resolve(user, config.groupAdd()).credentials();
        }
        Path workingDir = request.workingDir() == null || request.workingDir().isEmpty() ? config.workingDirectory()
                : Path.of(request.workingDir());
        // Beside the container's process: in its mount and UTS namespaces when it has its own (its name files).
        int beside = view.pid() != 0 && view.names() != null && ContainerFiles.ownNamespaces(view.names()) ? view.pid() : 0;
        ContainerLog.Run run = session.log().startRun(launcher.output(), request.attachStdin());
        ContainerProcess process;
        try (Netns namespace = Netns.open(Path.of(view.network().sandboxKey()))) {
            process = launcher.launchBeside(namespace, beside, view.pid(), request.cmd(), env, workingDir, credentials, run.stdio());
        } catch (RuntimeException e) {
            run.abandon();
            NetwharfException refused = KernelErrors.describe("exec in container " + view.name(), e);
            session.failed(refused.getMessage(), e instanceof ProcessRefusedException invalid ? invalid.exitCode() : 126);
            throw refused;
        }
        session.log().launched(run);
        session.running(process.pid());
        process.exitCode().whenComplete((code, failure) -> {
            run.processExited();
            session.exited(code == null ? ContainerProcess.UNKNOWN_EXIT : code);
        });
    }

    /**
     * Forgets sessions that ended over {@link #KEPT} ago, with their folders (those of a removed container went with
     * its folder): Docker keeps them for the client's inspect after the stream, not for good.
     */
    private void forgetOld() {
        Instant before = Instant.now().minus(KEPT);
        sessions.values().removeIf(s -> {
            boolean old = s.exitedAt() != null && s.exitedAt().isBefore(before);
            if (old) {
                deleteQuietly(s.log().file().getParent());
            }
            return old;
        });
    }

    private static void deleteQuietly(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // gone with its container, or left for the container's removal
        }
    }

    private static void requireRunning(ContainerView view) {
        if (view.status() != ContainerView.Status.RUNNING || view.network() == null) {
            throw NetwharfException.conflict("Container " + view.id() + " is not running");
        }
    }

    private Path folder(String containerId, String execId) {
        return dataRoot.resolve("containers").resolve(containerId).resolve("exec").resolve(execId);
    }
}
