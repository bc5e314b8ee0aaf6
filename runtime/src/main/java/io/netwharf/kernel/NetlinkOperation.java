package io.netwharf.kernel;

import io.netwharf.protocol.netlink.Errno;
import io.netwharf.protocol.netlink.NetlinkRequest;

/**
 * A request and the words that name it in an error: "create bridge nw0". {@code ignoredErrno} (0: none) is an answer
 * that counts as success, as ENOENT for the deletion of an entry already gone, so that a batch of removals can be
 * repeated.
 */
public record NetlinkOperation(String description, NetlinkRequest request, int ignoredErrno) {

    public NetlinkOperation(String description, NetlinkRequest request) {
        this(description, request, 0);
    }

    /** The same operation, with {@code errno} counted as success. */
    public NetlinkOperation ignoring(Errno errno) {
        return new NetlinkOperation(description, request, errno.number);
    }

    /** Whether the kernel's answer {@code errno} (0: success) means the operation did what was asked. */
    public boolean succeeded(int errno) {
        return errno == 0 || errno == ignoredErrno;
    }
}
