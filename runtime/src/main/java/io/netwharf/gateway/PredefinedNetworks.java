package io.netwharf.gateway;

import io.netwharf.protocol.model.NetworkInfo;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;

/**
 * Docker's predefined {@code host} and {@code none} networks, which are modes rather than runtime networks: the
 * gateway shows them with ids fixed for its life, in network lists and in containers' network settings alike.
 */
final class PredefinedNetworks {
    final NetworkInfo host;
    final NetworkInfo none;

    PredefinedNetworks() {
        Instant now = Instant.now();
        host = predefined("host", "host", now);
        none = predefined("none", "null", now);
    }

    private static NetworkInfo predefined(String name, String driver, Instant created) {
        byte[] id = new byte[32];
        new SecureRandom().nextBytes(id);
        return new NetworkInfo(HexFormat.of().formatHex(id), name, driver, null, null, null, null, 0, false, false,
                false, true, Map.of(), created, Map.of());
    }

    boolean contains(NetworkInfo network) {
        return network == host || network == none;
    }

    Map<String, String> idsByName() {
        return Map.of(host.name(), host.id(), none.name(), none.id());
    }
}
