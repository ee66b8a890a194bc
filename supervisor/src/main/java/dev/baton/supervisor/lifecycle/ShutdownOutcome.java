package dev.baton.supervisor.lifecycle;

import java.util.List;

/** How batond's shutdown went: every generation that was alive when it began, as it ended. */
public record ShutdownOutcome(List<GenerationSnapshot> stopped) {
    public ShutdownOutcome {
        stopped = List.copyOf(stopped);
    }

    /**
     * What went wrong with one generation's end; null when nothing did: a generation that never
     * served cut nothing off when it was stopped, unless it had to be killed.
     */
    public static String problem(GenerationSnapshot g) {
        if (g.killedProcesses() > 0) {
            return "was killed (SIGKILL to " + g.killedProcesses() + " process" + (g.killedProcesses() == 1 ? "" : "es")
                    + ") after --drain-timeout";
        }
        if (g.readyAt() == null || g.drainedCleanly()) {
            return null;
        }
        return (g.exitCode() != null && g.exitCode() < 0
                ? "exited with an unknown code (a child of a batond that died, it reported none)"
                : "exited with code " + g.exitCode())
                + (g.inflightAtExit() > 0 ? " with " + g.inflightAtExit() + " request(s) still in flight" : "");
    }

    /** Every generation drained: none was killed or ended badly. */
    public boolean clean() {
        return stopped.stream().allMatch(g -> problem(g) == null);
    }
}
