package io.netwharf.runtime;

import io.netwharf.Netwharf;
import io.netwharf.protocol.model.ContainerInfo;
import io.netwharf.protocol.model.NetworkSpec;
import io.netwharf.protocol.model.NetwharfException;
import io.netwharf.protocol.model.NetwharfException.Kind;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.netwharf.protocol.model.ContainerSpec.of;
import static io.netwharf.runtime.RuntimeFixture.await;
import static io.netwharf.runtime.RuntimeFixture.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --iptables=false}: the runtime installs no firewall rule at all (checked with {@code nft} from outside),
 * still wires containers, and refuses the restrictions nothing would enforce. Needs root and the kernel; runs in CI.
 */
class FirewallOffTest {
    private RuntimeFixture fixture;
    private Netwharf netwharf;

    @BeforeEach
    void start() throws Exception {
        fixture = new RuntimeFixture();
        netwharf = fixture.start(fixture.config().iptables(false).ipMasquerade(false).build());
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    @Test
    void noRuleIsInstalledAndContainersAreWiredAllTheSame() {
        assertEquals(List.of(), fixture.box.nftRuleset(fixture.box.host), "no table, chain or rule");
        await(netwharf.createNetwork(NetworkSpec.named("n1").subnet("10.70.0.0/24").build()));
        ContainerInfo a = await(netwharf.createContainer(of("a", "n1")));
        ContainerInfo b = await(netwharf.createContainer(of("b", "n1")));
        ContainerInfo c = await(netwharf.createContainer(of("c", "bridge")));
        assertTrue(fixture.ping(a, b.endpoints().get("n1").ipv4Address()), "containers of a network reach each other");
        assertTrue(fixture.ping(c, await(netwharf.inspectNetwork("bridge")).gateway()), "the default network's gateway");
        assertEquals(List.of(), fixture.box.nftRuleset(fixture.box.host), "still none with networks and containers");
    }

    @Test
    void restrictionsNothingWouldEnforceAreRefusedAndChangeNothing() {
        List<String> links = fixture.box.linkNames(fixture.box.host);
        NetwharfException icc = refused(Kind.BAD_PARAMETER, netwharf.createNetwork(NetworkSpec.named("quiet").icc(false).build()));
        assertTrue(icc.getMessage().contains("enable_icc=false needs netwharf's firewall, which is off (--iptables=false)"), icc.getMessage());
        NetwharfException internal = refused(Kind.BAD_PARAMETER, netwharf.createNetwork(NetworkSpec.named("inside").internal(true).build()));
        assertTrue(internal.getMessage().contains("--internal needs netwharf's firewall"), internal.getMessage());
        assertEquals(links, fixture.box.linkNames(fixture.box.host), "no bridge made");
        assertEquals(List.of("bridge", "host", "none"), await(netwharf.listNetworks()).stream().map(n -> n.name()).toList());
        List<JsonNode> rules = fixture.box.nftRuleset(fixture.box.host);
        assertEquals(List.of(), rules);
    }
}
