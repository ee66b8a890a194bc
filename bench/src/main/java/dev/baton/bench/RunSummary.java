package dev.baton.bench;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import java.util.stream.LongStream;

/**
 * The figures of one run: requests and failures by kind, latency of answered requests in steady
 * state and within reload windows, reload durations, batond's own share.
 */
record RunSummary(Mode mode, int reloadCount, long requests, long ok, long retries, Map<Outcome, Long> failures,
        Percentiles steadyLatency, Percentiles reloadLatency, Percentiles signalToReady, Percentiles signalToOldExited,
        Percentiles batondSpawn, Percentiles batondDrain) {

    static RunSummary of(RunResult run) {
        RequestLog log = run.requests();
        Map<Outcome, Long> failures = new EnumMap<>(Outcome.class);
        for (Outcome outcome : Outcome.values()) {
            if (outcome != Outcome.OK) {
                failures.put(outcome, 0L);
            }
        }
        LongStream.Builder steady = LongStream.builder();
        LongStream.Builder reloading = LongStream.builder();
        long ok = 0;
        for (int i = 0; i < log.size(); i++) {
            Outcome outcome = log.outcome(i);
            if (outcome == Outcome.OK) {
                ok++;
                if (run.measured(log.start(i))) {
                    (run.inReloadWindow(log.start(i)) ? reloading : steady).add(log.duration(i));
                }
            } else {
                failures.merge(outcome, 1L, Long::sum);
            }
        }
        List<Reload> reloads = run.reloads();
        boolean batond = run.mode() == Mode.BATOND;
        return new RunSummary(run.mode(), reloads.size(), log.size(), ok, log.retries(), failures,
                Percentiles.ofNanos(steady.build().toArray()), Percentiles.ofNanos(reloading.build().toArray()),
                spread(reloads, r -> r.ready() - r.signal()), spread(reloads, r -> r.oldExited() - r.signal()),
                batond ? spread(reloads, Reload::batondSpawnNanos) : null,
                batond ? spread(reloads, Reload::batondDrainNanos) : null);
    }

    long failed() {
        return failures.values().stream().mapToLong(Long::longValue).sum();
    }

    private static Percentiles spread(List<Reload> reloads, ToLongFunction<Reload> duration) {
        return Percentiles.ofNanos(reloads.stream().mapToLong(duration).toArray());
    }
}
