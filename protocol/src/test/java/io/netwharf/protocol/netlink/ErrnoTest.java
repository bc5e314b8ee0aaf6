package io.netwharf.protocol.netlink;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class ErrnoTest {

    @Test
    void describesKnownNumbersLikeStrerrorWithTheName() {
        assertEquals("File exists (EEXIST)", Errno.describe(17));
        assertEquals("Operation not permitted (EPERM)", Errno.describe(1));
        assertEquals("No such device (ENODEV)", Errno.describe(19));
        assertEquals("Invalid argument (EINVAL)", Errno.describe(22));
        assertEquals("EINVAL", Errno.nameOf(22));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -17, 8, 255, 256, 9999, Integer.MAX_VALUE, Integer.MIN_VALUE})
    void unknownNumbersAreDescribedNotThrown(int number) {
        assertNull(Errno.of(number));
        assertEquals("errno " + number, Errno.nameOf(number));
        assertEquals("Unknown error " + number + " (errno " + number + ")", Errno.describe(number));
    }

    /** Every constant is found by its own number: no two share one. */
    @Test
    void everyErrnoIsFoundByItsNumber() {
        for (Errno e : Errno.values()) {
            assertSame(e, Errno.of(e.number), e.name());
        }
    }
}
