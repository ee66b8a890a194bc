package dev.baton.supervisor.control;

import dev.baton.supervisor.lifecycle.GenerationSnapshot;
import dev.baton.supervisor.lifecycle.ReloadSnapshot;
import dev.baton.supervisor.lifecycle.SupervisorSnapshot;
import dev.baton.supervisor.log.UtcTime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.baton.protocol.Addresses;

/** {@code batonctl status} as JSON-shaped data, made from the lifecycle's snapshot and nothing else. */
public final class StatusReport {
    private StatusReport() {}

    public static Map<String, Object> build(SupervisorSnapshot s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", true);
        m.put("pid", s.pid());
        m.put("state", s.state());
        m.put("started_at", UtcTime.format(s.startedAt()));
        m.put("uptime_ms", Duration.between(s.startedAt(), s.takenAt()).toMillis());
        m.put("serving_generation", s.servingGeneration());
        m.put("child_restarts", s.childRestarts());
        m.put("command", String.join(" ", s.command()));
        m.put("log_lines_dropped", s.logLinesDropped());
        m.put("version", s.image().version());
        m.put("jvm", s.image().jvm());
        m.put("image_started_at", UtcTime.format(s.image().startedAt()));
        m.put("upgrades", s.upgrades());
        m.put("upgrade", s.upgrade() != null ? UpgradeReport.toMap(s.upgrade()) : null);
        m.put("start_priority", s.startPriority());
        m.put("drain_priority", s.drainPriority());
        SupervisorSnapshot.Failing failing = s.failing();
        if (failing != null) {
            m.put("last_failure", failing.lastFailure());
            m.put("failures_in_a_row", failing.failuresInARow());
            m.put("next_attempt_at", failing.nextAttemptAt() != null ? UtcTime.format(failing.nextAttemptAt()) : null);
        }

        List<Object> listeners = new ArrayList<>();
        for (SupervisorSnapshot.ListenerState l : s.listeners()) {
            Map<String, Object> lm = new LinkedHashMap<>();
            lm.put("name", l.name());
            lm.put("address", Addresses.format(l.address()));
            lm.put("fd", l.fd());
            lm.put("accept_queue", l.acceptQueue());
            listeners.add(lm);
        }
        m.put("listeners", listeners);
        m.put("kernel", Map.of("listen_overflows", s.kernel().overflows(), "listen_drops", s.kernel().drops()));

        List<Object> generations = new ArrayList<>();
        for (GenerationSnapshot g : s.generations()) {
            generations.add(generation(g));
        }
        m.put("generations", generations);
        List<Object> recent = new ArrayList<>();
        for (ReloadSnapshot r : s.reloads()) {
            recent.add(ReloadEvidence.toMap(r));
        }
        m.put("reloads", recent);
        return m;
    }

    private static Map<String, Object> generation(GenerationSnapshot g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("generation", g.number());
        m.put("pid", g.pid());
        m.put("state", g.phase().name().toLowerCase());
        m.put("started_at", UtcTime.format(g.spawnedAt()));
        m.put("ready_at", g.readyAt() != null ? UtcTime.format(g.readyAt()) : null);
        if (g.readyAt() != null) {
            // Time to READY, split: the process's own start, then the warm-up it reported (null: not known).
            m.put("ready_ms", g.timeToReady().toMillis());
            m.put("start_ms", g.start() != null ? g.start().toMillis() : null);
            m.put("warmup_ms", g.warmUp() != null ? g.warmUp().toMillis() : null);
        }
        m.put("inflight", g.inflight());
        m.put("served", g.served());
        if (g.provingUntil() != null) {
            m.put("min_ready_until", UtcTime.format(g.provingUntil())); // the old generation is signalled then
        }
        if (g.drainStartedAt() != null) {
            m.put("drain_started_at", UtcTime.format(g.drainStartedAt()));
        }
        if (g.startPriority() != null) {
            m.put("start_priority", g.startPriority()); // low while it starts, restored after READY
        }
        if (g.behindWrapper()) {
            m.put("service_pid", g.servicePid()); // the process behind a wrapper script
        }
        if (g.adopted()) {
            m.put("adopted", true); // started by a batond that died
        }
        if (g.readopting()) {
            m.put("readopting", true); // a child of a batond that died, not reconnected yet
        }
        if (g.orphanedSince() != null) {
            m.put("orphaned_since", UtcTime.format(g.orphanedSince()));
        }
        if (g.killedProcesses() > 0) {
            m.put("killed_processes", g.killedProcesses());
        }
        if (g.exitCode() != null) {
            m.put("exit_code", g.exitCode());
            m.put("exited_at", UtcTime.format(g.exitedAt()));
        }
        return m;
    }
}
