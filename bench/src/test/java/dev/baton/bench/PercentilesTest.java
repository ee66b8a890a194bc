package dev.baton.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PercentilesTest {
    @Test
    void nearestRankOverMilliseconds() {
        long[] nanos = new long[100];
        for (int i = 0; i < 100; i++) {
            nanos[i] = (100 - i) * 1_000_000L; // 100 ms down to 1 ms, unsorted on purpose
        }
        Percentiles p = Percentiles.ofNanos(nanos);
        assertEquals(100, p.count());
        assertEquals(50.0, p.p50());
        assertEquals(99.0, p.p99());
        assertEquals(100.0, p.max());
    }

    @Test
    void oneValueIsEveryPercentileAndNoneIsEmpty() {
        assertEquals(new Percentiles(1, 1.5, 1.5, 1.5), Percentiles.ofNanos(new long[] {1_500_000}));
        assertEquals(Percentiles.EMPTY, Percentiles.ofNanos(new long[0]));
    }
}
