package io.netwharf.actor;

import io.netwharf.kernel.KernelException;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.netlink.Errno;

/** Turns what failed inside an actor into the error the caller sees, naming the step that failed. */
public final class KernelErrors {
    private KernelErrors() {}

    public static NetwharfException describe(String step, Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof NetwharfException e) {
            return e;
        }
        if (cause instanceof KernelException e && e.is(Errno.EXFULL)) {
            return new NetwharfException(NetwharfException.Kind.FORBIDDEN, step + ": " + e.getMessage(), e);
        }
        return NetwharfException.internal(step + ": " + cause.getMessage(), cause);
    }

    /** The failure inside the wrappers that CompletionStage stages put around it. */
    public static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof java.util.concurrent.CompletionException || cause instanceof java.util.concurrent.ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
