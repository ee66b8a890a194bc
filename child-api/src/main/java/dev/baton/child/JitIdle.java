package dev.baton.child;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

/**
 * Whether the JVM's JIT compiler has gone idle while warm-up calls go on: the total compilation
 * time, read once per {@link #WINDOW_NANOS} window, grew by at most {@link #BUSY_MILLIS} in every
 * window of the last {@link #IDLE_CALLS} calls.
 *
 * <p>Why calls and not only time: tiered compilation looks at a method profiled in tier 3 only
 * every 1,024 of its calls, and the bar it then applies rises with the length of the C2 queue.
 * A warm-up that ends as soon as the queue drains leaves many methods one such look short of C2,
 * and they reach it under the first real requests after READY (measured on hello: about 60
 * methods compiled by C2 in the first second, most of a core). {@code IDLE_CALLS} quiet calls give
 * every method called once per request two looks with an empty queue.
 */
final class JitIdle {
    static final long WINDOW_NANOS = 250_000_000;
    /** 2% of a window: the JIT's background trickle, not a method being compiled for the requests. */
    static final long BUSY_MILLIS = 5;
    static final long IDLE_CALLS = 2_048;
    /**
     * Between two calls: a warm-up at full speed on a small VM starves the compiler threads, their
     * queue grows, and tiered compilation raises its thresholds with it; the pause leaves them CPU.
     */
    static final long PAUSE_NANOS = 250_000;

    private final LongSupplier compileMillis;
    private final LongSupplier nanoTime;
    private long windowStart;
    private long compiledAtWindowStart;
    private long calls;
    private long callsAtLastBusyWindow;

    /** {@code compileMillis}: the JVM's total compilation time so far; null when it cannot be known. */
    JitIdle(LongSupplier compileMillis, LongSupplier nanoTime) {
        this.compileMillis = compileMillis;
        this.nanoTime = nanoTime;
        this.windowStart = nanoTime.getAsLong();
        this.compiledAtWindowStart = compileMillis == null ? 0 : compileMillis.getAsLong();
    }

    /** This JVM's; without a JIT (-Xint) or its compilation time, one that counts calls only. */
    static JitIdle ofThisJvm() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean known = jit != null && jit.isCompilationTimeMonitoringSupported();
        return new JitIdle(known ? jit::getTotalCompilationTime : null, System::nanoTime);
    }

    /** False when this JVM tells nothing of its JIT: then {@link #called} is true after {@link #IDLE_CALLS} calls. */
    boolean watching() {
        return compileMillis != null;
    }

    /** Counts one call; true once the compiler has been idle for the last {@link #IDLE_CALLS} calls. */
    boolean called() {
        calls++;
        if (compileMillis == null) {
            return calls >= IDLE_CALLS;
        }
        long now = nanoTime.getAsLong();
        if (now - windowStart < WINDOW_NANOS) {
            return false;
        }
        long compiled = compileMillis.getAsLong();
        if (compiled - compiledAtWindowStart > BUSY_MILLIS) {
            callsAtLastBusyWindow = calls;
        }
        windowStart = now;
        compiledAtWindowStart = compiled;
        return calls - callsAtLastBusyWindow >= IDLE_CALLS;
    }

    long calls() {
        return calls;
    }
}
