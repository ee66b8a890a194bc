package dev.baton.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Issue 14's targets, checked against a slow-start run's figures: pass, fail, or n/a when the
 * run a target needs is missing (not selected, or it did not start).
 */
final class SlowStartTargets {
    enum Verdict { PASS, FAIL, NA }

    /** One target: what it asks, the figure measured, the verdict. */
    record Target(String name, String wanted, String measured, Verdict verdict) {}

    private SlowStartTargets() {}

    static List<Target> check(Map<String, SlowStartSummary> byVariant) {
        List<Target> targets = new ArrayList<>();
        Optional<SlowStartSummary> nice = Optional.ofNullable(byVariant.get(Variant.BATOND_NICE_19));
        Optional<SlowStartSummary> startServer = Optional.ofNullable(byVariant.get(Mode.START_SERVER.key));
        Optional<SlowStartSummary> warm = Optional.ofNullable(byVariant.get(Variant.BATOND_WARMUP));
        Optional<SlowStartSummary> overlap = Optional.ofNullable(byVariant.get(Variant.BATOND_WARMUP_MIN_READY));

        targets.add(nice.map(s -> ratio("batond --start-nice 19: reload-window p99 / steady p99", "<= 1.1",
                s.p99Ratio(), s.p99Ratio() <= 1.1)).orElse(na("batond --start-nice 19: reload-window p99 / steady p99",
                "<= 1.1", Variant.BATOND_NICE_19)));
        targets.add(nice.map(s -> percent("batond --start-nice 19: reload-window throughput / steady", ">= 95%",
                s.throughputRatio(), s.throughputRatio() >= 0.95)).orElse(na(
                "batond --start-nice 19: reload-window throughput / steady", ">= 95%", Variant.BATOND_NICE_19)));
        targets.add(nice.map(s -> new Target("batond --start-nice 19: failed requests", "0", Long.toString(s.base().failed()),
                s.base().failed() == 0 ? Verdict.PASS : Verdict.FAIL)).orElse(na("batond --start-nice 19: failed requests",
                "0", Variant.BATOND_NICE_19)));
        String worst = "start_server's worst reload-window latency / batond's (--start-nice 19)";
        if (nice.isPresent() && startServer.isPresent() && nice.get().base().reloadLatency().count() > 0
                && startServer.get().base().reloadLatency().count() > 0) {
            double batond = nice.get().base().reloadLatency().max();
            double other = startServer.get().base().reloadLatency().max();
            double factor = batond > 0 ? other / batond : Double.POSITIVE_INFINITY;
            targets.add(new Target(worst, ">= 10", String.format(Locale.ROOT, "%.1f (%s ms / %s ms)", factor, ms(other),
                    ms(batond)), factor >= 10 ? Verdict.PASS : Verdict.FAIL));
        } else if (nice.isEmpty() || startServer.isEmpty()) {
            targets.add(na(worst, ">= 10", nice.isEmpty() ? Variant.BATOND_NICE_19 : Mode.START_SERVER.key));
        } else {
            targets.add(new Target(worst, ">= 10", "no reload windows measured", Verdict.NA));
        }
        targets.add(firstSecond("batond with warm-up: first-second p99 after READY / steady p99", warm,
                Variant.BATOND_WARMUP));
        // Both generations serve in that second (the old one drains --min-ready later); the figure counts the new one.
        targets.add(firstSecond("batond with warm-up and --min-ready " + Variant.MIN_READY
                + ": first-second p99 after READY / steady p99", overlap, Variant.BATOND_WARMUP_MIN_READY));
        return targets;
    }

    private static Target firstSecond(String name, Optional<SlowStartSummary> run, String key) {
        return run.map(s -> {
            Target t = ratio(name, "<= 1.2", s.firstSecondRatio(), s.firstSecondRatio() <= 1.2);
            // The second second beside it: how far this run's p99 over a few seconds strays with no reload to blame.
            String second = Double.isNaN(s.secondSecondRatio()) || t.verdict() == Verdict.NA ? ""
                    : String.format(Locale.ROOT, " (second second: %.2f)", s.secondSecondRatio());
            String warmup = s.warmupMillis() == null ? " (no warm-up reported)" : "";
            return new Target(t.name(), t.wanted(), t.measured() + second + warmup, t.verdict());
        }).orElse(na(name, "<= 1.2", key));
    }

    private static Target ratio(String name, String wanted, double value, boolean pass) {
        return Double.isNaN(value) ? new Target(name, wanted, "no reload windows measured", Verdict.NA)
                : new Target(name, wanted, String.format(Locale.ROOT, "%.2f", value), pass ? Verdict.PASS : Verdict.FAIL);
    }

    private static Target percent(String name, String wanted, double value, boolean pass) {
        return Double.isNaN(value) ? new Target(name, wanted, "no reload windows measured", Verdict.NA)
                : new Target(name, wanted, String.format(Locale.ROOT, "%.1f%%", value * 100), pass ? Verdict.PASS : Verdict.FAIL);
    }

    private static Target na(String name, String wanted, String missing) {
        return new Target(name, wanted, "run " + missing + " missing", Verdict.NA);
    }

    static String ms(double millis) {
        return millis >= 100 ? String.format(Locale.ROOT, "%.0f", millis) : String.format(Locale.ROOT, "%.1f", millis);
    }
}
