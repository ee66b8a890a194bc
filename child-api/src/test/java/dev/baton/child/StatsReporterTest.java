package dev.baton.child;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** INFLIGHT/SERVED frames: only on change, at most once a second, never after stop or a failed send. */
@Timeout(10)
class StatsReporterTest {
    private final AtomicLong inflight = new AtomicLong();
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final List<String> sent = new ArrayList<>();
    private final StatsReporter stats = new StatsReporter(inflight::get, served::get,
            frame -> sent.add(frame.toString()), clock::get);

    @BeforeEach
    void readyReported() {
        stats.release();
    }

    private void advanceMillis(long millis) {
        clock.addAndGet(millis * 1_000_000L);
    }

    @Test
    void sendsOnlyWhenANumberChanged() {
        stats.tick();
        assertEquals(List.of("INFLIGHT=0 SERVED=0"), sent);
        for (int i = 0; i < 5; i++) {
            advanceMillis(1000);
            stats.tick();
        }
        assertEquals(1, sent.size(), "nothing changed, nothing sent: " + sent);
        served.set(7);
        inflight.set(2);
        advanceMillis(1000);
        stats.tick();
        assertEquals(List.of("INFLIGHT=0 SERVED=0", "INFLIGHT=2 SERVED=7"), sent);
    }

    @Test
    void sendsAtMostOnceASecondAndTheLatestNumbersAfterwards() {
        stats.tick();
        for (int i = 1; i <= 3; i++) {
            served.set(i);
            advanceMillis(250);
            stats.tick();
        }
        assertEquals(List.of("INFLIGHT=0 SERVED=0"), sent, "changes within a second wait");
        advanceMillis(250);
        stats.tick();
        assertEquals(List.of("INFLIGHT=0 SERVED=0", "INFLIGHT=0 SERVED=3"), sent);
    }

    @Test
    void nothingIsSentAfterStopOrWhenNothingCounts() {
        stats.stop();
        served.set(1);
        stats.tick();
        assertEquals(List.of(), sent);

        StatsReporter uncounted = new StatsReporter(() -> -1, () -> -1, frame -> sent.add(frame.toString()), clock::get);
        uncounted.release();
        uncounted.tick();
        assertEquals(List.of(), sent);
    }

    @Test
    void aFailedSendStopsTheReporterWithoutThrowing() {
        List<String> attempts = new ArrayList<>();
        StatsReporter gone = new StatsReporter(inflight::get, served::get, frame -> {
            attempts.add(frame.toString());
            throw new IOException("Broken pipe");
        }, clock::get);
        gone.release();
        gone.tick();
        served.set(5);
        advanceMillis(2000);
        gone.tick();
        assertEquals(1, attempts.size(), "one attempt, then silence: " + attempts);
    }

    @Test
    void theTimerThreadSendsAndIsADaemon() throws Exception {
        List<Thread> senders = new ArrayList<>();
        java.util.concurrent.CompletableFuture<String> first = new java.util.concurrent.CompletableFuture<>();
        StatsReporter real = new StatsReporter(inflight::get, served::get, frame -> {
            senders.add(Thread.currentThread());
            first.complete(frame.toString());
        }, System::nanoTime);
        served.set(4);
        real.start();
        real.release();
        try {
            assertEquals("INFLIGHT=0 SERVED=4", first.get(5, java.util.concurrent.TimeUnit.SECONDS));
            assertTrue(senders.get(0).isDaemon());
            assertEquals("baton-stats", senders.get(0).getName());
        } finally {
            real.stop();
        }
    }

    @Test
    void nothingIsSentBeforeReadyIsReported() {
        java.util.concurrent.atomic.AtomicInteger counted = new java.util.concurrent.atomic.AtomicInteger();
        StatsReporter early = new StatsReporter(() -> {
            counted.incrementAndGet();
            return inflight.get();
        }, served::get, frame -> sent.add(frame.toString()), clock::get);
        served.set(3);
        for (int i = 0; i < 4; i++) {
            advanceMillis(1000);
            early.tick();
        }
        assertEquals(List.of(), sent, "sent before READY");
        assertEquals(4, counted.get(), "counted before READY, so that the counting code runs before it too");
        early.release();
        early.tick();
        assertEquals(List.of("INFLIGHT=0 SERVED=3"), sent);
    }

    @Test
    void aStartCancelledBeforeReadyCanBeginAgain() throws Exception {
        java.util.concurrent.CompletableFuture<String> first = new java.util.concurrent.CompletableFuture<>();
        StatsReporter real = new StatsReporter(inflight::get, served::get, frame -> first.complete(frame.toString()), System::nanoTime);
        served.set(2);
        real.start();
        real.cancel(); // the warm-up failed
        real.start();
        real.release();
        try {
            assertEquals("INFLIGHT=0 SERVED=2", first.get(5, java.util.concurrent.TimeUnit.SECONDS));
        } finally {
            real.stop();
        }
    }
}
