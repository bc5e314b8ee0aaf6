package io.netwharf.network.ipvlan;

import io.netwharf.kernel.HostKernel;
import io.netwharf.network.NetworkDefinition;
import io.netwharf.network.ParentLinkDriver;
import io.netwharf.protocol.rtnetlink.LinkData;
import io.netwharf.protocol.rtnetlink.Rtnetlink;

import java.util.Map;

/**
 * {@code docker network create -d ipvlan -o parent=IF [-o ipvlan_mode=l2|l3]}: each endpoint an ipvlan link on the
 * parent, sharing the parent's MAC. Docker's default mode is l2. Kernels built without ipvlan (this one) refuse the
 * network at creation, in words.
 */
public final class IpvlanDriver extends ParentLinkDriver {
    public IpvlanDriver(HostKernel kernel) {
        super(kernel, "ipvlan");
    }

    @Override
    protected LinkData linkData(Map<String, String> options) {
        return new LinkData.Ipvlan(options.getOrDefault(NetworkDefinition.IPVLAN_MODE, "l2").equals("l3")
                ? Rtnetlink.IPVLAN_MODE_L3 : Rtnetlink.IPVLAN_MODE_L2);
    }

    @Override
    protected boolean takesMac() {
        return false;
    }
}
