package dev.baton.supervisor;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.baton.protocol.Addresses;

/** {@code batonctl status} as data: batond, its listeners, its generations and the last reloads. */
final class StatusReport {
    private StatusReport() {}

    /** Why nothing serves yet: the last failure, how many in a row, when the next attempt is due. */
    record Failing(String lastFailure, int failuresInARow, Instant nextAttemptAt) {}

    static Map<String, Object> build(Actions actions, Config config, Instant startedAt, Generation serving,
                                     Collection<Generation> alive, Collection<Generation> exited,
                                     List<Reload> reloads, int restarts, boolean shuttingDown, Failing failing) {
        Instant now = actions.now();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", true);
        m.put("pid", ProcessHandle.current().pid());
        m.put("state", shuttingDown ? "stopping" : serving != null ? "serving" : "starting");
        m.put("started_at", UtcTime.format(startedAt));
        m.put("uptime_ms", Duration.between(startedAt, now).toMillis());
        m.put("serving_generation", serving != null ? serving.number : null);
        m.put("child_restarts", restarts);
        // Lines batond's log output could not take in time (a stalled reader): dropped, never waited for.
        m.put("log_lines_dropped", LogOutput.dropped());
        m.put("command", String.join(" ", config.command()));
        if (failing != null && failing.lastFailure() != null) {
            m.put("last_failure", failing.lastFailure());
            m.put("failures_in_a_row", failing.failuresInARow());
            m.put("next_attempt_at", failing.nextAttemptAt() != null ? UtcTime.format(failing.nextAttemptAt()) : null);
        }

        Map<String, Long> queues = actions.acceptQueues();
        List<Object> listeners = new ArrayList<>();
        for (Listener l : actions.listeners()) {
            Map<String, Object> lm = new LinkedHashMap<>();
            lm.put("name", l.name());
            lm.put("address", Addresses.format(l.address()));
            lm.put("fd", l.fd());
            lm.put("accept_queue", queues.getOrDefault(l.name(), -1L));
            listeners.add(lm);
        }
        m.put("listeners", listeners);
        ListenCounters counters = actions.listenCounters();
        m.put("kernel", Map.of("listen_overflows", counters.overflows(), "listen_drops", counters.drops()));

        List<Object> generations = new ArrayList<>();
        for (Generation g : exited) {
            generations.add(generation(g));
        }
        for (Generation g : alive) {
            generations.add(generation(g));
        }
        m.put("generations", generations);
        List<Object> recent = new ArrayList<>();
        for (Reload r : reloads) {
            recent.add(ReloadEvidence.toMap(r));
        }
        m.put("reloads", recent);
        return m;
    }

    private static Map<String, Object> generation(Generation g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("generation", g.number);
        m.put("pid", g.pid);
        m.put("state", g.phase().name().toLowerCase());
        m.put("started_at", UtcTime.format(g.spawnedAt));
        m.put("ready_at", g.readyAt != null ? UtcTime.format(g.readyAt) : null);
        m.put("inflight", g.inflight);
        m.put("served", g.served);
        if (g.drainStartedAt != null) {
            m.put("drain_started_at", UtcTime.format(g.drainStartedAt));
        }
        if (g.servicePid > 0 && g.servicePid != g.pid) {
            m.put("service_pid", g.servicePid); // the process behind a wrapper script
        }
        if (g.killedProcesses > 0) {
            m.put("killed_processes", g.killedProcesses);
        }
        if (g.exitCode != null) {
            m.put("exit_code", g.exitCode);
            m.put("exited_at", UtcTime.format(g.exitedAt));
        }
        return m;
    }
}
