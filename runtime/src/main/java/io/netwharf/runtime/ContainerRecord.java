package io.netwharf.runtime;

import io.netwharf.sandbox.SandboxActor;

import org.apache.pekko.actor.typed.ActorRef;

/**
 * What the runtime keeps of a container to route commands to it. Its endpoints live with its {@link SandboxActor}.
 *
 * @param mode       {@code bridge}, {@code none}, {@code host}, {@code container:<id>} or a network name, as asked
 * @param sandbox    the actor owning its namespace: its own, or for {@code container:} mode the owner's; null for host
 * @param sandboxKey the namespace's path
 * @param sharesWith for {@code container:} mode, the id of the container whose namespace it joined
 */
record ContainerRecord(String id, String name, String mode, ActorRef<SandboxActor.Command> sandbox, String sandboxKey,
                       String sharesWith, State state) {
    enum State { CREATING, RUNNING, REMOVING }

    boolean ownsSandbox() {
        return sandbox != null && sharesWith == null;
    }

    ContainerRecord with(State state) {
        return new ContainerRecord(id, name, mode, sandbox, sandboxKey, sharesWith, state);
    }

    ContainerRecord withSandboxKey(String sandboxKey) {
        return new ContainerRecord(id, name, mode, sandbox, sandboxKey, sharesWith, state);
    }
}
