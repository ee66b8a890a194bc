package dev.baton.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The slow-start figures and the targets' verdicts, from request logs made up to the millisecond. */
class SlowStartSummaryTest {
    static final long MS = 1_000_000L;
    static final long S = 1_000 * MS;

    /**
     * Load from 0 to 10 s, counted from 1 s; one reload window from 4 s to 6 s (READY at 5 s).
     * One request a millisecond; {@code windowMs} long inside the window, 1 ms outside, and
     * {@code firstSecondMs} within 1 s after READY; the settle second has slow requests and a failure.
     */
    static RunResult run(Variant variant, long windowMs, long firstSecondMs, long windowEvery, Long warmup) {
        RequestLog log = new RequestLog();
        for (long t = 0; t < 10 * S; t += MS) {
            boolean window = t >= 4 * S && t <= 6 * S;
            if (window && (t / MS) % windowEvery != 0) {
                continue; // fewer answered in the window: lower throughput
            }
            long duration = t < S ? 500 * MS : t >= 5 * S && t < 6 * S ? firstSecondMs * MS : window ? windowMs * MS : MS;
            log.add(t, duration, Outcome.OK, t < 5 * S ? 1 : 2); // generation 2 from READY on
        }
        log.add(500 * MS, 1, Outcome.REFUSED, HttpClientConnection.Response.UNKNOWN_GENERATION); // in the settle second: still counted as a failure
        Reload reload = new Reload(4 * S, 5 * S, 6 * S, MS, MS, 2, 3_000 * MS, warmup);
        return new RunResult(variant, 11 * S, log, List.of(reload), Optional.empty(), S, 10 * S, null);
    }

    static Variant variant(String key) {
        return Variant.of(Variant.slowStart(), key);
    }

    @Test
    void windowsAgainstSteadyState() {
        SlowStartSummary s = SlowStartSummary.of(run(variant(Variant.BATOND_WARMUP), 3, 2, 2, 400L));
        assertEquals(1, s.base().failed());
        assertEquals(1.0, s.base().steadyLatency().p99(), "the settle second's slow requests are not steady state");
        assertEquals(3.0, s.base().reloadLatency().max());
        assertEquals(3.0, s.p99Ratio(), 1e-9);
        assertEquals(1000.0, s.steadyThroughput(), 1.0);
        assertEquals(500.0, s.windowThroughput(), 1.0);
        assertEquals(0.5, s.throughputRatio(), 0.01);
        assertEquals(2.0, s.firstSecond().p99());
        assertEquals(2.0, s.firstSecondRatio(), 1e-9);
        assertEquals(1000, s.secondSecond().count(), s.toString());
        assertEquals(1.0, s.secondSecondRatio(), 1e-9);
        assertEquals(3000L, s.toReadyMillis());
        assertEquals(400L, s.warmupMillis());
        assertEquals(2600L, s.startMillis());
    }

    /**
     * Like {@link #run}, but both generations answer in the first second after READY (as with
     * --min-ready): each millisecond one request the old generation 1 answers in {@code oldMs}, one
     * the new generation 2 answers in {@code newMs}, and one without a generation in its body.
     */
    static SlowStartSummary overlap(long oldMs, long newMs, Reload reload) {
        RequestLog log = new RequestLog();
        for (long t = 0; t < 10 * S; t += MS) {
            if (t >= 5 * S && t < 6 * S) {
                log.add(t, oldMs * MS, Outcome.OK, 1);
                log.add(t, newMs * MS, Outcome.OK, 2);
                log.add(t, 90 * MS, Outcome.OK, HttpClientConnection.Response.UNKNOWN_GENERATION);
            } else {
                log.add(t, MS, Outcome.OK, t < 5 * S ? 1 : 2);
            }
        }
        Variant variant = variant(reload.generation() == null ? Mode.START_SERVER.key : Variant.BATOND_WARMUP_MIN_READY);
        return SlowStartSummary.of(new RunResult(variant, 11 * S, log, List.of(reload),
                Optional.empty(), S, 10 * S, null));
    }

    static final Reload GENERATION_2 = new Reload(4 * S, 5 * S, 6 * S, MS, MS, 2, 3_000 * MS, 300L);

    @Test
    void theFirstSecondCountsOnlyTheNewGenerationsAnswers() {
        SlowStartSummary oldSlow = overlap(50, 2, GENERATION_2);
        assertEquals(1000, oldSlow.firstSecond().count(), oldSlow.toString());
        assertEquals(2.0, oldSlow.firstSecond().p99(), "the old generation's slow answers are not counted");
        assertEquals(2.0, oldSlow.firstSecondRatio(), 1e-9);

        SlowStartSummary newSlow = overlap(1, 30, GENERATION_2);
        assertEquals(1000, newSlow.firstSecond().count(), newSlow.toString());
        assertEquals(30.0, newSlow.firstSecond().p99(), "the old generation's fast answers do not hide the new one's");
        assertEquals(30.0, newSlow.firstSecond().max());

        // The other figures still count every answer, whoever gave it.
        assertEquals(90.0, oldSlow.base().reloadLatency().max());
    }

