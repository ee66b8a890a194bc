package dev.baton.bench;

import java.util.List;
import java.util.Optional;

/**
 * What one run produced: every request, every reload, and the supervisor's figures (empty for a
 * plain restart, which has none). {@code measureFrom} and {@code loadEnd}: the stretch of the
 * load the latency and throughput figures count (requests that started before measureFrom
 * count only if they failed). {@code reloadFailure}: why the run stopped reloading early, or null.
 */
record RunResult(Variant variant, long durationNanos, RequestLog requests, List<Reload> reloads,
        Optional<SupervisorFigures> supervisor, long measureFrom, long loadEnd, String reloadFailure) {

    /** The supervisor's memory idle (before any load) and after all reloads, and its CPU time over the idle window. */
    record SupervisorFigures(long pid, ProcStats.Memory idle, ProcStats.Memory afterReloads, long idleCpuMillis,
            long idleWindowMillis) {}

    Mode mode() {
        return variant.mode();
    }

    /** Whether a request that started at {@code nanos} started inside a reload's window (signal to both done). */
    boolean inReloadWindow(long nanos) {
        for (Reload reload : reloads) {
            if (nanos >= reload.signal() && nanos <= reload.end()) {
                return true;
            }
        }
        return false;
    }

    /** Whether a request that started at {@code nanos} is one the latency and throughput figures count. */
    boolean measured(long nanos) {
        return nanos >= measureFrom && nanos <= loadEnd;
    }
}
