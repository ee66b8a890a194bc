package dev.baton.child;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.baton.protocol.Frame;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every stage of the drain, in order, with fakes that record what happened when. */
@Timeout(20)
class DrainTest {
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private final List<Frame> frames = Collections.synchronizedList(new ArrayList<>());
    private final Readiness readiness = new Readiness();

    private Drain drain(Duration timeout) {
        FrameSender batond = new FrameSender() {
            @Override
            public void send(Frame frame) {
                events.add("send " + frame.fields().keySet().iterator().next());
                frames.add(frame);
            }

            @Override
            public void close() {
                events.add("handoff closed");
            }
        };
        return new Drain(timeout, batond, 3, readiness, () -> events.add("logging stopped"),
                code -> events.add("exit " + code));
    }

    /** A participant that records each stage, with requests counted by a real tracker. */
    private Drainable recording(String name, InflightTracker tracker, int idleConnections) {
        return new Drainable() {
            @Override
            public void stopAccepting() {
                events.add(name + " stopAccepting (ready=" + readiness.verdict().ready() + ")");
            }

            @Override
            public boolean awaitIdle(Instant deadline) throws InterruptedException {
                boolean idle = tracker.awaitIdle(deadline);
                events.add(name + " awaitIdle " + idle);
                return idle;
            }

            @Override
            public int closeIdle(Instant deadline) {
                events.add(name + " closeIdle");
                return idleConnections;
            }

            @Override
            public long inflight() {
                return tracker.inflight();
            }

            @Override
            public long served() {
                return tracker.served();
            }
        };
    }

    /** A resource that records when it closed and refuses to be closed while a request uses it. */
    private final class FakeResource implements AutoCloseable {
        private final String name;
        private int users;       // guarded by this
        private boolean closed;  // guarded by this

        FakeResource(String name) {
            this.name = name;
        }

        synchronized void use() {
            if (closed) {
                throw new IllegalStateException(name + " used after it was closed");
            }
            users++;
        }

        synchronized void release() {
            users--;
            events.add(name + " released");
        }

        @Override
        public synchronized void close() {
            if (users > 0) {
                events.add(name + " CLOSED WHILE IN USE by " + users);
            }
            closed = true;
            events.add("close " + name);
        }
    }

    @Test
    void stagesRunInOrderAndResourcesCloseInReverseOrderOfRegistration() {
        Drain drain = drain(Duration.ofSeconds(10));
        drain.add(recording("http", new InflightTracker(), 2));
        drain.add(recording("admin", new InflightTracker(), 1));
        drain.onClose("db-pool", new FakeResource("db-pool"));
        drain.onClose("http-client", new FakeResource("http-client"));
        drain.onClose("workers", new FakeResource("workers"));
        readiness.markReady();
        try (LogCapture log = new LogCapture()) {
            DrainReport report = drain.run("SIGTERM");

            assertEquals(List.of("http stopAccepting (ready=false)", "admin stopAccepting (ready=false)",
                    "http awaitIdle true", "admin awaitIdle true", "http closeIdle", "admin closeIdle",
                    "close workers", "close http-client", "close db-pool", "send DRAINED", "handoff closed",
                    "logging stopped"), events);
            assertEquals(List.of("workers", "http-client", "db-pool"), report.closed());
            assertEquals(0, report.exitCode());
            log.line("baton: stopped accepting");
            log.line("baton: in-flight 0 -> 0 in ");
            log.line("baton: closed 3 idle connection(s)");
            log.line("baton: closed db-pool in ");
            log.line("baton: drained generation=3");
        }
        assertEquals(new Readiness.Verdict(false, "draining"), readiness.verdict());
    }

    @Test
    void aResourceIsNeverClosedWhileARequestThatUsesItIsInFlight() throws Exception {
        InflightTracker tracker = new InflightTracker();
        FakeResource db = new FakeResource("db-pool");
        Drain drain = drain(Duration.ofSeconds(10));
        drain.add(recording("http", tracker, 0));
        drain.onClose("db-pool", db);

        // Two requests in flight, each holding the pool, each finishing only when the drain has begun.
        CountDownLatch drainBegan = new CountDownLatch(1);
        List<CompletableFuture<Void>> requests = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            tracker.begin();
            db.use();
            long holdMillis = 100L * (i + 1);
            requests.add(CompletableFuture.runAsync(() -> {
                try {
                    drainBegan.await();
                    TimeUnit.MILLISECONDS.sleep(holdMillis); // the request's own work
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                db.release();
                tracker.end();
            }));
        }
        try (LogCapture log = new LogCapture()) {
            CompletableFuture<DrainReport> report = CompletableFuture.supplyAsync(() -> drain.run("SIGTERM"));
            waitFor(() -> events.contains("http stopAccepting (ready=false)"));
            drainBegan.countDown();
            DrainReport done = report.get(10, TimeUnit.SECONDS);

            assertFalse(events.stream().anyMatch(e -> e.contains("CLOSED WHILE IN USE")), events::toString);
            int lastRelease = events.lastIndexOf("db-pool released");
            assertTrue(lastRelease >= 0 && lastRelease < events.indexOf("close db-pool"), events::toString);
            assertEquals(2, done.inflightAtDrain());
            assertEquals(2, done.served());
            assertEquals(0, done.abandoned());
            assertTrue(log.line("baton: in-flight 2 -> 0 in ").matches("baton: in-flight 2 -> 0 in \\d+\\.\\d s"),
                    log.lines()::toString);
        }
        Frame drained = frames.get(frames.size() - 1);
        assertEquals("1", drained.get("DRAINED"));
        assertEquals("2", drained.get("SERVED"));
        assertEquals("2", drained.get("INFLIGHT_AT_DRAIN"));
        assertEquals("0", drained.get("ABANDONED"));
        assertEquals("db-pool", drained.get("CLOSED"));
        assertTrue(Long.parseLong(drained.get("DRAIN_MS")) >= 100, drained::toString);
    }

