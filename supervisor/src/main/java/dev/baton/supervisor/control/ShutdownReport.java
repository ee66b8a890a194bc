package dev.baton.supervisor.control;

import dev.baton.supervisor.lifecycle.GenerationSnapshot;
import dev.baton.supervisor.lifecycle.ShutdownOutcome;

import java.util.Map;
import java.util.StringJoiner;

/**
 * The answer {@code batonctl stop --wait} gets once every generation has gone: "every
 * generation drained" only when that is true; otherwise which one was killed (and how many
 * processes of its group) or ended badly, with {@code clean: false} so that batonctl exits 3.
 */
public final class ShutdownReport {
    private ShutdownReport() {}

    static Map<String, Object> answer(ShutdownOutcome outcome) {
        StringJoiner problems = new StringJoiner("; ");
        for (GenerationSnapshot g : outcome.stopped()) {
            String problem = ShutdownOutcome.problem(g);
            if (problem != null) {
                problems.add(g + " " + problem);
            }
        }
        Map<String, Object> m = ControlResponses.ok(outcome.clean() ? "batond stopped: every generation drained"
                : "batond stopped, not cleanly: " + problems);
        m.put("clean", outcome.clean());
        return m;
    }
}
