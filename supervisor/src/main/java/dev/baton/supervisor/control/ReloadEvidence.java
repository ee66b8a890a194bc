package dev.baton.supervisor.control;

import dev.baton.supervisor.lifecycle.GenerationSnapshot;
import dev.baton.supervisor.lifecycle.ListenCounters;
import dev.baton.supervisor.lifecycle.ReloadSnapshot;
import dev.baton.supervisor.log.UtcTime;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A reload's evidence as JSON-shaped data for batonctl: the new generation ready, the old one's
 * in-flight count at 0 when it exited, its exit code, and no connection dropped at the kernel's
 * listen queue while the sockets changed hands.
 */
public final class ReloadEvidence {
    private ReloadEvidence() {}

    static Map<String, Object> toMap(ReloadSnapshot r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", r.succeeded());
        m.put("clean", r.clean());
        m.put("reload", r.id());
        m.put("source", r.source());
        m.put("outcome", r.outcome().label());
        if (!r.reason().isEmpty()) {
            m.put("reason", r.reason());
        }
        m.put("requested_at", UtcTime.format(r.requestedAt()));
        m.put("duration_ms", millis(r.duration()));
        if (r.fresh() != null) {
            Map<String, Object> fresh = new LinkedHashMap<>();
            fresh.put("generation", r.fresh().number());
            fresh.put("pid", r.fresh().pid());
            fresh.put("ready_ms", millis(r.timeToReady()));
            fresh.put("start_ms", millis(r.start()));
            fresh.put("warmup_ms", millis(r.warmUp()));
            m.put("new", fresh);
        }
        GenerationSnapshot o = r.old();
        if (o != null) {
            Map<String, Object> old = new LinkedHashMap<>();
            old.put("generation", o.number());
            old.put("pid", o.pid());
            old.put("inflight_at_drain", o.inflightAtDrain());
            old.put("inflight_at_exit", o.inflightAtExit());
            old.put("served", o.served());
            old.put("exit_code", o.exitCode());
            old.put("state", o.phase().name().toLowerCase());
            if (o.behindWrapper()) {
                old.put("service_pid", o.servicePid());
            }
            old.put("killed_processes", o.killedProcesses());
            old.put("drain_ms", millis(r.drainDuration()));
            m.put("old", old);
        }
        ListenCounters delta = r.kernelDelta();
        Map<String, Object> kernel = new LinkedHashMap<>();
        kernel.put("listen_overflows", delta.overflows());
        kernel.put("listen_drops", delta.drops());
        kernel.put("listen_overflows_before", r.countersBefore().overflows());
        kernel.put("listen_overflows_after", r.countersAfter().overflows());
        kernel.put("listen_drops_before", r.countersBefore().drops());
        kernel.put("listen_drops_after", r.countersAfter().drops());
        m.put("kernel", kernel);
        m.put("accept_queue", r.acceptQueuesAfter());
        return m;
    }

    private static Long millis(Duration d) {
        return d == null ? null : d.toMillis();
    }
}
