package io.netwharf.network.overlay;

import io.netwharf.network.NetworkDefinition;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.protocol.model.NetworkSpec;
import io.netwharf.protocol.model.NetwharfException;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An overlay network request checked whole: the VXLAN network identifier (Docker's option, or the least free one),
 * the MTU (the underlay's less VXLAN's 50 bytes, or less), and what an overlay is here: an L2 network spanning the
 * nodes and nothing more, so internal (no default route, no masquerading, no published ports), as Docker's overlay
 * is without its separate gateway bridge.
 */
public final class OverlayOptions {
    /** Docker's option naming the network's VXLAN identifier (VNI); Docker shows it in the network's options. */
    public static final String VXLAN_ID = "com.docker.network.driver.overlay.vxlanid_list";
    /** Docker's IPsec option: refused, there is no encryption here. */
    public static final String ENCRYPTED = "encrypted";
    /** Docker's first overlay VNI is 4097; 24 bits in all. */
    static final int FIRST_VNI = 4097;
    static final int MAX_VNI = (1 << 24) - 1;
    /** The outer Ethernet, IPv4, UDP and VXLAN headers each frame carries over the underlay. */
    public static final int VXLAN_OVERHEAD = 50;

    private OverlayOptions() {}

    /**
     * The definition of a new overlay network {@code id}, or the error that names what is wrong; {@code underlayMtu}
     * is this node's underlay link's, {@code existing} every network this node knows (the cluster's overlays too).
     */
    public static NetworkDefinition define(NetworkSpec spec, String id, int underlayMtu, Collection<NetworkInfo> existing) {
        for (String key : spec.options().keySet()) {
            if (key.equals(ENCRYPTED)) {
                throw NetwharfException.badParameter("option encrypted: netwharf's overlay networks are not encrypted (no IPsec)");
            }
            if (!key.equals(VXLAN_ID)) {
                throw NetwharfException.badParameter("option " + key + " is not an option of the overlay driver: it takes " + VXLAN_ID);
            }
        }
        if (spec.bridgeName() != null || !spec.icc() || !spec.masquerade()) {
            throw NetwharfException.badParameter("bridge name, inter-container connectivity and masquerading are options of "
                    + "bridge networks: an overlay network has none");
        }
        int largest = underlayMtu - VXLAN_OVERHEAD;
        if (spec.mtu() != null && spec.mtu() > largest) {
            throw NetwharfException.badParameter("invalid MTU number: " + spec.mtu() + ": an overlay network carries at most "
                    + largest + " (the underlay's " + underlayMtu + " less VXLAN's " + VXLAN_OVERHEAD + " bytes)");
        }
        int vni = vni(spec.options().get(VXLAN_ID), existing);
        NetworkDefinition checked = NetworkDefinition.check(spec, id, largest, existing);
        return checked.with(checked.mtu(), true, false, Map.of(VXLAN_ID, Integer.toString(vni)));
    }

    /** The network's VNI, from its options. */
    public static int vniOf(NetworkInfo network) {
        return Integer.parseInt(network.options().get(VXLAN_ID));
    }

    private static int vni(String requested, Collection<NetworkInfo> existing) {
        Set<Integer> used = new TreeSet<>();
        existing.stream().filter(n -> n.driver().equals("overlay") && n.options().containsKey(VXLAN_ID)).forEach(n -> used.add(vniOf(n)));
        if (requested != null) {
            int vni;
            try {
                vni = Integer.parseInt(requested.trim());
            } catch (NumberFormatException e) {
                vni = -1;
            }
            if (vni < 1 || vni > MAX_VNI) {
                throw NetwharfException.badParameter("invalid value \"" + requested + "\" for option " + VXLAN_ID
                        + ": one VXLAN identifier, 1 to " + MAX_VNI);
            }
            if (used.contains(vni)) {
                throw NetwharfException.conflict("VXLAN identifier " + vni + " is already used by another overlay network");
            }
            return vni;
        }
        for (int vni = FIRST_VNI; vni <= MAX_VNI; vni++) {
            if (!used.contains(vni)) {
                return vni;
            }
        }
        throw NetwharfException.conflict("no free VXLAN identifier");
    }
}
