package io.netwharf.firewall;

import io.netwharf.kernel.Netns;
import io.netwharf.kernel.Nftables;
import io.netwharf.kernel.NftablesException;

import java.util.List;
import java.util.function.Function;

/**
 * The firewall on nftables, in tables of netwharf's own inside the namespace its bridges live in. Every method is
 * one libnftables batch, so each change applies whole or not at all; the rules themselves are in
 * {@link NftablesCommands}. Refusals are {@link NftablesException}s.
 */
public final class NftablesFirewall implements Firewall {
    private final Nftables nft;
    private final Netns host;

    /** {@code host}: the namespace of the bridges (null: the home namespace of {@code nft}'s threads). */
    public NftablesFirewall(Nftables nft, Netns host) {
        this.nft = nft;
        this.host = host;
    }

    @Override
    public void setUp(List<NetworkRules> networks, List<PortForwards> forwards) {
        for (NetworkRules rules : networks) {
            String problem = NftablesCommands.problemWith(rules);
            if (problem != null) {
                throw new NftablesException("set up the netwharf firewall tables with network " + rules.network(), problem, null);
            }
        }
        for (PortForwards f : forwards) {
            String problem = NftablesCommands.problemWith(f);
            if (problem != null) {
                throw new NftablesException("set up the netwharf firewall tables with the published ports of container " + f.container(),
                        problem, null);
            }
        }
        nft.run(host, networks.isEmpty() && forwards.isEmpty() ? "set up the netwharf firewall tables"
                : "set up the netwharf firewall tables with the rules of " + networks.size() + " networks and the published ports of "
                + forwards.size() + " containers", NftablesCommands.setUp(networks, forwards));
    }

    @Override
    public void addNetwork(NetworkRules rules) {
        apply("add", rules, NftablesCommands::addNetwork);
    }

    @Override
    public void removeNetwork(NetworkRules rules) {
        apply("remove", rules, NftablesCommands::removeNetwork);
    }

    @Override
    public void addForwards(PortForwards forwards) {
        forward("publish", forwards, NftablesCommands::addForwards);
    }

    @Override
    public void removeForwards(PortForwards forwards) {
        forward("unpublish", forwards, NftablesCommands::removeForwards);
    }

    private void forward(String verb, PortForwards forwards, Function<PortForwards, String> commands) {
        String operation = verb + " the ports of container " + forwards.container() + " (" + forwards.address() + ")";
        String problem = NftablesCommands.problemWith(forwards);
        if (problem != null) {
            throw new NftablesException(operation, problem, null);
        }
        nft.run(host, operation, commands.apply(forwards));
    }

    @Override
    public void close() {
        nft.close();
    }

    @Override
    public void tearDown() {
        nft.run(host, "delete the netwharf firewall tables", NftablesCommands.tearDown());
    }

    private void apply(String verb, NetworkRules rules, Function<NetworkRules, String> commands) {
        String operation = verb + " firewall rules of network " + rules.network() + " (bridge " + rules.bridge() + ", " + rules.subnet() + ")";
        String problem = NftablesCommands.problemWith(rules);
        if (problem != null) {
            throw new NftablesException(operation, problem, null);
        }
        nft.run(host, operation, commands.apply(rules));
    }
}
