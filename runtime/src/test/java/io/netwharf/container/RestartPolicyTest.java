package io.netwharf.container;

import io.netwharf.protocol.model.NetwharfException;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The restart decision and its delay, as moby's restart manager makes them. Pure: no kernel. */
class RestartPolicyTest {
    private static final Duration QUICK = Duration.ofSeconds(1);

    @Test
    void theDelayDoublesFromOneHundredMillisecondsUpToAMinute() {
        RestartBackoff backoff = new RestartBackoff();
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            delays.add(backoff.next(QUICK).toMillis());
        }
        assertEquals(List.of(100L, 200L, 400L, 800L, 1600L, 3200L, 6400L, 12800L, 25600L, 51200L, 60000L, 60000L), delays);
    }

    @Test
    void aProcessThatRanTenSecondsStartsTheDelayOver() {
        RestartBackoff backoff = new RestartBackoff();
        backoff.next(QUICK);
        backoff.next(QUICK);
        assertEquals(Duration.ofMillis(400), backoff.next(Duration.ofMillis(9_999)));
        assertEquals(Duration.ofMillis(100), backoff.next(Duration.ofSeconds(10)));
        assertEquals(Duration.ofMillis(200), backoff.next(QUICK));
    }

    @Test
    void onFailureRestartsOnlyANonZeroExitAndAtMostItsCount() {
        RestartPolicy twice = RestartPolicy.of("on-failure", 2);
        assertFalse(twice.restarts(0, false, 0), "a clean exit is not a failure");
        assertTrue(twice.restarts(3, false, 0));
        assertTrue(twice.restarts(3, false, 1));
        assertFalse(twice.restarts(3, false, 2), "two restarts made");
        assertTrue(twice.restarts(3, true, 1), "on-failure does not look at a manual stop (a kill by another signal)");
        RestartPolicy unlimited = RestartPolicy.of("on-failure", null);
        assertTrue(unlimited.restarts(1, false, 1_000));
    }

    @Test
    void alwaysRestartsAndUnlessStoppedUnlessAUserStoppedIt() {
        assertTrue(RestartPolicy.of("always", 0).restarts(0, false, 50));
        assertTrue(RestartPolicy.of("always", 0).restarts(137, true, 0));
        assertTrue(RestartPolicy.of("unless-stopped", 0).restarts(0, false, 0));
        assertFalse(RestartPolicy.of("unless-stopped", 0).restarts(0, true, 0));
        assertFalse(RestartPolicy.NO.restarts(1, false, 0));
        assertTrue(RestartPolicy.of("", 5).isNone(), "an empty name (clients before Docker 25) is no, whatever the count");
        assertTrue(RestartPolicy.of(null, null).isNone());
    }

    @Test
    void invalidPoliciesAreRefusedInDockersWords() {
        assertEquals("invalid restart policy: maximum retry count can only be used with 'on-failure'",
                refused("always", 3));
        assertEquals("invalid restart policy: maximum retry count can only be used with 'on-failure' and cannot be negative",
                refused("no", -1));
        assertEquals("invalid restart policy: maximum retry count cannot be negative", refused("on-failure", -1));
        assertEquals("invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'",
                refused("sometimes", 0));
    }

    private static String refused(String name, int count) {
        NetwharfException e = assertThrows(NetwharfException.class, () -> RestartPolicy.of(name, count));
        assertEquals(NetwharfException.Kind.BAD_PARAMETER, e.kind());
        return e.getMessage();
    }
}
