package io.netwharf.gateway;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netwharf.container.ContainerEngine;
import io.netwharf.container.ExecSession;
import io.netwharf.protocol.model.NetwharfException;

import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.extractMaterializer;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;

/**
 * {@code docker exec}: {@code POST /containers/{id}/exec} (see {@link ContainerRoutes}), {@code POST /exec/{id}/start}
 * (attached through the same hijacked connection as attach, or detached), {@code GET /exec/{id}/json} and
 * {@code POST /exec/{id}/resize}. No terminal: {@code Tty} is refused by name, as for containers.
 * {@code Privileged} is accepted: an exec's process already runs with the container's root and all its capabilities.
 */
final class ExecRoutes {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    @JsonIgnoreProperties(ignoreUnknown = true)
    record ExecConfig(@JsonProperty("AttachStdin") boolean attachStdin, @JsonProperty("AttachStdout") boolean attachStdout,
                      @JsonProperty("AttachStderr") boolean attachStderr, @JsonProperty("Tty") boolean tty,
                      @JsonProperty("Cmd") List<String> cmd, @JsonProperty("Env") List<String> env,
                      @JsonProperty("User") String user, @JsonProperty("WorkingDir") String workingDir) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record StartConfig(@JsonProperty("Detach") boolean detach, @JsonProperty("Tty") boolean tty) {}

    private final ContainerEngine engine;

    ExecRoutes(ContainerEngine engine) {
        this.engine = engine;
    }

    /** {@code POST /containers/{id}/exec}. */
    CompletionStage<HttpResponse> create(String container, ExecConfig config) {
        if (config.tty()) {
            throw NetwharfException.badParameter("netwharf does not allocate terminals (Tty, -t): run exec without -t");
        }
        if (config.cmd() == null || config.cmd().isEmpty()) {
            throw NetwharfException.badParameter("No exec command specified");
        }
        ExecSession.Request request = new ExecSession.Request(config.cmd(), config.env(), config.user(), config.workingDir(),
                config.attachStdin(), config.attachStdout(), config.attachStderr());
        return engine.createExec(container, request).thenApply(session ->
                DockerJson.response(StatusCodes.CREATED, NODES.objectNode().put("Id", session.id())));
    }

    Route route() {
        return pathPrefix("exec", () -> pathPrefix(PathMatchers.segment(), id -> concat(
                path("start", () -> post(() -> DockerJson.entity(JsonNode.class, tree -> extractRequest(request ->
                        extractMaterializer(materializer -> ContainerRoutes.answer(() -> start(id, tree, request,
                                materializer.system().dispatchers().lookup(UnixSocketListener.IO_DISPATCHER)))))))),
                path("json", () -> get(() -> ContainerRoutes.answer(() -> CompletableFuture.completedFuture(
                        DockerJson.response(StatusCodes.OK, inspect(engine.exec(id))))))),
                path("resize", () -> post(() -> ContainerRoutes.answer(() -> {
                    engine.exec(id); // an unknown one is a 404 first
                    throw NetwharfException.badParameter("netwharf does not allocate terminals: an exec has none to resize");
                }))))));
    }

    private CompletionStage<HttpResponse> start(String id, JsonNode tree, HttpRequest request, Executor blocking) {
        StartConfig config = tree == null || tree.isNull() ? new StartConfig(false, false)
                : DockerJson.parse(ByteString.fromString(tree.toString()), StartConfig.class);
        if (config.tty()) {
            throw NetwharfException.badParameter("netwharf does not allocate terminals (Tty, -t): start exec without a terminal");
        }
        ExecSession session = engine.exec(id);
        if (config.detach()) {
            return engine.startExec(id).thenApply(started -> HttpResponse.create().withStatus(StatusCodes.OK));
        }
        ExecSession.Request asked = session.request();
        // Read from the exec's log from before its start: all its output, until its process exits.
        var output = ContainerLogs.frames(session.log().attach(), entry -> entry.stream().equals("stdout")
                ? asked.attachStdout() : asked.attachStderr(), false);
        Sink<ByteString, ?> input = asked.attachStdin() ? ContainerAttach.stdin(session.log(), true, blocking) : Sink.ignore();
        return engine.startExec(id).handle((started, failure) -> {
            if (failure == null) {
                return ContainerAttach.hijacked(request, input, output);
            }
            if (session.failure() == null) {
                throw failure instanceof java.util.concurrent.CompletionException c && c.getCause() instanceof RuntimeException r ? r
                        : new java.util.concurrent.CompletionException(failure);
            }
            // As Docker: the start is answered, the stream says why the process did not run, inspect has its exit code.
            ByteString why = ContainerLogs.frame("stderr", session.failure() + "\n");
            return ContainerAttach.hijacked(request, Sink.ignore(), Source.single(why));
        });
    }

    private static ObjectNode inspect(ExecSession session) {
        ExecSession.Request request = session.request();
        ObjectNode json = NODES.objectNode();
        json.put("ID", session.id());
        json.put("Running", session.running());
        Integer code = session.exitCode();
        if (code == null) {
            json.putNull("ExitCode");
        } else {
            json.put("ExitCode", code);
        }
        ObjectNode process = json.putObject("ProcessConfig");
        process.put("tty", false);
        process.put("entrypoint", request.cmd().get(0));
        var arguments = process.putArray("arguments");
        request.cmd().subList(1, request.cmd().size()).forEach(arguments::add);
        process.put("privileged", false);
        process.put("user", request.user() == null ? "" : request.user());
        json.put("OpenStdin", request.attachStdin());
        json.put("OpenStderr", request.attachStderr());
        json.put("OpenStdout", request.attachStdout());
        json.put("CanRemove", false);
        json.put("ContainerID", session.containerId());
        json.put("DetachKeys", "");
        json.put("Pid", session.pid());
        return json;
    }
}
