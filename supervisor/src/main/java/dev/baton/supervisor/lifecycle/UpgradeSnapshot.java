package dev.baton.supervisor.lifecycle;

import java.time.Duration;
import java.time.Instant;

/**
 * One upgrade of batond's own image ({@code batonctl upgrade}), immutable: from which version and
 * JVM to which, and how it ended. The new image's version and JVM are what its check said.
 *
 * <p>An upgrade is CHECKING while the new image is tried with {@code --check-only}, REPLACING once
 * the check passed and batond is about to exec it; it ends SUCCEEDED (seen by the new image),
 * REFUSED (the check failed: nothing changed) or FAILED (the exec itself failed: nothing changed).
 */
public record UpgradeSnapshot(
        Outcome outcome,
        String reason,
        String source,
        Instant requestedAt,
        Instant endedAt,
        String fromVersion,
        String fromJvm,
        String toVersion,
        String toJvm) {

    public enum Outcome {
        WAITING, CHECKING, REPLACING, SUCCEEDED, REFUSED, FAILED;

        public String label() {
            return name().toLowerCase();
        }

        public boolean ended() {
            return this == SUCCEEDED || this == REFUSED || this == FAILED;
        }
    }

    public Duration duration() {
        return endedAt == null ? null : Duration.between(requestedAt, endedAt);
    }

    UpgradeSnapshot with(Outcome outcome, String reason, Instant endedAt) {
        return new UpgradeSnapshot(outcome, reason, source, requestedAt, endedAt, fromVersion, fromJvm, toVersion, toJvm);
    }

    UpgradeSnapshot to(String version, String jvm) {
        return new UpgradeSnapshot(outcome, reason, source, requestedAt, endedAt, fromVersion, fromJvm, version, jvm);
    }
}
