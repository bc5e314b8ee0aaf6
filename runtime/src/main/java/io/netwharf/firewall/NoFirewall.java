package io.netwharf.firewall;

import io.netwharf.protocol.model.NetwharfException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * No firewall of netwharf's ({@code --iptables=false}, dockerd's spelling): for hosts whose firewall is managed
 * elsewhere. Nothing is installed, so networks are not isolated from each other and nothing is masqueraded. A
 * network that asks for a restriction (icc off, internal) is refused, naming it, rather than made without it; its
 * masquerading, which restricts nothing, is logged as not done, as the daemon says at start.
 */
public final class NoFirewall implements Firewall {
    private static final Logger LOG = LoggerFactory.getLogger(NoFirewall.class);

    @Override
    public void checkEnforceable(String network, boolean icc, boolean internal) {
        if (!icc || internal) {
            throw NetwharfException.badParameter("network " + network + ": " + (internal ? "--internal" : "enable_icc=false")
                    + " needs netwharf's firewall, which is off (--iptables=false): nothing would enforce it");
        }
    }

    @Override
    public void setUp(List<NetworkRules> networks, List<PortForwards> forwards) {
        networks.forEach(this::addNetwork);
        LOG.warn("--iptables=false: netwharf installs no firewall rules; its networks are not isolated from each other, "
                + "their traffic is not masqueraded, and icc=false and internal networks are refused");
    }

    @Override
    public void checkPublishable(String container) {
        throw NetwharfException.badParameter("container " + container + ": published ports need netwharf's firewall, which is off "
                + "(--iptables=false): nothing would forward them");
    }

    @Override
    public void addForwards(PortForwards forwards) {
        checkPublishable(forwards.container());
    }

    @Override
    public void removeForwards(PortForwards forwards) {
        // Nothing was added.
    }

    @Override
    public void addNetwork(NetworkRules rules) {
        if (rules.masquerade()) {
            LOG.warn("network {}: not masqueraded (--iptables=false)", rules.network());
        }
    }

    @Override
    public void removeNetwork(NetworkRules rules) {
        // Nothing was added.
    }

    @Override
    public void tearDown() {
        // Nothing was set up.
    }
}
