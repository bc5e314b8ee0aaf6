package io.netwharf.ipam;

import io.netwharf.protocol.model.NetwharfException;

import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;

/**
 * Owns the address allocation of one subnet: an {@link AddressPool} that only this actor touches, one message at
 * a time. Pure computation, so it runs on the default dispatcher.
 */
public final class PoolActor {
    private PoolActor() {}

    /** Not sealed: the owner of an overlay network's addresses (io.netwharf.cluster) speaks this protocol with messages of its own. */
    public interface Command {}

    /**
     * An address for an endpoint: {@code requested} if given (a static address, refused when taken), else
     * {@code preferred} if given and free (the one it had before), else the next free one.
     */
    public record Allocate(Integer requested, Integer preferred, ActorRef<StatusReply<Integer>> replyTo) implements Command {
        public Allocate(Integer requested, ActorRef<StatusReply<Integer>> replyTo) {
            this(requested, null, replyTo);
        }
    }

    public record Release(int address, ActorRef<StatusReply<Done>> replyTo) implements Command {}

    /** How many addresses are handed out, for checks that nothing leaked. */
    public record CountInUse(ActorRef<Integer> replyTo) implements Command {}

    public static Behavior<Command> create(AddressPool pool) {
        return Behaviors.receive(Command.class)
                .onMessage(Allocate.class, m -> {
                    m.replyTo().tell(allocate(pool, m.requested() != null ? m.requested() : free(pool, m.preferred())));
                    return Behaviors.same();
                })
                .onMessage(Release.class, m -> {
                    pool.release(m.address());
                    m.replyTo().tell(StatusReply.ack());
                    return Behaviors.same();
                })
                .onMessage(CountInUse.class, m -> {
                    m.replyTo().tell(pool.inUseCount());
                    return Behaviors.same();
                })
                .build();
    }

    /** {@code preferred} when the pool can give it now; null (the next free one) otherwise. */
    private static Integer free(AddressPool pool, Integer preferred) {
        return preferred != null && pool.isFree(preferred) ? preferred : null;
    }

    private static StatusReply<Integer> allocate(AddressPool pool, Integer requested) {
        try {
            return StatusReply.success(requested == null ? pool.allocate() : pool.allocate(requested));
        } catch (AddressConflictException e) {
            return StatusReply.error(NetwharfException.forbidden("Address already in use: " + e.getMessage()));
        } catch (PoolExhaustedException e) {
            return StatusReply.error(NetwharfException.forbidden(e.getMessage()));
        } catch (IllegalArgumentException e) {
            return StatusReply.error(NetwharfException.badParameter("Invalid address " + Ipv4.format(requested) + ": " + e.getMessage()));
        }
    }
}
