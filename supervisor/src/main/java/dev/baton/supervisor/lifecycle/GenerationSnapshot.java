package dev.baton.supervisor.lifecycle;

import java.time.Duration;
import java.time.Instant;

/**
 * One generation as it stands, immutable: what status, metrics and the reload evidence show,
 * and what batond would write out to be read back by another image of itself.
 *
 * @param servicePid       the process that said HELLO (behind a wrapper script, not the leader); -1 before
 * @param readyAt          null until it said READY
 * @param drainStartedAt   null until it was told to drain
 * @param exitedAt         null while any process of its group lives
 * @param exitCode         the leader's exit code (128+N for signal N); null while alive, -1 when unknown (a
 *                         re-adopted child that reported none)
 * @param inflight         its last report; -1 until it sent one
 * @param served           its last report; -1 until it sent one
 * @param inflightAtDrain  in flight when the drain began; -1 when unknown
 * @param inflightAtExit   still in flight when it exited (its DRAINED's ABANDONED); -1 when unknown
 * @param drainReported    it sent DRAINED
 * @param killedProcesses  processes of its group that got SIGKILL
 * @param connection       its handoff connection, -1 when it has none
 * @param warmupMs         its warm-up before READY (the child's WARMUP_MS); -1 before READY and when not known
 * @param provingUntil     while PROVING: when its --min-ready window ends; null otherwise
 * @param readopting       a child of a batond that died, not reconnected yet (the re-adopt window is open)
 * @param orphanedSince    when the re-adopt window closed without it reconnecting; null when it did (or never had to)
 * @param adopted          started by a batond that died, re-adopted by this one (not batond's child: no waitpid)
 * @param startPriority    "low" while it starts at low CPU priority, "restored" after READY; null when it did not start low
 */
public record GenerationSnapshot(
        int number,
        long pid,
        long servicePid,
        Phase phase,
        Instant spawnedAt,
        Instant readyAt,
        Instant drainStartedAt,
        Instant exitedAt,
        Integer exitCode,
        long inflight,
        long served,
        long inflightAtDrain,
        long inflightAtExit,
        boolean drainReported,
        int killedProcesses,
        int connection,
        long warmupMs,
        Instant provingUntil,
        boolean readopting,
        Instant orphanedSince,
        boolean adopted,
        String startPriority) {

    /** Spawn to READY; null before READY. */
    public Duration timeToReady() {
        return readyAt == null ? null : Duration.between(spawnedAt, readyAt);
    }

    /** The warm-up part of {@link #timeToReady}; null before READY and when not known (a state from an older batond). */
    public Duration warmUp() {
        return readyAt == null || warmupMs < 0 ? null : Duration.ofMillis(warmupMs);
    }

    /** The rest of {@link #timeToReady}, spawn to READY minus the warm-up; null when either is not known. */
    public Duration start() {
        Duration warmUp = warmUp();
        return warmUp == null ? null : timeToReady().minus(warmUp);
    }

    /** Its service ran behind a wrapper script: the process that said HELLO is not the leader. */
    public boolean behindWrapper() {
        return servicePid > 0 && servicePid != pid;
    }

    /**
     * Ended without SIGKILL and with nothing cut off: exit code 0, or, behind a wrapper script
     * whose own code says little (a shell ended by SIGTERM reports 143), the service's DRAINED.
     */
    public boolean drainedCleanly() {
        if (killedProcesses > 0 || exitCode == null || inflightAtExit > 0) {
            return false;
        }
        return exitCode == 0 || behindWrapper() && drainReported && inflightAtExit == 0;
    }

    @Override
    public String toString() {
        return "gen=" + number + " pid=" + pid;
    }
}
