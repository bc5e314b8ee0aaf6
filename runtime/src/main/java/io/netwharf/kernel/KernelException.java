package io.netwharf.kernel;

import io.netwharf.protocol.netlink.Errno;

/**
 * A system call or a netlink request the kernel refused. The message names the operation and the object, the
 * error and, when the kernel gave one, its extended-ACK text: {@code create veth vh1a2b3c peer eth0 in netns c7:
 * File exists (EEXIST)}. Bad arguments caught before any system call use the same type with EINVAL, so callers
 * handle one kind of error.
 */
public final class KernelException extends RuntimeException {
    private final String operation;
    private final int errno;
    private final String detail;

    public KernelException(String operation, int errno, String detail) {
        super(operation + ": " + Errno.describe(errno) + (detail == null || detail.isEmpty() ? "" : ": " + detail));
        this.operation = operation;
        this.errno = errno;
        this.detail = detail;
    }

    /** What was being done, to what: "create bridge nw0". */
    public String operation() {
        return operation;
    }

    /** The positive errno. */
    public int errno() {
        return errno;
    }

    /** EEXIST, ENODEV, ...; "errno N" for numbers outside the table. */
    public String errnoName() {
        return Errno.nameOf(errno);
    }

    public boolean is(Errno e) {
        return errno == e.number;
    }

    /** The kernel's extended-ACK text, or netwharf's own reason for refusing before the kernel saw it; may be null. */
    public String detail() {
        return detail;
    }
}
