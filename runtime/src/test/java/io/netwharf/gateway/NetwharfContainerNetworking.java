package io.netwharf.gateway;

import io.netwharf.Netwharf;
import io.netwharf.protocol.model.EndpointSpec;
import org.apache.pekko.Done;

import java.util.concurrent.CompletionStage;

/** For tests: connect and disconnect straight through the runtime, which resolves the container itself. */
final class NetwharfContainerNetworking implements ContainerNetworking {
    private final Netwharf netwharf;

    NetwharfContainerNetworking(Netwharf netwharf) {
        this.netwharf = netwharf;
    }

    @Override
    public CompletionStage<Done> connect(String container, String network, EndpointSpec spec) {
        return netwharf.connect(container, network, spec).thenApply(endpoint -> Done.getInstance());
    }

    @Override
    public CompletionStage<Done> disconnect(String container, String network, boolean force) {
        return netwharf.disconnect(container, network);
    }
}
