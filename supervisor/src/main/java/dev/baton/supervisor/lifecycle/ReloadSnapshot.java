package dev.baton.supervisor.lifecycle;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * One reload, immutable: the evidence that a deploy was smooth (the new generation ready, the old
 * one's in-flight count at 0 when it exited, its exit code, and no connection dropped at the
 * kernel's listen queue while the sockets changed hands), or why it failed.
 *
 * @param fresh  the new generation; null when none was started (refused)
 * @param old    the generation it replaces; null on a plain (re)start
 */
public record ReloadSnapshot(
        int id,
        String source,
        Reload.Outcome outcome,
        String reason,
        Instant requestedAt,
        Instant endedAt,
        GenerationSnapshot fresh,
        GenerationSnapshot old,
        ListenCounters countersBefore,
        ListenCounters countersAfter,
        Map<String, Long> acceptQueuesAfter) {

    public ReloadSnapshot {
        acceptQueuesAfter = Map.copyOf(acceptQueuesAfter);
    }

    public boolean succeeded() {
        return outcome == Reload.Outcome.SUCCEEDED;
    }

    /** Succeeded, and the old generation drained with nothing cut off and nothing killed. */
    public boolean clean() {
        return succeeded() && (old == null || old.drainedCleanly());
    }

    public Duration duration() {
        return endedAt == null ? null : Duration.between(requestedAt, endedAt);
    }

    /** Spawn to READY of the new generation. */
    public Duration timeToReady() {
        return fresh == null ? null : fresh.timeToReady();
    }

    /** The new generation's warm-up, the last part of {@link #timeToReady}; null when not known. */
    public Duration warmUp() {
        return fresh == null ? null : fresh.warmUp();
    }

    /** {@link #timeToReady} without the warm-up; null when not known. */
    public Duration start() {
        return fresh == null ? null : fresh.start();
    }

    /** Drain signal to exit of the old generation. */
    public Duration drainDuration() {
        return old == null || old.drainStartedAt() == null || old.exitedAt() == null
                ? null : Duration.between(old.drainStartedAt(), old.exitedAt());
    }

    /** The kernel's drops while this reload ran. */
    public ListenCounters kernelDelta() {
        return countersAfter.since(countersBefore);
    }

    /** For batond's log: {@code gen=3 ready in 1.20s; gen=2 in-flight 14 -> 0, served 5321, exit code 0 ...}. */
    public String oneLine() {
        StringBuilder b = new StringBuilder();
        if (fresh != null) {
            b.append("gen=").append(fresh.number()).append(" ready in ").append(Durations.seconds(timeToReady()));
            if (warmUp() != null) {
                b.append(" (start ").append(Durations.seconds(start())).append(", warm-up ")
                        .append(Durations.seconds(warmUp())).append(')');
            }
        }
        if (old != null) {
            b.append("; gen=").append(old.number()).append(" in-flight ").append(count(old.inflightAtDrain()))
                    .append(" -> ").append(count(old.inflightAtExit())).append(", served ").append(count(old.served()))
                    .append(", exit code ").append(old.exitCode());
            if (old.killedProcesses() > 0) {
                b.append(", killed (SIGKILL to ").append(old.killedProcesses()).append(" process")
                        .append(old.killedProcesses() == 1 ? "" : "es").append(") after ").append(Durations.seconds(drainDuration()));
            } else {
                b.append(", drained in ").append(Durations.seconds(drainDuration()));
            }
        }
        ListenCounters delta = kernelDelta();
        b.append("; kernel ListenOverflows +").append(count(delta.overflows()))
                .append(" ListenDrops +").append(count(delta.drops()));
        b.append("; total ").append(Durations.seconds(duration()));
        return b.toString();
    }

    private static String count(long n) {
        return n < 0 ? "?" : Long.toString(n);
    }

    @Override
    public String toString() {
        return "reload #" + id + (fresh != null ? " to gen=" + fresh.number() : "");
    }
}
