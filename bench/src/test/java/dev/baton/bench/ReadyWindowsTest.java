package dev.baton.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** ready-windows.tsv: the requests around each READY, from request logs made up to the millisecond. */
class ReadyWindowsTest {
    private static final long MS = SlowStartSummaryTest.MS;
    private static final long S = SlowStartSummaryTest.S;

    @Test
    void listsTheAnsweredRequestsFromOneSecondBeforeToTwoAfterEachReadyInOrder() {
        RequestLog log = new RequestLog();
        // Two clients' logs one after the other, as the benchmark merges them.
        log.add(5 * S + 10 * MS, 3 * MS, Outcome.OK, 2);
        log.add(5 * S - 1 * S, 1 * MS, Outcome.OK, 1);            // exactly 1 s before READY: in
        log.add(5 * S - 1 * S - 1, 1 * MS, Outcome.OK, 1);        // just before that: out
        log.add(5 * S + 2 * S, 1 * MS, Outcome.OK, 2);            // exactly 2 s after: out
        log.add(5 * S + 500_000, 12 * MS, Outcome.OK, 2);
        log.add(5 * S + 20 * MS, 1 * MS, Outcome.RESET, 2);       // not answered: out
        log.add(20 * S, 1 * MS, Outcome.OK, 3);                   // around the second READY
        Reload first = new Reload(4 * S, 5 * S, 5 * S + 250 * MS, MS, MS, 2, 3 * S, null);
        Reload second = new Reload(19 * S, 20 * S, 20 * S + 300 * MS, MS, MS, 3, 3 * S, null);
        RunResult run = new RunResult(SlowStartSummaryTest.variant(Variant.BATOND_WARMUP), 30 * S, log,
                List.of(first, second), Optional.empty(), S, 29 * S, null);

        String tsv = ReadyWindows.tsv(List.of(run));
        assertEquals(ReadyWindows.HEADER
                + "batond-warmup\t1\t-1000.000\t1.000\t1\t250.000\n"
                + "batond-warmup\t1\t0.500\t12.000\t2\t250.000\n"
                + "batond-warmup\t1\t10.000\t3.000\t2\t250.000\n"
                + "batond-warmup\t2\t0.000\t1.000\t3\t300.000\n", tsv);
    }

    @Test
    void aRunWithoutReloadsHasTheHeaderOnly() {
        RunResult run = SlowStartSummaryTest.run(SlowStartSummaryTest.variant(Variant.BATOND_NICE_19), 3, 2, 2, null);
        RunResult none = new RunResult(run.variant(), run.durationNanos(), run.requests(), List.of(), Optional.empty(),
                run.measureFrom(), run.loadEnd(), null);
        assertEquals(ReadyWindows.HEADER, ReadyWindows.tsv(List.of(none)));
        assertTrue(ReadyWindows.tsv(List.of(run)).lines().count() > 1900, "3 s of requests, every other one in the window");
    }
}
