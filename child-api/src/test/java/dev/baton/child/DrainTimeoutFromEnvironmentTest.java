package dev.baton.child;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * BATON_DRAIN_TIMEOUT_MS within batond's bound (1 ms to 24 h) is used, less a tenth; anything
 * else never becomes "forever" (or an overflow that leaves SIGTERM unanswered): a larger number
 * is taken as 24 h, a value that is not a positive number of milliseconds as unset, each with one
 * warning line.
 */
@Timeout(20)
class DrainTimeoutFromEnvironmentTest {
    private static final Duration LONGEST = Duration.ofMillis(86_400_000 - 8_640_000);

    @Test
    void unsetIsTheDefaultSilently() {
        try (LogCapture log = new LogCapture()) {
            assertEquals(Baton.DEFAULT_DRAIN_TIMEOUT, Baton.drainTimeout(Map.of()));
            assertEquals(List.of(), log.lines());
        }
    }

    @Test
    void withinTheBoundItIsUsedLessATenthSilently() {
        try (LogCapture log = new LogCapture()) {
            assertEquals(Duration.ofMillis(1), timeout("1"));
            assertEquals(Duration.ofMillis(9000), timeout("10000"));
            assertEquals(Duration.ofMillis(9000), timeout(" 010000 "));
            assertEquals(LONGEST, timeout("86400000"));
            assertEquals(List.of(), log.lines());
        }
    }

    @Test
    void aboveTheBoundItIsTakenAs24HoursWithAWarning() {
        for (String huge : List.of("86400001", "9999999999999999", "9223372036854775807", "9223372036854775808",
                "99999999999999999999999999999999999999999999999999")) {
            try (LogCapture log = new LogCapture()) {
                assertEquals(LONGEST, timeout(huge), huge);
                assertEquals(1, log.lines().size(), () -> huge + ": " + log.lines());
                String warning = log.line("is more than 86400000 (24h), the longest batond allows: taken as 86400000");
                assertTrue(warning.startsWith("baton: BATON_DRAIN_TIMEOUT_MS=" + huge.substring(0, Math.min(40, huge.length()))),
                        warning);
            }
        }
    }

    @Test
    void notAPositiveNumberIsTheDefaultWithAWarning() {
        for (String bad : List.of("", " ", "0", "000", "-1", "-9999999999999999999999", "10s", "1.5", "1e9", "NaN",
                "Infinity", "+5", "0x10", "12 34")) {
            try (LogCapture log = new LogCapture()) {
                assertEquals(Baton.DEFAULT_DRAIN_TIMEOUT, timeout(bad), bad);
                assertEquals(1, log.lines().size(), () -> bad + ": " + log.lines());
                log.line("is not a positive number of milliseconds: draining for at most 25s, the default");
            }
        }
    }

    @Test
    void theWarningIsOneLineWhateverTheValueHolds() {
        try (LogCapture log = new LogCapture()) {
            timeout("1\n2\u001b[2J");
            assertEquals("baton: BATON_DRAIN_TIMEOUT_MS='1\\x0a2\\x1b[2J' is not a positive number of milliseconds:"
                    + " draining for at most 25s, the default", log.lines().get(0));
        }
    }

    /** The bug this bound fixes: with 9999999999999999 ms the drain thread overflowed and SIGTERM did nothing. */
    @Test
    void aDrainWithTheLongestTimeoutStillDrainsAndExits() throws Exception {
        Duration longest;
        try (LogCapture log = new LogCapture()) {
            longest = timeout("9999999999999999");
        }
        CompletableFuture<Integer> exitCode = new CompletableFuture<>();
        Drain drain = new Drain(longest, null, 1, new Readiness(), () -> { }, exitCode::complete);
        InflightTracker tracker = new InflightTracker();
        drain.add(Drainable.of(() -> { }, tracker));
        drain.startAndExit("SIGTERM");
        assertEquals(0, exitCode.get(10, TimeUnit.SECONDS));
    }

    private static Duration timeout(String millis) {
        return Baton.drainTimeout(Map.of("BATON_DRAIN_TIMEOUT_MS", millis));
    }
}
