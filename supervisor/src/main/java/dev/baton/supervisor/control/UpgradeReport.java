package dev.baton.supervisor.control;

import dev.baton.supervisor.lifecycle.UpgradeSnapshot;
import dev.baton.supervisor.log.UtcTime;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An upgrade of batond's image as JSON-shaped data: the answer to {@code upgrade} (the check
 * passed and the new image takes over, or the refusal) and the {@code upgrade} of status.
 */
public final class UpgradeReport {
    private UpgradeReport() {}

    public static Map<String, Object> toMap(UpgradeSnapshot u) {
        Map<String, Object> m = new LinkedHashMap<>();
        boolean ok = !(u.outcome() == UpgradeSnapshot.Outcome.REFUSED || u.outcome() == UpgradeSnapshot.Outcome.FAILED);
        m.put("ok", ok);
        m.put("outcome", u.outcome().label());
        if (!ok) {
            m.put("error", "upgrade " + u.outcome().label() + ": " + u.reason());
        }
        m.put("reason", u.reason());
        m.put("source", u.source());
        m.put("requested_at", UtcTime.format(u.requestedAt()));
        m.put("ended_at", u.endedAt() != null ? UtcTime.format(u.endedAt()) : null);
        m.put("duration_ms", u.duration() != null ? u.duration().toMillis() : null);
        m.put("from_version", u.fromVersion());
        m.put("from_jvm", u.fromJvm());
        m.put("to_version", u.toVersion());
        m.put("to_jvm", u.toJvm());
        return m;
    }
}
