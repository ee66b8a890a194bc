package dev.baton.batonctl;

import java.util.List;
import java.util.Map;

/** batonctl's human-readable rendering of batond's JSON answers. */
final class BatonctlView {
    private BatonctlView() {}

    /** An upgrade's answer: the new image serves, it is about to, or why not. */
    static String upgrade(Map<String, Object> u) {
        String from = "batond " + u.get("from_version") + " (java " + u.get("from_jvm") + ")";
        String to = "batond " + u.get("to_version") + " (java " + u.get("to_jvm") + ")";
        return switch (String.valueOf(u.get("outcome"))) {
            case "succeeded" -> "upgraded " + from + " -> " + to + " in " + u.get("duration_ms") + " ms\n";
            case "replacing" -> "upgrading " + from + " -> " + to + ": the new image passed its check\n";
            default -> "upgrade " + u.get("outcome") + ": " + u.get("reason") + "\n";
        };
    }

    static String status(Map<String, Object> s) {
        StringBuilder b = new StringBuilder();
        b.append("batond pid ").append(s.get("pid")).append(", ").append(s.get("state"));
        if (s.get("serving_generation") != null) {
            b.append(" gen=").append(s.get("serving_generation"));
        }
        b.append(", up ").append(seconds(s.get("uptime_ms"))).append(", child restarts ").append(s.get("child_restarts")).append('\n');
        b.append("batond ").append(s.get("version")).append(" on java ").append(s.get("jvm")).append(", image started ")
                .append(time(s.get("image_started_at"))).append(", upgrades ").append(s.get("upgrades")).append('\n');
        if (s.get("upgrade") instanceof Map<?, ?> u) {
            @SuppressWarnings("unchecked")
            Map<String, Object> last = (Map<String, Object>) u;
            b.append("last upgrade: ").append(upgrade(last));
        }
        b.append("command: ").append(s.get("command")).append('\n');
        if (s.get("start_priority") != null) {
            b.append("start priority: ").append(s.get("start_priority")).append('\n');
        }
        if (s.get("drain_priority") != null) {
            b.append("drain priority: ").append(s.get("drain_priority")).append('\n');
        }
        if (s.get("last_failure") != null) {
            b.append("not serving: ").append(s.get("last_failure")).append(" (failure ").append(s.get("failures_in_a_row"))
                    .append(" in a row)");
            if (s.get("next_attempt_at") != null) {
                b.append("; next attempt at ").append(time(s.get("next_attempt_at")));
            }
            b.append('\n');
        }
        b.append("listeners:\n");
        for (Map<String, Object> l : list(s.get("listeners"))) {
            b.append(String.format("  %-12s %-24s fd=%-4s accept queue %s%n", l.get("name"), l.get("address"), l.get("fd"),
                    count(l.get("accept_queue"))));
        }
        Map<String, Object> kernel = map(s.get("kernel"));
        b.append("kernel: ListenOverflows ").append(count(kernel.get("listen_overflows")))
                .append(", ListenDrops ").append(count(kernel.get("listen_drops"))).append('\n');
        if (s.get("log_lines_dropped") instanceof Number dropped && dropped.longValue() > 0) {
            b.append("log: ").append(dropped).append(" line(s) dropped: batond's log output stalled or failed\n");
        }
        b.append("generations:\n");
        b.append(String.format("  %-5s %-8s %-9s %-24s %-24s %7s %7s %9s %10s %5s  %s%n",
                "gen", "pid", "state", "started", "ready at", "start", "warm-up", "in-flight", "served", "exit", "priority"));
        List<Map<String, Object>> generations = new java.util.ArrayList<>(list(s.get("generations")));
        generations.sort(java.util.Comparator.comparingLong(g -> ((Number) g.get("generation")).longValue()));
        for (Map<String, Object> g : generations) {
            b.append(String.format("  %-5s %-8s %-9s %-24s %-24s %7s %7s %9s %10s %5s  %s", g.get("generation"), g.get("pid"),
                    g.get("state"), time(g.get("started_at")), time(g.get("ready_at")), split(g, "start_ms"),
                    split(g, "warmup_ms"), reported(g, "inflight"), reported(g, "served"), exitCode(g.get("exit_code")),
                    g.get("start_priority") == null ? "" : g.get("start_priority")).stripTrailing()).append('\n');
        }
        for (Map<String, Object> g : generations) {
            if (g.get("orphaned_since") != null) {
                b.append("  gen=").append(g.get("generation")).append(" pid=").append(g.get("pid"))
                        .append(" orphaned since ").append(time(g.get("orphaned_since")))
                        .append(": a child of a batond that died, it did not reconnect (it may still serve)\n");
            } else if (Boolean.TRUE.equals(g.get("readopting"))) {
                b.append("  gen=").append(g.get("generation")).append(" pid=").append(g.get("pid"))
                        .append(" re-adopting: a child of a batond that died, not reconnected yet\n");
            } else if (Boolean.TRUE.equals(g.get("adopted")) && g.get("exit_code") == null) {
                b.append("  gen=").append(g.get("generation")).append(" pid=").append(g.get("pid"))
                        .append(" re-adopted: started by a batond that died\n");
            }
        }
        List<Map<String, Object>> reloads = list(s.get("reloads"));
        b.append("last reloads:").append(reloads.isEmpty() ? " none\n" : "\n");
        for (Map<String, Object> r : reloads) {
            b.append("  ").append(summary(r)).append(details(r)).append('\n');
        }
        return b.toString();
    }

