package dev.baton.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** The results as a Markdown table, one column per mode: printed at the end of a run and put in the README. */
final class ResultsTable {
    private ResultsTable() {}

    static String markdown(List<RunResult> runs) {
        List<RunSummary> summaries = runs.stream().map(RunSummary::of).toList();
        List<String> rows = new ArrayList<>();
        StringBuilder header = new StringBuilder("| |");
        StringBuilder rule = new StringBuilder("| --- |");
        for (RunSummary summary : summaries) {
            header.append(' ').append(summary.mode().label).append(" |");
            rule.append(" --- |");
        }
        rows.add(header.toString());
        rows.add(rule.toString());
        row(rows, summaries, "reloads", s -> Integer.toString(s.reloadCount()));
        row(rows, summaries, "requests answered 200 / sent", s -> s.ok() + " / " + s.requests());
        for (Outcome outcome : Outcome.values()) {
            if (outcome != Outcome.OK) {
                row(rows, summaries, "failed: " + outcome.key, s -> Long.toString(s.failures().get(outcome)));
            }
        }
        row(rows, summaries, "keep-alive requests sent again", s -> Long.toString(s.retries()));
        row(rows, summaries, "latency steady p50 / p99 / max (ms)", s -> latency(s.steadyLatency()));
        row(rows, summaries, "latency in reload windows p50 / p99 / max (ms)", s -> latency(s.reloadLatency()));
        row(rows, summaries, "signal to new generation ready p50 / max (ms)", s -> spread(s.signalToReady()));
        row(rows, summaries, "signal to old generation exited p50 / max (ms)", s -> spread(s.signalToOldExited()));
        row(rows, summaries, "batond: signal to child spawned p50 / max (ms)",
                s -> s.batondSpawn() == null ? "-" : spread(s.batondSpawn()));
        row(rows, summaries, "batond: READY to drain signal p50 / max (ms)",
                s -> s.batondDrain() == null ? "-" : spread(s.batondDrain()));
        supervisorRow(rows, runs, "supervisor RSS idle / after reloads (MiB)",
                f -> mb(f.idle().rssKb()) + " / " + mb(f.afterReloads().rssKb()));
        supervisorRow(rows, runs, "supervisor open fds idle / after reloads",
                f -> f.idle().fds() + " / " + f.afterReloads().fds());
        supervisorRow(rows, runs, "supervisor CPU while idle (ms per s)",
                f -> String.format(Locale.ROOT, "%.2f", f.idleCpuMillis() * 1000.0 / Math.max(1, f.idleWindowMillis())));
        return String.join("\n", rows) + "\n";
    }

    private static void row(List<String> rows, List<RunSummary> summaries, String name, Function<RunSummary, String> cell) {
        StringBuilder row = new StringBuilder("| ").append(name).append(" |");
        summaries.forEach(s -> row.append(' ').append(cell.apply(s)).append(" |"));
        rows.add(row.toString());
    }

    private static void supervisorRow(List<String> rows, List<RunResult> runs, String name,
            Function<RunResult.SupervisorFigures, String> cell) {
        StringBuilder row = new StringBuilder("| ").append(name).append(" |");
        runs.forEach(r -> row.append(' ').append(r.supervisor().map(cell).orElse("- (none)")).append(" |"));
        rows.add(row.toString());
    }

    private static String latency(Percentiles p) {
        return p.count() == 0 ? "-" : ms(p.p50()) + " / " + ms(p.p99()) + " / " + ms(p.max());
    }

    private static String spread(Percentiles p) {
        return p.count() == 0 ? "-" : ms(p.p50()) + " / " + ms(p.max());
    }

    private static String ms(double millis) {
        return millis >= 100 ? String.format(Locale.ROOT, "%.0f", millis) : String.format(Locale.ROOT, "%.1f", millis);
    }

    private static String mb(long kb) {
        return String.format(Locale.ROOT, "%.1f", kb / 1024.0);
    }
}
