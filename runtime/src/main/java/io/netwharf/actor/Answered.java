package io.netwharf.actor;

import io.netwharf.protocol.model.NetwharfException;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * A command whose answer can be an error: whoever cannot carry it out (an owner that is starting, failed, retired,
 * or a registry that finds no such object) refuses it through here without knowing what it asked for.
 */
public interface Answered<T> {
    ActorRef<StatusReply<T>> replyTo();

    default void refuse(NetwharfException error) {
        replyTo().tell(StatusReply.error(error));
    }
}
