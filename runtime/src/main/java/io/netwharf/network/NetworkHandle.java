package io.netwharf.network;

import io.netwharf.ipam.PoolActor;
import io.netwharf.protocol.model.NetworkInfo;

import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a saga needs to join a network: its settings, the actor that owns it and the one that owns its pool (null for
 * a network that hands out no addresses: host, none).
 */
public record NetworkHandle(NetworkInfo info, ActorRef<NetworkActor.Command> owner, ActorRef<PoolActor.Command> pool) {
    public String id() {
        return info.id();
    }

    public String name() {
        return info.name();
    }
}
