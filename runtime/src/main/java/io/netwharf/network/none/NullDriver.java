package io.netwharf.network.none;

import io.netwharf.network.host.HostDriver;

/** Docker's {@code null} driver, of the {@code none} network: like {@link HostDriver}, nothing in the kernel. */
public final class NullDriver extends HostDriver {
    public NullDriver() {
        super("null");
    }
}
