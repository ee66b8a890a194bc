package dev.baton.child;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.baton.protocol.Reason;

/** After READY, a readiness check that starts failing is reported once per failure, until the drain. */
@Timeout(20)
class ReadinessWatchTest {

    @Test
    void reportsEachTimeACheckStartsFailingAndStopsAtTheDrain() {
        Readiness readiness = new Readiness();
        AtomicBoolean db = new AtomicBoolean(true);
        readiness.add("db", () -> {
            if (!db.get()) {
                throw new IOException("connection refused");
            }
            return true;
        });
        List<String> reported = new ArrayList<>();
        ReadinessWatch watch = new ReadinessWatch(readiness, reported::add);
        assertTrue(watch.check());
        assertEquals(List.of(), reported);
        db.set(false);
        assertTrue(watch.check());
        assertTrue(watch.check(), "still failing: not reported again");
        assertEquals(List.of("check 'db' failing: java.io.IOException: connection refused"), reported);
        db.set(true);
        watch.check();
        db.set(false);
        watch.check();
        assertEquals(2, reported.size(), "failing again after passing: reported again");
        readiness.markDraining();
        assertFalse(watch.check(), "the drain ends the watch");
        assertEquals(2, reported.size());
    }

    @Test
    void withoutChecksTheWatchEndsAtReadyAndTheDrainEndsIt() throws Exception {
        Readiness none = new Readiness();
        List<String> reported = new CopyOnWriteArrayList<>();
        Thread idle = ReadinessWatch.startAtReady(none, reported::add, Duration.ofMillis(10), new CountDownLatch(0));
        idle.join(10_000);
        assertFalse(idle.isAlive(), "no checks at READY: the watch ends at once");
        assertEquals(List.of(), reported);

        Readiness readiness = new Readiness();
        readiness.add("flag", () -> false);
        Thread t = ReadinessWatch.startAtReady(readiness, reported::add, Duration.ofMillis(10), new CountDownLatch(0));
        assertTrue(t.isDaemon());
        reportedThenEndedByTheDrain(t, reported, readiness);
    }

    /** The watch reports the failing check once, and the drain ends its thread. */
    private static void reportedThenEndedByTheDrain(Thread t, List<String> reported, Readiness readiness) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (reported.isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(List.of("check 'flag' failing"), reported);
        readiness.markDraining();
        t.join(10_000);
        assertFalse(t.isAlive());
    }

    @Test
    void notReadyOutsideBatondOnlyLogsOneLine() throws Exception {
        Baton baton = Baton.fromEnvironment(Map.of("BATON_LISTEN", "127.0.0.1:0"), List.of());
        try (LogCapture log = new LogCapture()) {
            baton.notReady("db gone\nsecond line");
            assertEquals(List.of("baton: not ready any more: db gone second line"), log.lines());
        }
    }

    @Test
    void theReasonIsOneShortPrintableLine() {
        assertEquals("no reason given", Reason.oneLine(null));
        assertEquals("no reason given", Reason.oneLine(" \n "));
        assertEquals("a b c", Reason.oneLine(" a\tb\rc "));
        assertEquals(Reason.MAX + 3, Reason.oneLine("x".repeat(10_000)).length());
    }

    @Test
    void aWatchStartedBeforeReadyWaitsForItAndAnInterruptEndsIt() throws Exception {
        Readiness readiness = new Readiness();
        readiness.add("flag", () -> false);
        List<String> reported = new CopyOnWriteArrayList<>();
        CountDownLatch ready = new CountDownLatch(1);
        Thread t = ReadinessWatch.startAtReady(readiness, reported::add, Duration.ofMillis(10), ready);
        // Parked on the latch: no check has run, so nothing was reported.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (t.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(Thread.State.WAITING, t.getState());
        assertEquals(List.of(), reported);
        ready.countDown();
        reportedThenEndedByTheDrain(t, reported, readiness);

        Thread never = ReadinessWatch.startAtReady(readiness, reported::add, Duration.ofMillis(10), new CountDownLatch(1));
        never.interrupt();
        never.join(10_000);
        assertFalse(never.isAlive(), "an interrupt ends a watch still waiting for READY");
    }
}
