package io.netwharf.ipam;

/**
 * A requested address is valid for the pool but already in use: a conflict with another endpoint, unlike a
 * request that can never succeed (outside the subnet, the gateway), which is a plain IllegalArgumentException.
 */
public final class AddressConflictException extends IllegalArgumentException {
    AddressConflictException(String message) {
        super(message);
    }
}
