package dev.baton.supervisor;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * One reload from request to end, with the evidence that it was smooth: the new generation's
 * time to READY, the old one's in-flight count going to 0, what it served and how it exited,
 * and the kernel's listen-queue drop counters before and after. Mutable, owned by the loop.
 *
 * <p>A reload ends when it is refused, when the new generation fails (the old one keeps
 * serving: a rollback), or when the new generation is ready and the old one has exited.
 */
final class Reload {
    enum Outcome {
        IN_PROGRESS, SUCCEEDED, FAILED, REFUSED, ABORTED;

        String label() {
            return name().toLowerCase().replace('_', ' ');
        }
    }

    final int id;
    final String source;
    final Instant requestedAt;
    Outcome outcome = Outcome.IN_PROGRESS;
    String reason = "";
    Generation fresh;
    Generation old;
    ListenCounters countersBefore = ListenCounters.UNKNOWN;
    ListenCounters countersAfter = ListenCounters.UNKNOWN;
    Map<String, Long> acceptQueuesAfter = Map.of();
    Instant endedAt;

    Reload(int id, String source, Instant requestedAt) {
        this.id = id;
        this.source = source;
        this.requestedAt = requestedAt;
    }

    boolean ended() {
        return outcome != Outcome.IN_PROGRESS;
    }

    /** Succeeded, and the old generation drained with nothing cut off and nothing killed. */
    boolean clean() {
        return outcome == Outcome.SUCCEEDED && (old == null || old.drainedCleanly());
    }

    Duration duration() {
        return endedAt == null ? null : Duration.between(requestedAt, endedAt);
    }

    /** Spawn to READY of the new generation. */
    Duration timeToReady() {
        return fresh == null || fresh.readyAt == null ? null : Duration.between(fresh.spawnedAt, fresh.readyAt);
    }

    /** Drain signal to exit of the old generation. */
    Duration drainDuration() {
        return old == null || old.drainStartedAt == null || old.exitedAt == null
                ? null : Duration.between(old.drainStartedAt, old.exitedAt);
    }

    @Override
    public String toString() {
        return "reload #" + id + (fresh != null ? " to gen=" + fresh.number : "");
    }
}
