package io.netwharf.gateway;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docker-java (the Java client from Maven, with its own HTTP stack over the Unix socket) against the gateway:
 * networks, a container on one, the image's inspect after a pull, its log followed while the process writes, and the
 * events of all that between since and until.
 * Needs root and the kernel; runs in CI.
 */
class DockerJavaTest extends ApiTest {
    private DockerClient docker;

    @BeforeEach
    void connect() {
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost("unix://" + gateway.socket).build();
        docker = DockerClientImpl.getInstance(config, new ZerodepDockerHttpClient.Builder()
                .dockerHost(URI.create("unix://" + gateway.socket)).connectionTimeout(Duration.ofSeconds(5))
                .responseTimeout(Duration.ofSeconds(60)).build());
    }

    @AfterEach
    void close() throws Exception {
        docker.close();
    }

    @Test
    void networksContainersImagesAFollowedLogAndEvents() throws Exception {
        long since = java.time.Instant.now().getEpochSecond() - 1;
        String network = docker.createNetworkCmd().withName("javanet").exec().getId();
        Network inspected = docker.inspectNetworkCmd().withNetworkId("javanet").exec();
        assertEquals(network, inspected.getId());

        docker.pullImageCmd("debian").withTag("latest").start().awaitCompletion(30, TimeUnit.SECONDS);
        InspectImageResponse image = docker.inspectImageCmd("debian").exec();
        assertTrue(image.getId().startsWith("sha256:"), image.getId());
        assertTrue(image.getRepoTags().contains("debian:latest"), image.getRepoTags().toString());

        CreateContainerResponse created = docker.createContainerCmd("debian").withName("javac")
                .withCmd("sh", "-c", "echo one; sleep 1; echo two >&2; sleep 1; echo three")
                .withHostConfig(HostConfig.newHostConfig().withNetworkMode("javanet")).exec();
        docker.startContainerCmd(created.getId()).exec();
        assertEquals(image.getId(), docker.inspectContainerCmd("javac").exec().getImageId());

        List<String> frames = new ArrayList<>();
        docker.logContainerCmd("javac").withStdOut(true).withStdErr(true).withFollowStream(true)
                .exec(new ResultCallback.Adapter<Frame>() {
                    @Override
                    public void onNext(Frame frame) {
                        frames.add((frame.getStreamType() == StreamType.STDERR ? "err:" : "out:")
                                + new String(frame.getPayload()).strip());
                    }
                }).awaitCompletion(20, TimeUnit.SECONDS);
        assertEquals(List.of("out:one", "err:two", "out:three"), frames, "followed to the process's exit, in order");
        assertEquals(0, docker.waitContainerCmd("javac").start().awaitStatusCode(10, TimeUnit.SECONDS));
        docker.removeContainerCmd("javac").exec();
        docker.removeNetworkCmd("javanet").exec();

        List<String> events = new ArrayList<>();
        docker.eventsCmd().withSince(String.valueOf(since)).withUntil(String.valueOf(java.time.Instant.now().getEpochSecond() + 1))
                .exec(new ResultCallback.Adapter<Event>() {
                    @Override
                    public void onNext(Event event) {
                        events.add(event.getType().getValue() + " " + event.getAction());
                    }
                }).awaitCompletion(20, TimeUnit.SECONDS);
        for (String expected : List.of("network create", "container create", "network connect", "container start", "container die",
                "container destroy", "network destroy")) {
            assertTrue(events.contains(expected), () -> expected + " in " + events);
        }
        assertTrue(events.indexOf("container create") < events.indexOf("container start")
                && events.indexOf("container die") < events.indexOf("container destroy"), events.toString());
    }
}
