package io.netwharf.kernel;

import io.netwharf.protocol.netlink.NetlinkRequest;

/** A request and the words that name it in an error: "create bridge nw0". */
public record NetlinkOperation(String description, NetlinkRequest request) {
}
