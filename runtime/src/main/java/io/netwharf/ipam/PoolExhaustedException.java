package io.netwharf.ipam;

/** Every address an {@link AddressPool} may hand out dynamically is in use; the message names the pool and the count. */
public final class PoolExhaustedException extends IllegalStateException {
    PoolExhaustedException(String message) {
        super(message);
    }
}
