package io.netwharf.runtime;

import io.netwharf.firewall.PortForwards;
import io.netwharf.protocol.model.NetworkMode;
import io.netwharf.protocol.model.PortBinding;
import io.netwharf.sandbox.SandboxActor;

import org.apache.pekko.actor.typed.ActorRef;

import java.util.List;

/**
 * What the runtime keeps of a container, by its id, to route commands to it. Its endpoints live with its
 * {@link SandboxActor}.
 *
 * @param label      the name the caller gave, for logs and messages only: names are the engine's, never a key here
 * @param mode       as asked; {@code container:} mode holds the owner's full id
 * @param sandbox    the actor owning its namespace: its own, or for {@code container:} mode the owner's; null for host
 * @param sandboxKey the namespace's path
 * @param sharesWith for {@code container:} mode, the id of the container whose namespace it joined
 * @param forwards   its published ports as forwarded to it; null: none
 */
record ContainerRecord(String id, String label, NetworkMode mode, ActorRef<SandboxActor.Command> sandbox, String sandboxKey,
                       String sharesWith, State state, PortForwards forwards) {
    enum State { CREATING, RUNNING, REMOVING }

    ContainerRecord(String id, String label, NetworkMode mode, ActorRef<SandboxActor.Command> sandbox, String sandboxKey,
                    String sharesWith, State state) {
        this(id, label, mode, sandbox, sandboxKey, sharesWith, state, null);
    }

    /** The published ports with their host ports; empty when none. */
    List<PortBinding> ports() {
        return forwards == null ? List.of() : forwards.bindings();
    }

    ContainerRecord withForwards(PortForwards forwards) {
        return new ContainerRecord(id, label, mode, sandbox, sandboxKey, sharesWith, state, forwards);
    }

    boolean ownsSandbox() {
        return sandbox != null && sharesWith == null;
    }

    ContainerRecord with(State state) {
        return new ContainerRecord(id, label, mode, sandbox, sandboxKey, sharesWith, state, forwards);
    }

    ContainerRecord withLabel(String label) {
        return new ContainerRecord(id, label, mode, sandbox, sandboxKey, sharesWith, state, forwards);
    }

    ContainerRecord withSandboxKey(String sandboxKey) {
        return new ContainerRecord(id, label, mode, sandbox, sandboxKey, sharesWith, state, forwards);
    }
}
