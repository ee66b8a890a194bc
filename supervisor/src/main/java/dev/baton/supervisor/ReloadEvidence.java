package dev.baton.supervisor;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A reload as data for batonctl and as one log line: the proof that a deploy was smooth (the
 * new generation ready, the old one's in-flight count at 0 when it exited, its exit code, and
 * no connection dropped at the kernel's listen queue while the sockets changed hands).
 */
final class ReloadEvidence {
    private ReloadEvidence() {}

    static Map<String, Object> toMap(Reload r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", r.outcome == Reload.Outcome.SUCCEEDED);
        m.put("clean", r.clean());
        m.put("reload", r.id);
        m.put("source", r.source);
        m.put("outcome", r.outcome.label());
        if (!r.reason.isEmpty()) {
            m.put("reason", r.reason);
        }
        m.put("requested_at", UtcTime.format(r.requestedAt));
        m.put("duration_ms", millis(r.duration()));
        if (r.fresh != null) {
            Map<String, Object> fresh = new LinkedHashMap<>();
            fresh.put("generation", r.fresh.number);
            fresh.put("pid", r.fresh.pid);
            fresh.put("ready_ms", millis(r.timeToReady()));
            m.put("new", fresh);
        }
        if (r.old != null) {
            Map<String, Object> old = new LinkedHashMap<>();
            old.put("generation", r.old.number);
            old.put("pid", r.old.pid);
            old.put("inflight_at_drain", r.old.inflightAtDrain);
            old.put("inflight_at_exit", r.old.inflightAtExit);
            old.put("served", r.old.served);
            old.put("exit_code", r.old.exitCode);
            old.put("state", r.old.phase().name().toLowerCase());
            if (r.old.servicePid > 0 && r.old.servicePid != r.old.pid) {
                old.put("service_pid", r.old.servicePid);
            }
            old.put("killed_processes", r.old.killedProcesses);
            old.put("drain_ms", millis(r.drainDuration()));
            m.put("old", old);
        }
        ListenCounters delta = r.countersAfter.since(r.countersBefore);
        Map<String, Object> kernel = new LinkedHashMap<>();
        kernel.put("listen_overflows", delta.overflows());
        kernel.put("listen_drops", delta.drops());
        kernel.put("listen_overflows_before", r.countersBefore.overflows());
        kernel.put("listen_overflows_after", r.countersAfter.overflows());
        kernel.put("listen_drops_before", r.countersBefore.drops());
        kernel.put("listen_drops_after", r.countersAfter.drops());
        m.put("kernel", kernel);
        m.put("accept_queue", r.acceptQueuesAfter);
        return m;
    }

    /** For batond's log, e.g. {@code gen=3 ready in 1.2s; gen=2 in-flight 14 -> 0, served 5321, exit 0 ...}. */
    static String oneLine(Reload r) {
        StringBuilder b = new StringBuilder();
        if (r.fresh != null) {
            b.append("gen=").append(r.fresh.number).append(" ready in ").append(format(r.timeToReady()));
        }
        if (r.old != null) {
            b.append("; gen=").append(r.old.number).append(" in-flight ").append(count(r.old.inflightAtDrain))
                    .append(" -> ").append(count(r.old.inflightAtExit)).append(", served ").append(count(r.old.served))
                    .append(", exit code ").append(r.old.exitCode);
            if (r.old.killedProcesses > 0) {
                b.append(", killed (SIGKILL to ").append(r.old.killedProcesses).append(" process")
                        .append(r.old.killedProcesses == 1 ? "" : "es").append(") after ").append(format(r.drainDuration()));
            } else {
                b.append(", drained in ").append(format(r.drainDuration()));
            }
        }
        ListenCounters delta = r.countersAfter.since(r.countersBefore);
        b.append("; kernel ListenOverflows +").append(count(delta.overflows()))
                .append(" ListenDrops +").append(count(delta.drops()));
        b.append("; total ").append(format(r.duration()));
        return b.toString();
    }

    private static Long millis(Duration d) {
        return d == null ? null : d.toMillis();
    }

    private static String format(Duration d) {
        return DurationParser.seconds(d);
    }

    private static String count(long n) {
        return n < 0 ? "?" : Long.toString(n);
    }
}