    /** The evidence of one reload, for {@code batonctl reload --wait}. */
    static String reload(Map<String, Object> r) {
        StringBuilder b = new StringBuilder(summary(r)).append('\n');
        Map<String, Object> fresh = map(r.get("new"));
        if (!fresh.isEmpty()) {
            b.append("  new generation  gen=").append(fresh.get("generation")).append(" pid=").append(fresh.get("pid"));
            if (fresh.get("ready_ms") != null) {
                b.append(", READY in ").append(seconds(fresh.get("ready_ms"))).append(startAndWarmUp(fresh));
            }
            b.append('\n');
        }
        Map<String, Object> old = map(r.get("old"));
        if (!old.isEmpty()) {
            b.append("  old generation  gen=").append(old.get("generation")).append(" pid=").append(old.get("pid"));
            if (old.get("service_pid") != null) {
                b.append(" (service pid=").append(old.get("service_pid")).append(')');
            }
            long killed = old.get("killed_processes") instanceof Number n ? n.longValue() : 0;
            if (old.get("exit_code") != null) {
                b.append(", in-flight ").append(count(old.get("inflight_at_drain"))).append(" -> ")
                        .append(count(old.get("inflight_at_exit"))).append(", served ").append(count(old.get("served")))
                        .append(", exit code ").append(exitCode(old.get("exit_code")));
                b.append(killed > 0 ? ", killed (SIGKILL to " + killed + (killed == 1 ? " process" : " processes") + ") after "
                        : ", drained in ").append(seconds(old.get("drain_ms")));
            } else if ("serving".equals(old.get("state"))) {
                b.append(", keeps serving");
            } else if (old.get("state") != null) {
                b.append(", ").append(old.get("state")); // say, draining because batond is shutting down
            }
            b.append('\n');
        }
        Map<String, Object> k = map(r.get("kernel"));
        b.append("  kernel          ListenOverflows +").append(count(k.get("listen_overflows")))
                .append(", ListenDrops +").append(count(k.get("listen_drops")));
        Map<String, Object> queues = map(r.get("accept_queue"));
        if (!queues.isEmpty()) {
            b.append("; accept queue");
            queues.forEach((name, depth) -> b.append(' ').append(name).append('=').append(count(depth)));
        }
        b.append('\n');
        return b.toString();
    }

    /** The evidence in one line, for status: {@code ; gen=3 READY in 0.74s; gen=2 in-flight 8 -> 0, ...}. */
    private static String details(Map<String, Object> r) {
        StringBuilder b = new StringBuilder();
        Map<String, Object> fresh = map(r.get("new"));
        if (fresh.get("ready_ms") != null) {
            b.append("; gen=").append(fresh.get("generation")).append(" READY in ").append(seconds(fresh.get("ready_ms")))
                    .append(startAndWarmUp(fresh));
        }
        Map<String, Object> old = map(r.get("old"));
        if (old.get("exit_code") != null) {
            b.append("; gen=").append(old.get("generation")).append(" in-flight ").append(count(old.get("inflight_at_drain")))
                    .append(" -> ").append(count(old.get("inflight_at_exit"))).append(", served ").append(count(old.get("served")))
                    .append(", exit ").append(exitCode(old.get("exit_code")));
        }
        Map<String, Object> k = map(r.get("kernel"));
        if ("succeeded".equals(r.get("outcome"))) {
            b.append("; ListenDrops +").append(count(k.get("listen_drops")));
        }
        return b.toString();
    }

    private static String summary(Map<String, Object> r) {
        StringBuilder b = new StringBuilder("reload #").append(r.get("reload")).append(" (").append(r.get("source")).append(") ")
                .append(r.get("outcome"));
        if (r.get("reason") != null) {
            b.append(": ").append(r.get("reason"));
        }
        if (r.get("duration_ms") != null) {
            b.append(" in ").append(seconds(r.get("duration_ms")));
        }
        if ("succeeded".equals(r.get("outcome")) && !Boolean.TRUE.equals(r.get("clean"))) {
            b.append(" (the old generation did not drain cleanly)");
        }
        return b.toString();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object o) {
        return o instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /** {@code " (start 0.90s, warm-up 0.30s)"}; empty when batond did not know the split (an older batond's state). */
    private static String startAndWarmUp(Map<String, Object> fresh) {
        if (fresh.get("start_ms") == null || fresh.get("warmup_ms") == null) {
            return "";
        }
        return " (start " + seconds(fresh.get("start_ms")) + ", warm-up " + seconds(fresh.get("warmup_ms")) + ")";
    }

    /** A ready generation's start or warm-up; empty before READY, "-" when not known (a state from an older batond). */
    private static String split(Map<String, Object> g, String key) {
        if (g.get("ready_at") == null) {
            return "";
        }
        return g.get(key) instanceof Number ? seconds(g.get(key)) : "-";
    }

    private static String seconds(Object millis) {
        return millis instanceof Number n ? String.format("%.2fs", n.longValue() / 1000.0) : "?";
    }

    /**
     * A generation's own count, once it has sent one: "not yet" before its first stats frame
     * (a child says nothing until it serves, and then at most every second), "-" for one that
     * ended without ever reporting (a child that does not speak the stats frame).
     */
    private static String reported(Map<String, Object> g, String key) {
        Object n = g.get(key);
        if (n instanceof Number x && x.longValue() >= 0) {
            return x.toString();
        }
        return g.get("exit_code") == null ? "not yet" : "-";
    }

    private static String count(Object n) {
        return n instanceof Number x && x.longValue() >= 0 ? x.toString() : "?";
    }

    /** -1: a re-adopted child that was not batond's to waitpid, and reported none. */
    private static String exitCode(Object code) {
        return code == null ? "" : code instanceof Number n && n.longValue() < 0 ? "unknown" : code.toString();
    }

    private static String time(Object iso) {
        return iso == null ? "" : iso.toString().replace('T', ' ').replaceFirst("\\.\\d+Z$", "Z");
    }
}
