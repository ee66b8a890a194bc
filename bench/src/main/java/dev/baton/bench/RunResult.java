package dev.baton.bench;

import java.util.List;
import java.util.Optional;

/**
 * What one mode's run produced: every request, every reload, and the supervisor's figures
 * (empty for a plain restart, which has none).
 */
record RunResult(Mode mode, long durationNanos, RequestLog requests, List<Reload> reloads,
        Optional<SupervisorFigures> supervisor) {

    /** The supervisor's memory idle (before any load) and after all reloads, and its CPU time over the idle window. */
    record SupervisorFigures(long pid, ProcStats.Memory idle, ProcStats.Memory afterReloads, long idleCpuMillis,
            long idleWindowMillis) {}

    /** Whether a request that started at {@code nanos} started inside a reload's window (signal to both done). */
    boolean inReloadWindow(long nanos) {
        for (Reload reload : reloads) {
            if (nanos >= reload.signal() && nanos <= reload.end()) {
                return true;
            }
        }
        return false;
    }
}
