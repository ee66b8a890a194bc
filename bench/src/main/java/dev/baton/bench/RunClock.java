package dev.baton.bench;

import java.time.Instant;

/**
 * One run's clock: nanoseconds since the run started, from {@link System#nanoTime()}. Also maps
 * wall-clock instants (batond's log timestamps) onto it.
 */
final class RunClock {
    private final long startNanos = System.nanoTime();
    private final long startEpochMicros = epochMicros(Instant.now());

    long now() {
        return System.nanoTime() - startNanos;
    }

    /** A wall-clock instant on this clock (as exact as the wall clock and the instant's own resolution). */
    long at(Instant instant) {
        return (epochMicros(instant) - startEpochMicros) * 1000;
    }

    private static long epochMicros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1000;
    }
}