    @Test
    void theSecondSecondIsTheNextSecondsAnswersOfTheNewGeneration() {
        RequestLog log = new RequestLog();
        log.add(5 * S, 7 * MS, Outcome.OK, 2); // READY: the first second's
        log.add(6 * S - 1, 7 * MS, Outcome.OK, 2); // its last nanosecond
        log.add(6 * S, 3 * MS, Outcome.OK, 2); // the second second's, from its first nanosecond
        log.add(6 * S + 400 * MS, 30 * MS, Outcome.OK, 1); // the old generation's: not counted
        log.add(6 * S + 500 * MS, 3 * MS, Outcome.RESET, 2); // failed: not counted
        log.add(7 * S - 1, 3 * MS, Outcome.OK, 2);
        log.add(7 * S, 40 * MS, Outcome.OK, 2); // 2 s after READY: steady state again
        log.add(8 * S, 2 * MS, Outcome.OK, 2);
        RunResult run = new RunResult(variant(Variant.BATOND_WARMUP), 11 * S, log, List.of(GENERATION_2), Optional.empty(),
                S, 10 * S, null);
        SlowStartSummary s = SlowStartSummary.of(run);
        assertEquals(2, s.firstSecond().count(), s.toString());
        assertEquals(2, s.secondSecond().count(), s.toString());
        assertEquals(3.0, s.secondSecond().max());
        assertEquals(40.0, s.base().steadyLatency().max(), "a request 2 s after READY is steady state, not the second second");
        assertEquals(3.0 / s.base().steadyLatency().p99(), s.secondSecondRatio(), 1e-9);

        SlowStartTargets.Target target = SlowStartTargets.check(Map.of(Variant.BATOND_WARMUP, s)).get(4);
        assertTrue(target.measured().endsWith(String.format(Locale.ROOT, " (second second: %.2f)",
                s.secondSecondRatio())), target.toString());
        String table = SlowStartTable.markdown(List.of(run), Map.of(), List.of(target));
        assertTrue(table.contains("| 7.0 / 3.0 |"), table);
    }

    @Test
    void aReadyWithinTwoSecondsOfTheOneBeforeStartsAFirstSecondOfItsOwn() {
        Reload third = new Reload(5 * S, 6_500 * MS, 7 * S, MS, MS, 3, 3_000 * MS, 300L);
        RequestLog log = new RequestLog();
        log.add(5_200 * MS, 2 * MS, Outcome.OK, 2); // generation 2's first second
        log.add(6_200 * MS, 4 * MS, Outcome.OK, 2); // its second second
        log.add(6_700 * MS, 6 * MS, Outcome.OK, 3); // 1.7 s after generation 2's READY, 0.2 s after 3's
        log.add(7_700 * MS, 8 * MS, Outcome.OK, 3); // generation 3's second second
        RunResult run = new RunResult(variant(Variant.BATOND_WARMUP), 11 * S, log, List.of(GENERATION_2, third),
                Optional.empty(), S, 10 * S, null);
        SlowStartSummary s = SlowStartSummary.of(run);
        assertEquals(2, s.firstSecond().count(), s.toString());
        assertEquals(6.0, s.firstSecond().max(), "generation 3's answer is in its own first second");
        assertEquals(2, s.secondSecond().count(), s.toString());
        assertEquals(8.0, s.secondSecond().max());
    }

    @Test
    void withoutAGenerationNumberTheFirstSecondCountsEveryAnswer() {
        SlowStartSummary s = overlap(50, 2, Reload.timeline(4 * S, 5 * S, 6 * S));
        assertEquals(3000, s.firstSecond().count(), s.toString());
        assertEquals(90.0, s.firstSecond().max());
        assertEquals(50.0, s.firstSecond().p50());
    }

    @Test
    void withoutBatondOrWarmUpTheSplitIsUnknown() {
        RunResult run = run(variant(Mode.RESTART.key), 1, 1, 1, null);
        Reload plain = Reload.timeline(4 * S, 5 * S, 6 * S);
        SlowStartSummary s = SlowStartSummary.of(new RunResult(run.variant(), run.durationNanos(), run.requests(),
                List.of(plain), Optional.empty(), S, 10 * S, null));
        assertNull(s.toReadyMillis());
        assertNull(s.warmupMillis());
        assertNull(s.startMillis());
        assertEquals(1.0, s.throughputRatio(), 0.01);
    }

