package dev.baton.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The slow-start scenario's table.md: one row per run, then the targets with pass or fail. */
final class SlowStartTable {
    static final String HEADER = "| run | reloads | answered / sent | failed: refused / reset / timeout / non200 / other "
            + "| steady p50 / p99 / max (ms) | reload windows p50 / p99 / max (ms) | reload p99 / steady p99 "
            + "| throughput reload windows / steady (req/s) | time to READY: start + warm-up (ms) "
            + "| first / second second after READY p99 (ms) |";

    private SlowStartTable() {}

    /** {@code skipped}: the runs that did not start, by label, with the reason. */
    static String markdown(List<RunResult> runs, Map<String, String> skipped, List<SlowStartTargets.Target> targets) {
        List<String> rows = new ArrayList<>();
        rows.add(HEADER);
        rows.add("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for (RunResult run : runs) {
            SlowStartSummary s = SlowStartSummary.of(run);
            RunSummary b = s.base();
            Map<Outcome, Long> f = b.failures();
            String reloads = b.reloadCount() + (run.reloadFailure() == null ? "" : " (" + run.reloadFailure().replace("|", "/") + ")");
            rows.add("| " + run.variant().label() + " | " + reloads + " | " + b.ok() + " / " + b.requests() + " | "
                    + f.get(Outcome.REFUSED) + " / " + f.get(Outcome.RESET) + " / " + f.get(Outcome.TIMEOUT) + " / "
                    + f.get(Outcome.NON_200) + " / " + f.get(Outcome.OTHER) + " | " + latency(b.steadyLatency()) + " | "
                    + latency(b.reloadLatency()) + " | " + ratio(s.p99Ratio()) + " | "
                    + (s.windowSeconds() > 0 ? String.format(Locale.ROOT, "%.0f / %.0f (%s)", s.windowThroughput(),
                            s.steadyThroughput(), percent(s.throughputRatio()))
                            : String.format(Locale.ROOT, "- / %.0f", s.steadyThroughput()))
                    + " | " + toReady(s) + " | "
                    + p99(s.firstSecond()) + " / " + p99(s.secondSecond()) + " |");
        }
        skipped.forEach((label, reason) -> rows.add("| " + label + " | did not run: " + reason.replace("|", "/")
                + " | | | | | | | | |"));
        rows.add("");
        rows.add("| target | wanted | measured | |");
        rows.add("| --- | --- | --- | --- |");
        for (SlowStartTargets.Target t : targets) {
            rows.add("| " + t.name() + " | " + t.wanted() + " | " + t.measured() + " | " + verdict(t.verdict()) + " |");
        }
        return String.join("\n", rows) + "\n";
    }

    static String verdict(SlowStartTargets.Verdict verdict) {
        return switch (verdict) {
            case PASS -> "pass";
            case FAIL -> "FAIL";
            case NA -> "n/a";
        };
    }

    private static String toReady(SlowStartSummary s) {
        if (s.toReadyMillis() == null) {
            return "n/a";
        }
        return s.startMillis() + " + " + (s.warmupMillis() == null ? "n/a" : Long.toString(s.warmupMillis()));
    }

    private static String p99(Percentiles p) {
        return p.count() == 0 ? "-" : SlowStartTargets.ms(p.p99());
    }

    private static String latency(Percentiles p) {
        return p.count() == 0 ? "-" : SlowStartTargets.ms(p.p50()) + " / " + SlowStartTargets.ms(p.p99()) + " / "
                + SlowStartTargets.ms(p.max());
    }

    private static String ratio(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.2f", value);
    }

    private static String percent(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.0f%%", value * 100);
    }
}
