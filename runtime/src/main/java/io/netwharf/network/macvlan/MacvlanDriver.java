package io.netwharf.network.macvlan;

import io.netwharf.kernel.HostKernel;
import io.netwharf.network.NetworkDefinition;
import io.netwharf.network.ParentLinkDriver;
import io.netwharf.protocol.rtnetlink.LinkData;
import io.netwharf.protocol.rtnetlink.Rtnetlink;

import java.util.Map;

/**
 * {@code docker network create -d macvlan -o parent=IF [-o macvlan_mode=bridge|private|vepa|passthru]}: each endpoint
 * a macvlan link on the parent with a MAC of its own (02:42 and its address). Docker's default mode is bridge.
 */
public final class MacvlanDriver extends ParentLinkDriver {
    public MacvlanDriver(HostKernel kernel) {
        super(kernel, "macvlan");
    }

    @Override
    protected LinkData linkData(Map<String, String> options) {
        return new LinkData.Macvlan(switch (options.getOrDefault(NetworkDefinition.MACVLAN_MODE, "bridge")) {
            case "private" -> Rtnetlink.MACVLAN_MODE_PRIVATE;
            case "vepa" -> Rtnetlink.MACVLAN_MODE_VEPA;
            case "passthru" -> Rtnetlink.MACVLAN_MODE_PASSTHRU;
            default -> Rtnetlink.MACVLAN_MODE_BRIDGE;
        });
    }

    @Override
    protected boolean takesMac() {
        return true;
    }
}
