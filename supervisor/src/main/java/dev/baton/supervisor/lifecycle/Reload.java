package dev.baton.supervisor.lifecycle;

import java.time.Instant;
import java.util.Map;

/**
 * One reload from request to end. Mutable, owned by the loop; everything outside the lifecycle
 * sees it as a {@link ReloadSnapshot}.
 *
 * <p>A reload ends when it is refused, when the new generation fails (the old one keeps
 * serving: a rollback), or when the new generation is ready and the old one has exited.
 */
public final class Reload {
    public enum Outcome {
        IN_PROGRESS, SUCCEEDED, FAILED, REFUSED, ABORTED;

        public String label() {
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

    ReloadSnapshot snapshot() {
        return new ReloadSnapshot(id, source, outcome, reason, requestedAt, endedAt,
                fresh != null ? fresh.snapshot() : null, old != null ? old.snapshot() : null,
                countersBefore, countersAfter, acceptQueuesAfter);
    }

    LifecycleState.ReloadRecord record() {
        return new LifecycleState.ReloadRecord(id, source, requestedAt, outcome, reason,
                fresh != null ? fresh.number : null, old != null ? old.number : null,
                countersBefore, countersAfter, acceptQueuesAfter, endedAt);
    }

    /** A reload as another image of batond left it; its generations looked up by number. */
    static Reload of(LifecycleState.ReloadRecord r, java.util.function.IntFunction<Generation> generations) {
        Reload reload = new Reload(r.id(), r.source(), r.requestedAt());
        reload.outcome = r.outcome();
        reload.reason = r.reason();
        reload.fresh = r.fresh() != null ? generations.apply(r.fresh()) : null;
        reload.old = r.old() != null ? generations.apply(r.old()) : null;
        reload.countersBefore = r.countersBefore();
        reload.countersAfter = r.countersAfter();
        reload.acceptQueuesAfter = r.acceptQueuesAfter();
        reload.endedAt = r.endedAt();
        return reload;
    }

    @Override
    public String toString() {
        return "reload #" + id + (fresh != null ? " to gen=" + fresh.number : "");
    }
}
