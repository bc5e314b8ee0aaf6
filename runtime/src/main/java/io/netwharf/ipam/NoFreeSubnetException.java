package io.netwharf.ipam;

/** Every candidate subnet of the address pools collides with something; the message lists each and what with. */
public final class NoFreeSubnetException extends IllegalStateException {
    NoFreeSubnetException(String message) {
        super(message);
    }
}