    @Test
    void aRunWithoutAReloadHasNoWindowFiguresAndItsTargetsAreNotApplicable() {
        RunResult run = run(variant(Variant.BATOND_NICE_19), 1, 1, 1, null);
        SlowStartSummary s = SlowStartSummary.of(new RunResult(run.variant(), run.durationNanos(), run.requests(), List.of(),
                Optional.empty(), S, 4 * S, "reload 1 failed: batond: gen=2 failed: not READY within 60s"));
        assertEquals(0.0, s.windowSeconds());
        assertTrue(Double.isNaN(s.throughputRatio()) && Double.isNaN(s.p99Ratio()) && Double.isNaN(s.firstSecondRatio()), s.toString());
        Map<String, SlowStartSummary> runs = new HashMap<>();
        runs.put(Variant.BATOND_NICE_19, s);
        runs.put(Mode.START_SERVER.key, SlowStartSummary.of(run(variant(Mode.START_SERVER.key), 30, 1, 1, null)));
        List<SlowStartTargets.Target> targets = SlowStartTargets.check(runs);
        for (int i : new int[] {0, 1, 3}) {
            assertEquals(SlowStartTargets.Verdict.NA, targets.get(i).verdict(), targets.get(i).toString());
            assertEquals("no reload windows measured", targets.get(i).measured(), targets.get(i).toString());
        }
    }

    @Test
    void targetsPassFailOrNotApplicable() {
        Map<String, SlowStartSummary> runs = new HashMap<>();
        runs.put(Variant.BATOND_NICE_19, SlowStartSummary.of(run(variant(Variant.BATOND_NICE_19), 1, 1, 1, null)));
        runs.put(Mode.START_SERVER.key, SlowStartSummary.of(run(variant(Mode.START_SERVER.key), 30, 1, 1, null)));
        runs.put(Variant.BATOND_WARMUP, SlowStartSummary.of(run(variant(Variant.BATOND_WARMUP), 1, 2, 1, 300L)));
        List<SlowStartTargets.Target> targets = SlowStartTargets.check(runs);
        assertEquals(6, targets.size());
        assertEquals(SlowStartTargets.Verdict.PASS, targets.get(0).verdict(), targets.get(0).toString()); // p99 1.0
        assertEquals(SlowStartTargets.Verdict.PASS, targets.get(1).verdict(), targets.get(1).toString()); // 100%
        assertEquals(SlowStartTargets.Verdict.FAIL, targets.get(2).verdict(), targets.get(2).toString()); // 1 failed
        assertEquals(SlowStartTargets.Verdict.PASS, targets.get(3).verdict(), targets.get(3).toString()); // 30 / 1
        assertEquals(SlowStartTargets.Verdict.FAIL, targets.get(4).verdict(), targets.get(4).toString()); // 2 / 1
        assertEquals(SlowStartTargets.Verdict.NA, targets.get(5).verdict(), targets.get(5).toString());
        assertTrue(targets.get(5).measured().contains("batond-warmup-minready missing"), targets.get(5).toString());
        runs.put(Variant.BATOND_WARMUP_MIN_READY, SlowStartSummary.of(run(variant(Variant.BATOND_WARMUP_MIN_READY), 1, 1, 1, 300L)));
        assertEquals(SlowStartTargets.Verdict.PASS, SlowStartTargets.check(runs).get(5).verdict()); // 1 / 1
        runs.remove(Mode.START_SERVER.key);
        runs.put(Variant.BATOND_NICE_19, SlowStartSummary.of(run(variant(Variant.BATOND_NICE_19), 2, 1, 2, null)));
        targets = SlowStartTargets.check(runs);
        assertEquals(SlowStartTargets.Verdict.FAIL, targets.get(0).verdict(), targets.get(0).toString()); // p99 2.0
        assertEquals(SlowStartTargets.Verdict.FAIL, targets.get(1).verdict(), targets.get(1).toString()); // 50%
        assertEquals(SlowStartTargets.Verdict.NA, targets.get(3).verdict(), targets.get(3).toString());
        assertTrue(targets.get(3).measured().contains("start_server missing"), targets.get(3).toString());
        String table = SlowStartTable.markdown(List.of(), Map.of("batond, --start-nice 0", "batond exited with code 2"),
                targets);
        assertTrue(table.contains("| batond, --start-nice 0 | did not run: batond exited with code 2 |"), table);
        assertTrue(table.contains("| FAIL |") && table.contains("| n/a |"), table);
    }
}
