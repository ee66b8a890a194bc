package dev.baton.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

/**
 * A slow-start run's figures beyond {@link RunSummary}: throughput in reload windows and in
 * steady state (answered requests a second, over the measured stretch of the load), the time
 * from spawned to READY split into start and warm-up (batond runs; each the median over the
 * reloads), and the latency in the first second after each READY and, for reference, in the
 * second: this VM's speed drifts over minutes, so the same generation one second later, once its
 * predecessor has gone (without {@code --min-ready}), shows how far a p99 of a few seconds strays
 * from the steady state's with no reload to blame.
 *
 * <p>The first second is the new generation's: where a reload knows the new generation's number
 * (batond runs), it counts only the requests that generation answered, not those the old one
 * still answers meanwhile (it drains only after {@code --min-ready}, say). Elsewhere every
 * generation answers as 0, so it counts every answer that started in the second.
 *
 * @param windowSeconds    how long the reload windows lasted in all (within the measured stretch)
 * @param windowThroughput requests answered per second of reload window
 * @param steadyThroughput requests answered per second outside them
 * @param toReadyMillis    batond: spawned to READY, median; null in other modes
 * @param warmupMillis     of that, the warm-up the service reported, median; null when none reported
 * @param firstSecond      answered requests that started within 1 s after a READY, by the new generation where known
 * @param secondSecond     the same, from 1 s to 2 s after each READY
 */
record SlowStartSummary(RunSummary base, double windowSeconds, double windowThroughput, double steadyThroughput, Long toReadyMillis,
        Long warmupMillis, Percentiles firstSecond, Percentiles secondSecond) {
    static final long SECOND_NANOS = 1_000_000_000L;

    static SlowStartSummary of(RunResult run) {
        long windowNanos = 0;
        for (Reload reload : run.reloads()) {
            long from = Math.max(reload.signal(), run.measureFrom());
            long to = Math.min(reload.end(), run.loadEnd());
            windowNanos += Math.max(0, to - from);
        }
        long steadyNanos = Math.max(0, run.loadEnd() - run.measureFrom() - windowNanos);
        long windowOk = 0;
        long steadyOk = 0;
        LongStream.Builder firstSecond = LongStream.builder();
        LongStream.Builder secondSecond = LongStream.builder();
        RequestLog log = run.requests();
        for (int i = 0; i < log.size(); i++) {
            long start = log.start(i);
            if (log.outcome(i) != Outcome.OK || !run.measured(start)) {
                continue;
            }
            if (run.inReloadWindow(start)) {
                windowOk++;
            } else {
                steadyOk++;
            }
            // The latest READY before it: a READY within 2 s of the one before starts a first second of its own.
            Reload reload = latestReadyAtOrBefore(run.reloads(), start);
            if (reload != null && (reload.generation() == null || reload.generation() == log.generation(i))) {
                long afterReady = start - reload.ready();
                if (afterReady < SECOND_NANOS) {
                    firstSecond.add(log.duration(i));
                } else if (afterReady < 2 * SECOND_NANOS) {
                    secondSecond.add(log.duration(i));
                }
            }
        }
        List<Long> toReady = new ArrayList<>();
        List<Long> warmups = new ArrayList<>();
        for (Reload reload : run.reloads()) {
            if (reload.batondSpawnToReadyNanos() != null) {
                toReady.add(reload.batondSpawnToReadyNanos() / 1_000_000);
            }
            if (reload.warmupMillis() != null) {
                warmups.add(reload.warmupMillis());
            }
        }
        return new SlowStartSummary(RunSummary.of(run), windowNanos / 1e9, perSecond(windowOk, windowNanos), perSecond(steadyOk, steadyNanos),
                median(toReady), median(warmups), Percentiles.ofNanos(firstSecond.build().toArray()),
                Percentiles.ofNanos(secondSecond.build().toArray()));
    }

    /** The reload whose READY came last at or before {@code time}, or null. */
    private static Reload latestReadyAtOrBefore(List<Reload> reloads, long time) {
        Reload latest = null;
        for (Reload reload : reloads) {
            if (reload.ready() <= time && (latest == null || reload.ready() > latest.ready())) {
                latest = reload;
            }
        }
        return latest;
    }

    /** Reload-window p99 over steady p99; NaN without both. */
    double p99Ratio() {
        return overSteadyP99(base.reloadLatency());
    }

    /** Reload-window throughput over steady throughput; NaN without both. */
    double throughputRatio() {
        return ratio(windowThroughput, steadyThroughput, windowSeconds > 0);
    }

    /** First-second p99 over steady p99; NaN without both. */
    double firstSecondRatio() {
        return overSteadyP99(firstSecond);
    }

    /** Second-second p99 over steady p99, the reference for {@link #firstSecondRatio}; NaN without both. */
    double secondSecondRatio() {
        return overSteadyP99(secondSecond);
    }

    /** {@code p}'s p99 over the steady state's; NaN without both. */
    private double overSteadyP99(Percentiles p) {
        return ratio(p.p99(), base.steadyLatency().p99(), p.count() > 0 && base.steadyLatency().count() > 0);
    }

    /** The start part of the time to READY: all of it less the warm-up reported, if any. */
    Long startMillis() {
        return toReadyMillis == null ? null : toReadyMillis - (warmupMillis == null ? 0 : warmupMillis);
    }

    private static double ratio(double over, double under, boolean both) {
        return both && under > 0 ? over / under : Double.NaN;
    }

    private static double perSecond(long count, long nanos) {
        return nanos <= 0 ? 0 : count * 1e9 / nanos;
    }

    private static Long median(List<Long> values) {
        if (values.isEmpty()) {
            return null;
        }
        long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
        return sorted[(sorted.length - 1) / 2];
    }
}
