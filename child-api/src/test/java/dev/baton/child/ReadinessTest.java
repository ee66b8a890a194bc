package dev.baton.child;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Readiness gates: ready() waits for every check, names the failing one, and draining ends readiness. */
@Timeout(20)
class ReadinessTest {

    @Test
    void waitsUntilEveryCheckPassesAndLogsWhichOneFails() throws Exception {
        Readiness readiness = new Readiness();
        AtomicInteger dbAttempts = new AtomicInteger();
        readiness.add("cache", () -> true);
        readiness.add("db", () -> {
            if (dbAttempts.incrementAndGet() < 3) {
                throw new IOException("connection refused");
            }
            return true;
        });
        try (LogCapture log = new LogCapture()) {
            readiness.awaitPassing(Duration.ofSeconds(10));
            assertEquals(3, dbAttempts.get());
            assertTrue(log.line("not ready yet").contains("check 'db' failing: java.io.IOException: connection refused"),
                    log.lines()::toString);
            log.line("readiness checks pass after");
        }
    }

    @Test
    void throwsNamingTheCheckThatNeverPasses() {
        Readiness readiness = new Readiness();
        readiness.add("cache", () -> true);
        readiness.add("warm-up", () -> false);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> readiness.awaitPassing(Duration.ofMillis(500)));
        assertTrue(e.getMessage().matches("not ready after \\d+\\.\\d s: check 'warm-up' failing"), e.getMessage());
    }

    @Test
    void verdictFollowsStartReadyChecksAndDrain() {
        Readiness readiness = new Readiness();
        AtomicBoolean db = new AtomicBoolean(true);
        readiness.add("db", db::get);
        assertEquals(false, readiness.verdict().ready());
        assertTrue(readiness.verdict().reason().startsWith("starting"));
        readiness.markReady();
        assertEquals(new Readiness.Verdict(true, "ready"), readiness.verdict());
        db.set(false);
        assertEquals(new Readiness.Verdict(false, "check 'db' failing"), readiness.verdict());
        db.set(true);
        readiness.markDraining();
        assertEquals(new Readiness.Verdict(false, "draining"), readiness.verdict());
    }

    @Test
    void checksNeedADistinctOneLineName() {
        Readiness readiness = new Readiness();
        readiness.add("db", () -> true);
        assertThrows(IllegalArgumentException.class, () -> readiness.add("db", () -> true));
        assertThrows(IllegalArgumentException.class, () -> readiness.add(" ", () -> true));
    }
}
