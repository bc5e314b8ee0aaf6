package io.netwharf.gateway;

import io.netwharf.container.ImageInfo;
import io.netwharf.container.ImageReference;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Images in the Docker Engine API's JSON, as the v1.51 spec's ImageInspect, ImageSummary and ImageDeleteResponseItem,
 * and the progress stream of a pull (CreateImageInfo lines). A netwharf image is a name for the host's root
 * filesystem: no layers, size 0, and a {@code Comment} saying so; its config carries the {@code PATH} a process gets.
 */
final class ImageJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    static final String WHAT_IT_IS = "netwharf: a name for the host's root filesystem, where containers' processes run; nothing was downloaded";

    private ImageJson() {}

    /** {@code GET /images/{name}/json}. */
    static ObjectNode inspect(ImageInfo image) {
        ObjectNode json = NODES.objectNode();
        json.put("Id", image.id());
        json.set("RepoTags", strings(List.of(image.reference().familiar())));
        json.putArray("RepoDigests");
        json.put("Parent", "");
        json.put("Comment", WHAT_IT_IS);
        json.put("Created", DateTimeFormatter.ISO_INSTANT.format(image.created()));
        json.put("DockerVersion", "");
        json.put("Author", "");
        json.set("Config", config());
        // Gone from the spec since v1.45, still read by older clients (docker-compose 1.29's volume merge on recreate).
        json.put("Container", "");
        json.set("ContainerConfig", config());
        json.put("Architecture", SystemRoutes.arch());
        json.put("Os", "linux");
        json.put("Size", 0);
        json.putObject("GraphDriver").put("Name", "none").putNull("Data");
        json.putObject("RootFS").put("Type", "layers").putArray("Layers");
        json.putObject("Metadata").put("LastTagTime", "0001-01-01T00:00:00Z");
        return json;
    }

    /** The config a container made from the image starts from: the default PATH, nothing else. */
    private static ObjectNode config() {
        ObjectNode config = NODES.objectNode();
        config.put("Hostname", "");
        config.put("Domainname", "");
        config.put("User", "");
        config.put("AttachStdin", false);
        config.put("AttachStdout", false);
        config.put("AttachStderr", false);
        config.put("Tty", false);
        config.put("OpenStdin", false);
        config.put("StdinOnce", false);
        config.set("Env", strings(ImageInfo.ENV));
        config.putNull("Cmd");
        config.put("Image", "");
        config.putNull("Volumes");
        config.put("WorkingDir", "");
        config.putNull("Entrypoint");
        config.putNull("OnBuild");
        config.putNull("Labels");
        return config;
    }

    /** One line of {@code GET /images/json}. */
    static ObjectNode summary(ImageInfo image) {
        ObjectNode json = NODES.objectNode();
        json.put("Id", image.id());
        json.put("ParentId", "");
        json.set("RepoTags", strings(List.of(image.reference().familiar())));
        json.putArray("RepoDigests");
        json.put("Created", image.created().getEpochSecond());
        json.put("Size", 0);
        json.put("SharedSize", -1);
        json.putObject("Labels");
        json.put("Containers", -1); // "not calculated", as Docker answers unless asked for disk usage
        return json;
    }

    /**
     * The progress stream of {@code POST /images/create}, one JSON object per line as Docker's pull writes them:
     * where it pulls from, that nothing is downloaded, and Docker's final status line.
     */
    static String pullProgress(ImageReference reference, boolean isNew) {
        String name = reference.familiar();
        return line(NODES.objectNode().put("status", "Pulling from " + reference.path()).put("id", reference.tag()))
                + line(NODES.objectNode().put("status", "Nothing to download: netwharf runs processes on the host's root filesystem, "
                + "and " + name + " now names it").put("id", reference.tag()))
                + line(NODES.objectNode().put("status", isNew ? "Status: " + name + " is known now (no content was downloaded)"
                : "Status: Image is up to date for " + name));
    }

    /** {@code DELETE /images/{name}}: the name untagged, then the image deleted (it had no other name). */
    static ArrayNode removed(ImageInfo image) {
        ArrayNode json = NODES.arrayNode();
        json.addObject().put("Untagged", image.reference().familiar());
        json.addObject().put("Deleted", image.id());
        return json;
    }

    private static String line(ObjectNode json) {
        return json.toString() + "\r\n";
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode array = NODES.arrayNode();
        values.forEach(array::add);
        return array;
    }
}
