package io.netwharf.gateway;

import io.netwharf.protocol.model.Event;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An event in Docker's JSON ({@code EventMessage}, API 1.51): the fields API 1.22 had ({@code status}, {@code id},
 * {@code from}) on containers' events and ({@code status}, {@code id}) on images', as moby still fills them below API
 * 1.52; then {@code Type}, {@code Action}, {@code Actor} with its attributes by name, {@code scope}, {@code time} in
 * seconds and {@code timeNano}.
 */
final class EventJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private EventJson() {}

    static ObjectNode of(Event event) {
        ObjectNode json = NODES.objectNode();
        if (event.type() != Event.Type.NETWORK) {
            json.put("status", event.action());
            json.put("id", event.actorId());
            String image = event.type() == Event.Type.CONTAINER ? event.attributes().get("image") : null;
            if (image != null && !image.isEmpty()) {
                json.put("from", image);
            }
        }
        json.put("Type", event.type().text());
        json.put("Action", event.action());
        ObjectNode actor = json.putObject("Actor");
        actor.put("ID", event.actorId());
        ObjectNode attributes = actor.putObject("Attributes");
        event.attributes().forEach(attributes::put);
        json.put("scope", "local");
        json.put("time", Math.floorDiv(event.timeNanos(), 1_000_000_000L));
        json.put("timeNano", event.timeNanos());
        return json;
    }
}
