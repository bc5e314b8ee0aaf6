package io.netwharf.gateway;

import io.netwharf.protocol.model.EndpointSpec;
import org.apache.pekko.Done;

import java.util.concurrent.CompletionStage;

/**
 * Connects and disconnects containers for {@code POST /networks/{id}/connect} and {@code /disconnect}. The network
 * routes resolve the network (and refuse the predefined {@code host} and {@code none} ones themselves) and pass its
 * name; the container reference is passed as the client sent it (name, id or id prefix). The container engine
 * implements this, because a container that is created but not started only records its networks for later.
 * Failures are {@link io.netwharf.protocol.model.NetwharfException}s, whose kind gives the HTTP status.
 */
public interface ContainerNetworking {
    CompletionStage<Done> connect(String container, String network, EndpointSpec spec);

    CompletionStage<Done> disconnect(String container, String network, boolean force);
}
