package dev.baton.supervisor;

import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The answer {@code batonctl stop --wait} gets once every generation has gone: "every
 * generation drained" only when that is true; otherwise which one was killed (and how many
 * processes of its group) or ended badly, with {@code clean: false} so that batonctl exits 3.
 */
final class ShutdownReport {
    private ShutdownReport() {}

    static Map<String, Object> answer(List<Generation> stopped) {
        StringJoiner problems = new StringJoiner("; ");
        for (Generation g : stopped) {
            String problem = problem(g);
            if (problem != null) {
                problems.add(g + " " + problem);
            }
        }
        if (problems.length() == 0) {
            Map<String, Object> m = ControlResponses.ok("batond stopped: every generation drained");
            m.put("clean", true);
            return m;
        }
        Map<String, Object> m = ControlResponses.ok("batond stopped, not cleanly: " + problems);
        m.put("clean", false);
        return m;
    }

    /** What went wrong with one generation's end; null when nothing did. */
    private static String problem(Generation g) {
        if (g.killedProcesses > 0) {
            return "was killed (SIGKILL to " + g.killedProcesses + " process" + (g.killedProcesses == 1 ? "" : "es")
                    + ") after --drain-timeout";
        }
        if (g.readyAt == null) {
            return null; // it never served: stopping it cut nothing off
        }
        if (!g.drainedCleanly()) {
            return "exited with code " + g.exitCode
                    + (g.inflightAtExit > 0 ? " with " + g.inflightAtExit + " request(s) still in flight" : "");
        }
        return null;
    }
}
