package dev.baton.child;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.baton.protocol.Frame;
import dev.baton.protocol.Keys;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The warm-up step under a fake batond on a real Unix socket: listeners, then warm-up, then READY; a throw is a failed start. */
@Timeout(30)
class WarmUpTest {
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());

    @Test
    void theWarmUpRunsAfterTheListenersAndBeforeReadyWhichCarriesItsDuration() throws Exception {
        try (RecordingBatond batond = new RecordingBatond(events); LogCapture log = new LogCapture()) {
            Baton baton = Baton.fromEnvironment(batond.env(), List.of());
            assertEquals(Mode.BATOND, baton.mode());
            AtomicInteger calls = new AtomicInteger();
            baton.warmUp(3, () -> {
                // The listener is there already, and batond has heard nothing yet.
                events.add("child: warm-up call " + calls.incrementAndGet() + " listener=" + baton.listener("http").name());
                Thread.sleep(40); // the work a warm-up call does
            });
            baton.ready();

            Frame ready = batond.next();
            assertEquals("1", ready.get(Keys.READY), ready::toString);
            assertEquals(List.of("batond: listeners sent", "child: warm-up call 1 listener=http",
                    "child: warm-up call 2 listener=http", "child: warm-up call 3 listener=http", "batond: READY"), events);
            long warmupMs = Long.parseLong(ready.get(Keys.WARMUP_MS));
            assertTrue(warmupMs >= 120 && warmupMs < 30_000, ready::toString);
            assertTrue(log.line("baton: warmed up in ").matches("baton: warmed up in \\d+\\.\\d s \\(3 calls\\)"),
                    log.lines()::toString);
            ChildNative.close(baton.listener().fd());
        }
    }

    @Test
    void aWarmUpRunEarlyIsNotRunAgainAndReadyReportsIt() throws Exception {
        try (RecordingBatond batond = new RecordingBatond(events); LogCapture log = new LogCapture()) {
            Baton baton = Baton.fromEnvironment(batond.env(), List.of());
            AtomicInteger calls = new AtomicInteger();
            baton.warmUp(2, () -> {
                events.add("child: warm-up call " + calls.incrementAndGet());
                Thread.sleep(40); // the work a warm-up call does
            });
            baton.warmUpNow();
            events.add("child: accepting");
            baton.ready();

            Frame ready = batond.next();
            assertEquals("1", ready.get(Keys.READY), ready::toString);
            assertEquals(List.of("batond: listeners sent", "child: warm-up call 1", "child: warm-up call 2",
                    "child: accepting", "batond: READY"), events);
            assertTrue(Long.parseLong(ready.get(Keys.WARMUP_MS)) >= 80, ready::toString);
            assertEquals(1, log.lines().stream().filter(l -> l.contains("warmed up")).count(), log.lines()::toString);
            ChildNative.close(baton.listener().fd());
        }
    }

    @Test
    void withoutAWarmUpReadySaysZero() throws Exception {
        try (RecordingBatond batond = new RecordingBatond(events); LogCapture log = new LogCapture()) {
            Baton baton = Baton.fromEnvironment(batond.env(), List.of());
            baton.ready();
            Frame ready = batond.next();
            assertEquals("1", ready.get(Keys.READY));
            assertEquals("0", ready.get(Keys.WARMUP_MS));
            assertFalse(log.lines().stream().anyMatch(l -> l.contains("warmed up")), log.lines()::toString);
            ChildNative.close(baton.listener().fd());
        }
    }

    @Test
    void whatRunsAfterReadyIsStartedBeforeTheWarmUpAndSendsNothingUntilReady() throws Exception {
        try (RecordingBatond batond = new RecordingBatond(events)) {
            Baton baton = Baton.fromEnvironment(batond.env(), List.of());
            baton.readinessCheck("db", () -> true);
            baton.onDrain(new Counting());
            List<Set<String>> seen = new ArrayList<>();
            // Three calls of 300 ms: the stats thread ticks (every 250 ms) during the warm-up.
            baton.warmUp(3, () -> {
                seen.add(threadNames());
                Thread.sleep(300); // the work a warm-up call does
            });
            baton.ready();

            assertTrue(seen.get(0).containsAll(Set.of("baton-stats", "baton-readiness-watch")), seen::toString);
            Frame first = batond.next();
            assertEquals("1", first.get(Keys.READY), "stats went out before READY: " + first);
            Frame stats = batond.next(); // released at READY: the counts go out at the next tick
            assertEquals("0", stats.get(Keys.INFLIGHT), stats::toString);
            assertEquals("7", stats.get(Keys.SERVED), stats::toString);
            ChildNative.close(baton.listener().fd());
        }
    }

    @Test
    void aFailedWarmUpEndsWhatWaitedForReady() throws Exception {
        try (RecordingBatond batond = new RecordingBatond(events)) {
            Baton baton = Baton.fromEnvironment(batond.env(), List.of());
            baton.readinessCheck("db", () -> true);
            baton.onDrain(new Counting());
            baton.warmUp(1, () -> {
                throw new IOException("cache unreachable");
            });
            assertThrows(IllegalStateException.class, baton::ready);
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().equals("baton-readiness-watch") || t.getName().equals("baton-stats")) {
                    t.join(10_000);
                    assertFalse(t.isAlive(), t.getName() + " still waits for a READY that will not come");
                }
            }
            ChildNative.close(baton.listener().fd());
        }
    }

    private static Set<String> threadNames() {
        Set<String> names = new HashSet<>();
        Thread.getAllStackTraces().keySet().forEach(t -> names.add(t.getName()));
        return names;
    }

    /** A participant that counts: 0 in flight, 7 served. */
    private static final class Counting implements Drainable {
        @Override
        public void stopAccepting() {
        }

        @Override
        public boolean awaitIdle(java.time.Instant deadline) {
            return true;
        }

        @Override
        public long inflight() {
            return 0;
        }

        @Override
        public long served() {
            return 7;
        }
    }

    @Test
    void aWarmUpThatThrowsIsAFailedStartAndNeverAReady() throws Exception {
        try (RecordingBatond batond = new RecordingBatond(events)) {
            Baton baton = Baton.fromEnvironment(batond.env(), List.of());
            AtomicInteger calls = new AtomicInteger();
            baton.warmUp(5, () -> {
                if (calls.incrementAndGet() == 2) {
                    throw new IOException("cache\nunreachable");
                }
            });
            IllegalStateException e = assertThrows(IllegalStateException.class, baton::ready);
            assertTrue(e.getMessage().matches("warm-up failed after \\d+\\.\\d s \\(call 2 of the step that runs 5 time\\(s\\)\\): "
                    + "java.io.IOException: cache unreachable"), e.getMessage());
            assertTrue(e.getCause() instanceof IOException);
            assertEquals(2, calls.get(), "no call after the one that threw");
            assertFalse(baton.readiness().verdict().ready());

            // A frame sent after the failure: READY, had it been sent, would have arrived before it.
            baton.reportStats(0, 0);
            Frame next = batond.next();
            assertFalse(next.has(Keys.READY), next::toString);
            assertEquals("0", next.get(Keys.INFLIGHT), next::toString);
            assertFalse(events.contains("batond: READY"), events::toString);
            ChildNative.close(baton.listener().fd());
        }
    }

    @Test
    void aTimedWarmUpCallsUntilItsDurationHasPassedAndAloneIsLoggedToo() throws Exception {
        Baton baton = Baton.fromEnvironment(Map.of(), List.of("127.0.0.1:0"));
        try (LogCapture log = new LogCapture()) {
            AtomicInteger calls = new AtomicInteger();
            long start = System.nanoTime();
            baton.warmUp(Duration.ofMillis(200), calls::incrementAndGet);
            baton.warmUp(0, () -> events.add("never called"));
            baton.ready();
            assertTrue(System.nanoTime() - start >= 200_000_000L);
            assertTrue(calls.get() >= 1);
            assertTrue(events.isEmpty(), events::toString);
            assertTrue(log.line("baton: warmed up in ").endsWith("(" + calls.get() + " calls)") || calls.get() == 1,
                    log.lines()::toString);
            assertThrows(IllegalStateException.class, () -> baton.warmUp(1, () -> { }), "registered after ready()");
            assertThrows(IllegalArgumentException.class, () -> Baton.fromEnvironment(Map.of(), List.of("127.0.0.1:0"))
                    .warmUp(-1, () -> { }));
        } finally {
            ChildNative.close(baton.listener().fd());
        }
    }

    @Test
    void anUntilJitIdleStepCallsOnUntilTheJitIsIdleAfterTheStepsBeforeIt() throws Exception {
        AtomicLong clock = new AtomicLong();
        List<String> calls = new ArrayList<>();
        WarmUp warmUp = new WarmUp(() -> new JitIdle(() -> 0, clock::get));
        warmUp.add(3, () -> calls.add("hot"));
        warmUp.addUntilJitIdle(Duration.ofSeconds(30), () -> {
            calls.add("until idle");
            clock.addAndGet(1_000_000);
        });
        try (LogCapture log = new LogCapture()) {
            WarmUp.Result result = warmUp.run();
            long untilIdle = calls.stream().filter("until idle"::equals).count();
            assertEquals(List.of("hot", "hot", "hot", "until idle"), calls.subList(0, 4));
            assertTrue(untilIdle >= JitIdle.IDLE_CALLS && untilIdle < JitIdle.IDLE_CALLS + 250, calls.size() + " calls");
            assertEquals(3 + untilIdle, result.calls());
            assertTrue(log.line("baton: JIT idle after ").matches("baton: JIT idle after \\d+\\.\\d s \\(" + untilIdle + " calls\\)"),
                    log.lines()::toString);
        }
    }

    @Test
    void aJitStillCompilingAtTheStepsLimitIsLoggedAndTheWarmUpEndsAnyway() throws Exception {
        AtomicLong compiled = new AtomicLong();
        WarmUp warmUp = new WarmUp(() -> new JitIdle(() -> compiled.addAndGet(100), System::nanoTime));
        AtomicInteger calls = new AtomicInteger();
        warmUp.addUntilJitIdle(Duration.ofMillis(300), calls::incrementAndGet);
        try (LogCapture log = new LogCapture()) {
            long start = System.nanoTime();
            WarmUp.Result result = warmUp.run();
            assertTrue(System.nanoTime() - start >= 300_000_000L);
            assertEquals(calls.get(), result.calls());
            assertTrue(log.line("baton: JIT still compiling after ").endsWith("the most this step waits: READY anyway"),
                    log.lines()::toString);
        }
    }

    @Test
    void withoutTheJitsCompilationTimeTheStepMakesIdleCallsAndSaysSo() throws Exception {
        WarmUp warmUp = new WarmUp(() -> new JitIdle(null, System::nanoTime));
        AtomicInteger calls = new AtomicInteger();
        warmUp.addUntilJitIdle(Duration.ofSeconds(30), calls::incrementAndGet);
        try (LogCapture log = new LogCapture()) {
            warmUp.run();
            assertEquals(JitIdle.IDLE_CALLS, calls.get());
            assertTrue(log.line("baton: this JVM reports no JIT compilation time").endsWith("(" + calls.get() + " calls)"),
                    log.lines()::toString);
        }
    }

    @Test
    void anUntilJitIdleCallThatThrowsFailsTheStartAndSaysWhichStep() {
        WarmUp warmUp = new WarmUp(() -> new JitIdle(() -> 0, System::nanoTime));
        AtomicInteger calls = new AtomicInteger();
        warmUp.addUntilJitIdle(Duration.ofSeconds(30), () -> {
            if (calls.incrementAndGet() == 5) {
                throw new IOException("connection refused");
            }
        });
        IllegalStateException e = assertThrows(IllegalStateException.class, warmUp::run);
        assertTrue(e.getMessage().contains("(call 5 of the step that runs until the JIT is idle, at most 30.0 s): "
                + "java.io.IOException: connection refused"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new WarmUp().addUntilJitIdle(Duration.ofSeconds(-1), () -> { }));
        assertThrows(IllegalArgumentException.class, () -> new WarmUp().addUntilJitIdle(null, () -> { }));

        // A limit longer than a long's nanoseconds is no limit, not an overflow.
        WarmUp forever = new WarmUp(() -> new JitIdle(null, System::nanoTime));
        AtomicInteger made = new AtomicInteger();
        forever.addUntilJitIdle(Duration.ofSeconds(Long.MAX_VALUE), made::incrementAndGet);
        forever.add(Duration.ofSeconds(Long.MAX_VALUE), () -> {
            throw new IOException("stop");
        });
        IllegalStateException stopped = assertThrows(IllegalStateException.class, forever::run);
        assertEquals(JitIdle.IDLE_CALLS, made.get());
        assertTrue(stopped.getMessage().contains("(call 1 of the step that runs for "), stopped.getMessage());
    }

    @Test
    void underARealBatondTheJitIdleStepOfThisJvmRunsBeforeReady() throws Exception {
        try (RecordingBatond batond = new RecordingBatond(events); LogCapture log = new LogCapture()) {
            Baton baton = Baton.fromEnvironment(batond.env(), List.of());
            AtomicLong sink = new AtomicLong();
            baton.warmUp(100, () -> sink.addAndGet(work(sink.get())));
            baton.warmUpUntilJitIdle(Duration.ofSeconds(20), () -> sink.addAndGet(work(sink.get())));
            baton.ready();
            Frame ready = batond.next();
            assertEquals("1", ready.get(Keys.READY), ready::toString);
            assertEquals(List.of("batond: listeners sent", "batond: READY"), events);
            assertTrue(log.lines().stream().anyMatch(l -> l.startsWith("baton: JIT idle after ")
                    || l.startsWith("baton: JIT still compiling after ")), log.lines()::toString);
            ChildNative.close(baton.listener().fd());
        }
    }

    /** Something for the JIT to compile. */
    private static long work(long seed) {
        long x = seed;
        for (int i = 0; i < 200; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        return x & 1;
    }
}
