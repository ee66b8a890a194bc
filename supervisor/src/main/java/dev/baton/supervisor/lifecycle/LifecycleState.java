package dev.baton.supervisor.lifecycle;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The lifecycle's whole state as plain data: what one image of batond hands the next when it
 * replaces itself ({@code batonctl upgrade}), so that the next one carries on where this one was.
 * {@link Supervisor#exportState} makes it and {@link Supervisor#resume} takes it back; how it is
 * written down is not the lifecycle's business.
 *
 * @param generations     every generation the state refers to (live, recently exited, in the reload history), by number
 * @param alive           the live ones, in the order they were started
 * @param exitedRecently  the recently exited ones status shows, oldest first
 * @param serving         the serving generation's number, or null
 * @param starting        the starting generation's number, or null
 * @param reloadStarting  the id of the reload whose new generation is starting, or null
 * @param reloadByOldGeneration  reload ids whose old generation still drains, by that generation's number
 * @param reloadQueued    the source of the reload that waits, or null
 * @param upgrade         the upgrade that produced this state (when it was asked for, from which image)
 */
public record LifecycleState(
        Instant startedAt,
        int nextGeneration,
        List<GenerationRecord> generations,
        List<Integer> alive,
        List<Integer> exitedRecently,
        Integer serving,
        Integer starting,
        List<ReloadRecord> reloads,
        int nextReloadId,
        Integer reloadStarting,
        Map<Integer, Integer> reloadByOldGeneration,
        String reloadQueued,
        BackoffRecord backoff,
        int upgrades,
        UpgradeSnapshot upgrade) {

    public LifecycleState {
        generations = List.copyOf(generations);
        alive = List.copyOf(alive);
        exitedRecently = List.copyOf(exitedRecently);
        reloads = List.copyOf(reloads);
        reloadByOldGeneration = Map.copyOf(reloadByOldGeneration);
    }

    /**
     * One generation. {@code deadline} is its state's (ready, drain or kill deadline; null when its
     * phase has none), {@code reason} a KILLING generation's; {@code exitedAt} and {@code exitCode}
     * are set once it EXITED; {@code warmupMs} is -1 until READY and when not known.
     */
    public record GenerationRecord(int number, String token, long pid, Phase phase, Instant deadline, String reason,
                                   Instant spawnedAt, Instant readyAt, Instant drainStartedAt, Instant exitedAt,
                                   Integer exitCode, int connection, long servicePid, long inflight, long served,
                                   long inflightAtDrain, long inflightAtExit, boolean drainReported,
                                   int killedProcesses, long warmupMs, String startPriority) {}

    /** One reload of the history; {@code fresh} and {@code old} are generation numbers (null: none). */
    public record ReloadRecord(int id, String source, Instant requestedAt, Reload.Outcome outcome, String reason,
                               Integer fresh, Integer old, ListenCounters countersBefore, ListenCounters countersAfter,
                               Map<String, Long> acceptQueuesAfter, Instant endedAt) {
        public ReloadRecord {
            acceptQueuesAfter = Map.copyOf(acceptQueuesAfter);
        }
    }

    /** The restart backoff: failures in a row, restarts so far, the attempt scheduled (if any), the last failure. */
    public record BackoffRecord(int failuresInARow, int restarts, boolean scheduled, Instant nextAttemptAt,
                                String lastFailure) {}
}
