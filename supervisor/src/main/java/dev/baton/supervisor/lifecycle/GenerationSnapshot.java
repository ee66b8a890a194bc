package dev.baton.supervisor.lifecycle;

import java.time.Instant;

/**
 * One generation as it stands, immutable: what status, metrics and the reload evidence show,
 * and what batond would write out to be read back by another image of itself.
 *
 * @param servicePid       the process that said HELLO (behind a wrapper script, not the leader); -1 before
 * @param readyAt          null until it said READY
 * @param drainStartedAt   null until it was told to drain
 * @param exitedAt         null while any process of its group lives
 * @param exitCode         the leader's exit code (128+N for signal N); null while alive
 * @param inflight         its last report; -1 until it sent one
 * @param served           its last report; -1 until it sent one
 * @param inflightAtDrain  in flight when the drain began; -1 when unknown
 * @param inflightAtExit   still in flight when it exited (its DRAINED's ABANDONED); -1 when unknown
 * @param drainReported    it sent DRAINED
 * @param killedProcesses  processes of its group that got SIGKILL
 * @param connection       its handoff connection, -1 when it has none
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
        String startPriority) {

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
