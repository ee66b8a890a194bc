package dev.baton.child;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongUnaryOperator;

import org.junit.jupiter.api.Test;

/** When the JIT counts as idle: a fake clock that moves 1 ms a call, a fake compilation time. */
class JitIdleTest {
    private static final long MS = 1_000_000;
    /** Calls a window holds at 1 ms a call. */
    private static final long WINDOW_CALLS = JitIdle.WINDOW_NANOS / MS;

    /** Calls until {@link JitIdle#called} says idle; {@code compiledAt} gives the compilation time at a call count. */
    private static long callsUntilIdle(LongUnaryOperator compiledAt) {
        AtomicLong clock = new AtomicLong();
        AtomicLong calls = new AtomicLong();
        JitIdle jit = new JitIdle(() -> compiledAt.applyAsLong(calls.get()), clock::get);
        while (true) {
            calls.incrementAndGet();
            clock.addAndGet(MS);
            if (jit.called()) {
                assertEquals(calls.get(), jit.calls());
                return calls.get();
            }
            assertTrue(calls.get() < 100_000, "never idle");
        }
    }

    /** The first window end at which {@code calls} quiet calls have passed since {@code from}. */
    private static long firstWindowEndAfter(long from) {
        long calls = from + JitIdle.IDLE_CALLS;
        return (calls + WINDOW_CALLS - 1) / WINDOW_CALLS * WINDOW_CALLS;
    }

    @Test
    void aJitThatCompilesNothingIsIdleAtTheFirstWindowEndAfterIdleCalls() {
        assertEquals(firstWindowEndAfter(0), callsUntilIdle(calls -> 1234));
    }

    @Test
    void aBusyWindowStartsTheCountAgain() {
        // 10 ms of compiling in each of the first four windows, then none.
        long busyUntil = 4 * WINDOW_CALLS;
        assertEquals(firstWindowEndAfter(busyUntil), callsUntilIdle(calls -> Math.min(calls, busyUntil) / WINDOW_CALLS * 10));
    }

    @Test
    void aTrickleUpToBusyMillisAWindowCountsAsIdle() {
        assertEquals(firstWindowEndAfter(0), callsUntilIdle(calls -> calls / WINDOW_CALLS * JitIdle.BUSY_MILLIS));
        long justOver = JitIdle.BUSY_MILLIS + 1;
        AtomicLong clock = new AtomicLong();
        AtomicLong calls = new AtomicLong();
        JitIdle jit = new JitIdle(() -> calls.get() / WINDOW_CALLS * justOver, clock::get);
        for (int i = 0; i < 10 * JitIdle.IDLE_CALLS; i++) {
            calls.incrementAndGet();
            clock.addAndGet(MS);
            assertFalse(jit.called(), "a JIT compiling 6 ms a window is busy");
        }
    }

    @Test
    void withoutTheCompilationTimeItCountsCallsOnly() {
        JitIdle jit = new JitIdle(null, () -> 0);
        assertFalse(jit.watching());
        for (long i = 1; i < JitIdle.IDLE_CALLS; i++) {
            assertFalse(jit.called());
        }
        assertTrue(jit.called());
    }

    @Test
    void thisJvmReportsItsCompilationTime() {
        assertTrue(JitIdle.ofThisJvm().watching(), "HotSpot with its JIT, as the tests run");
    }
}
