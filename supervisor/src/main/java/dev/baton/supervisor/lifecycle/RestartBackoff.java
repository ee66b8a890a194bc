package dev.baton.supervisor.lifecycle;

import java.time.Duration;
import java.time.Instant;

/**
 * When to start a new generation after the serving one died or a start failed: at once after a
 * first failure, then --restart-backoff-min, doubling up to --restart-backoff-max. A generation
 * that served longer than the maximum ends any crash loop before it, whether it then died or was
 * replaced by a reload. Keeps the last failure for status while nothing serves.
 */
public final class RestartBackoff {
    private final Duration min;
    private final Duration max;
    private int failuresInARow;
    private int restarts;
    private boolean scheduled;
    private Instant nextAttemptAt;
    private String lastFailure;

    RestartBackoff(Duration min, Duration max) {
        this.min = min;
        this.max = max;
    }

    /** Why the last start failed, for status. */
    void failed(String reason) {
        lastFailure = reason;
    }

    /** The delay of the next attempt, or null when one is scheduled already. */
    Duration schedule(Instant now) {
        if (scheduled) {
            return null;
        }
        failuresInARow++;
        restarts++;
        Duration delay = failuresInARow == 1 ? Duration.ZERO : step(failuresInARow - 1);
        scheduled = true;
        nextAttemptAt = now.plus(delay);
        return delay;
    }

    /** The scheduled attempt is being made. */
    void due() {
        scheduled = false;
        nextAttemptAt = null;
    }

    /** min, 2*min, 4*min ... capped at max. */
    private Duration step(int step) {
        Duration d = min;
        for (int i = 1; i < step && d.compareTo(max) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(max) > 0 ? max : d;
    }

    /**
     * A generation stopped serving (it died or was replaced) after {@code served}: a run longer
     * than the maximum forgets the failures before it. Returns whether any were forgotten.
     */
    boolean servedFor(Duration served) {
        if (served.compareTo(max) < 0) {
            return false;
        }
        boolean forgot = failuresInARow > 0;
        failuresInARow = 0;
        lastFailure = null;
        return forgot;
    }

    LifecycleState.BackoffRecord record() {
        return new LifecycleState.BackoffRecord(failuresInARow, restarts, scheduled, nextAttemptAt, lastFailure);
    }

    /** Takes over the state another image of batond left; returns when its scheduled attempt is due (null: none). */
    Instant restore(LifecycleState.BackoffRecord r) {
        failuresInARow = r.failuresInARow();
        restarts = r.restarts();
        scheduled = r.scheduled();
        nextAttemptAt = r.nextAttemptAt();
        lastFailure = r.lastFailure();
        return scheduled ? (nextAttemptAt != null ? nextAttemptAt : Instant.EPOCH) : null;
    }

    int failuresInARow() {
        return failuresInARow;
    }

    /** New generations started because the serving one died or a start failed. */
    int restarts() {
        return restarts;
    }

    /** Why nothing serves yet, when a start failed; null when none did. */
    SupervisorSnapshot.Failing failing() {
        return lastFailure == null ? null : new SupervisorSnapshot.Failing(lastFailure, failuresInARow, nextAttemptAt);
    }
}
