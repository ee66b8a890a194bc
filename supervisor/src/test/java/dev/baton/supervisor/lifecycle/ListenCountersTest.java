package dev.baton.supervisor.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ListenCountersTest {
    @Test
    void unknownIsByValueNotByIdentity() {
        assertTrue(ListenCounters.UNKNOWN.unknown());
        assertTrue(new ListenCounters(-1, -1).unknown(), "a copy carried across an upgrade is unknown too");
        assertFalse(new ListenCounters(0, 0).unknown());
        assertFalse(new ListenCounters(-1, 0).unknown());
    }

    @Test
    void sinceAnUnknownSampleIsUnknown() {
        assertTrue(new ListenCounters(5, 7).since(ListenCounters.UNKNOWN).unknown());
        assertEquals(new ListenCounters(2, 3), new ListenCounters(5, 7).since(new ListenCounters(3, 4)));
    }
}
