package io.netwharf.network.overlay;

import io.netwharf.network.NetworkDefinition;
import io.netwharf.protocol.model.NetworkInfo;
import io.netwharf.protocol.model.NetworkSpec;
import io.netwharf.protocol.model.NetwharfException;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An overlay network request checked before anything is made: what it becomes, and each refusal's words. No root. */
class OverlayOptionsTest {
    private static final String ID = "1234567890ab".repeat(5) + "cdef";

    @Test
    void anOverlayIsInternalWithTheUnderlaysMtuLessFiftyAndTheLeastFreeVni() {
        NetworkInfo other = overlay("4097");
        NetworkDefinition d = OverlayOptions.define(spec().build(), ID, 1500, List.of(other));
        assertEquals("ov-" + ID.substring(0, 12), d.link());
        assertEquals(1450, d.mtu());
        assertTrue(d.internal());
        assertFalse(d.masquerade());
        assertEquals(Map.of(OverlayOptions.VXLAN_ID, "4098"), d.options());
        NetworkDefinition chosen = OverlayOptions.define(spec().options(Map.of(OverlayOptions.VXLAN_ID, "5000")).mtu(1400).build(), ID, 1500, List.of());
        assertEquals("5000", chosen.options().get(OverlayOptions.VXLAN_ID));
        assertEquals(1400, chosen.mtu());
    }

    @Test
    void refusalsNameWhatIsWrong() {
        assertEquals("option encrypted: netwharf's overlay networks are not encrypted (no IPsec)",
                refusal(spec().options(Map.of("encrypted", "")).build(), List.of()));
        assertTrue(refusal(spec().options(Map.of("parent", "eth0")).build(), List.of()).startsWith("option parent is not an option of the overlay driver"));
        assertTrue(refusal(spec().mtu(1460).build(), List.of()).contains("an overlay network carries at most 1450"));
        assertTrue(refusal(spec().options(Map.of(OverlayOptions.VXLAN_ID, "4097")).build(), List.of(overlay("4097")))
                .contains("VXLAN identifier 4097 is already used"));
        assertTrue(refusal(spec().options(Map.of(OverlayOptions.VXLAN_ID, "16777216")).build(), List.of()).contains("1 to 16777215"));
        assertTrue(refusal(spec().masquerade(false).build(), List.of()).contains("options of bridge networks"));
    }

    private static String refusal(NetworkSpec spec, List<NetworkInfo> existing) {
        return assertThrows(NetwharfException.class, () -> OverlayOptions.define(spec, ID, 1500, existing)).getMessage();
    }

    private static NetworkSpec.Builder spec() {
        return NetworkSpec.named("ov1").driver("overlay").subnet("10.0.8.0/22");
    }

    private static NetworkInfo overlay(String vni) {
        return new NetworkInfo("f".repeat(64), "other", "overlay", "ov-ffffffffffff", "10.0.20.0/24", "10.0.20.1", null, 1450, true, false,
                true, false, Map.of(), Map.of(OverlayOptions.VXLAN_ID, vni), Instant.EPOCH, Map.of());
    }
}
