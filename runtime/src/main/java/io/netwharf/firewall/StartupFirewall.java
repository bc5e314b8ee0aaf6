package io.netwharf.firewall;

import java.util.ArrayList;
import java.util.List;

/**
 * The firewall as the runtime's start sees it: the networks brought up (or back) while it starts only note their
 * rules, and {@link #install()} then sets up the tables with all of them in one atomic change. After that every call
 * goes straight to the backend. Rules left by an earlier run stay in force until that change replaces them, so
 * containers kept running across a restart never lose their filtering or masquerading.
 */
public final class StartupFirewall implements Firewall {
    private final Firewall backend;
    private final List<NetworkRules> noted = new ArrayList<>();
    private final List<PortForwards> notedForwards = new ArrayList<>();
    private volatile boolean installed;

    public StartupFirewall(Firewall backend) {
        this.backend = backend;
    }

    @Override
    public void checkEnforceable(String network, boolean icc, boolean internal) {
        backend.checkEnforceable(network, icc, internal);
    }

    /** Installs the tables with every network noted so far; from now on, changes go to the backend at once. */
    public synchronized void install() {
        backend.setUp(List.copyOf(noted), List.copyOf(notedForwards));
        noted.clear();
        notedForwards.clear();
        installed = true;
    }

    @Override
    public synchronized void setUp(List<NetworkRules> networks, List<PortForwards> forwards) {
        backend.setUp(networks, forwards);
        installed = true;
    }

    @Override
    public synchronized void addNetwork(NetworkRules rules) {
        if (installed) {
            backend.addNetwork(rules);
        } else {
            noted.add(rules);
        }
    }

    @Override
    public synchronized void removeNetwork(NetworkRules rules) {
        if (installed) {
            backend.removeNetwork(rules);
        } else {
            noted.remove(rules);
        }
    }

    @Override
    public void checkPublishable(String container) {
        backend.checkPublishable(container);
    }

    @Override
    public synchronized void addForwards(PortForwards forwards) {
        if (installed) {
            backend.addForwards(forwards);
        } else {
            notedForwards.add(forwards);
        }
    }

    @Override
    public synchronized void removeForwards(PortForwards forwards) {
        if (installed) {
            backend.removeForwards(forwards);
        } else {
            notedForwards.remove(forwards);
        }
    }

    @Override
    public void close() {
        backend.close();
    }

    @Override
    public void tearDown() {
        backend.tearDown();
    }
}