    @Test
    void pastTheDeadlineWhatIsInFlightIsLoggedClosedAndTheExitIsNonZero() throws Exception {
        InflightTracker tracker = new InflightTracker();
        tracker.begin(); // a request that never ends
        List<String> abandonedHere = new ArrayList<>();
        Drain drain = drain(Duration.ofMillis(500));
        drain.add(new Drainable() {
            @Override
            public void stopAccepting() {}

            @Override
            public boolean awaitIdle(Instant deadline) throws InterruptedException {
                return tracker.awaitIdle(deadline);
            }

            @Override
            public List<String> abandon() {
                abandonedHere.add("GET /report from 127.0.0.1:4242");
                return List.copyOf(abandonedHere);
            }

            @Override
            public long inflight() {
                return tracker.inflight();
            }
        });
        drain.onClose("db-pool", new FakeResource("db-pool"));
        try (LogCapture log = new LogCapture()) {
            DrainReport report = drain.run("SIGTERM");

            assertEquals(1, report.exitCode());
            assertEquals(1, report.abandoned());
            assertEquals(List.of("db-pool"), report.closed(), "resources are still closed, after what was abandoned");
            assertTrue(log.line("drain deadline passed").contains("closed 1 request(s) still in flight: "
                    + "GET /report from 127.0.0.1:4242"), log.lines()::toString);
            log.line("baton: in-flight 1 -> 1 in ");
        }
        assertEquals("1", frames.get(frames.size() - 1).get("ABANDONED"));
        assertTrue(events.indexOf("close db-pool") < events.indexOf("logging stopped"), events::toString);
    }

    @Test
    void aFailingResourceMakesTheExitNonZeroAndTheOthersStillClose() {
        Drain drain = drain(Duration.ofSeconds(10));
        drain.onClose("after", () -> events.add("close after"));
        drain.onClose("broken", () -> {
            throw new IllegalStateException("boom");
        });
        DrainReport report = drain.run("test");
        assertEquals(1, report.exitCode());
        assertEquals(List.of("after"), report.closed());
        assertTrue(events.contains("close after"), events::toString);
        assertEquals("after", frames.get(0).get("CLOSED"));
    }

    @Test
    void aResourceThatHangsPastTheDeadlineEndsTheProcessWithOne() throws Exception {
        CompletableFuture<Integer> exitCode = new CompletableFuture<>();
        CountDownLatch never = new CountDownLatch(1);
        Drain drain = new Drain(Duration.ofMillis(300), null, 1, readiness, () -> events.add("logging stopped"),
                exitCode::complete);
        drain.onClose("stuck-client", never::await);
        try (LogCapture log = new LogCapture()) {
            drain.startAndExit("SIGTERM");
            assertEquals(1, exitCode.get(10, TimeUnit.SECONDS));
            assertTrue(log.line("drain deadline of 0.3 s passed").contains("while closing stuck-client"),
                    log.lines()::toString);
        } finally {
            never.countDown();
        }
        assertTrue(events.contains("logging stopped"));
    }

    @Test
    void aSecondSignalDoesNotStartASecondDrain() throws Exception {
        CompletableFuture<Integer> exitCode = new CompletableFuture<>();
        Drain drain = new Drain(Duration.ofSeconds(5), null, 1, readiness, () -> { }, exitCode::complete);
        try (LogCapture log = new LogCapture()) {
            drain.startAndExit("SIGTERM");
            drain.startAndExit("SIGINT");
            assertEquals(0, exitCode.get(10, TimeUnit.SECONDS));
            log.line("SIGINT while draining: already draining");
        }
    }

    @Test
    void drainTimeoutIsTwentyFiveSecondsAloneAndEndsBeforeBatondsKill() {
        assertEquals(Duration.ofSeconds(25), Baton.drainTimeout(java.util.Map.of()));
        assertEquals(Duration.ofMillis(9000), Baton.drainTimeout(java.util.Map.of("BATON_DRAIN_TIMEOUT_MS", "10000")));
    }

    @Test
    void inflightTrackerWaitsForTheLastRequest() throws Exception {
        InflightTracker t = new InflightTracker();
        t.begin();
        Thread finisher = new Thread(t::end);
        finisher.start();
        assertTrue(t.awaitIdle(Instant.now().plusSeconds(10)));
        finisher.join();
        assertEquals(1, t.served());
        t.begin();
        assertFalse(t.awaitIdle(Instant.now().plusMillis(50)));
    }

    /** Waits for the drain thread to reach a point; the class timeout bounds it. */
    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        while (!condition.getAsBoolean()) {
            Thread.sleep(1);
        }
    }

    @Test
    void secondsReadsAsPercentPointOneFWould() {
        long[] edges = {0, 1, 49_999_999, 50_000_000, 99_999_999, 100_000_000, 149_999_999, 150_000_000,
                950_000_000, 999_999_999, 1_000_000_000, 2_050_000_000L, 86_400_000_000_000L, Long.MAX_VALUE - 1, Long.MAX_VALUE};
        java.util.SplittableRandom random = new java.util.SplittableRandom(14);
        java.util.List<Long> values = new java.util.ArrayList<>();
        for (long e : edges) {
            values.add(e);
        }
        for (int i = 0; i < 100_000; i++) {
            values.add(random.nextLong(0, i % 2 == 0 ? 100_000_000_000L : 1_000_000_000_000_000L));
        }
        for (long nanos : values) {
            assertEquals(String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9), Drain.seconds(nanos), "nanos " + nanos);
        }
        assertEquals("-0.5 s", Drain.seconds(-500_000_000));
    }
}
