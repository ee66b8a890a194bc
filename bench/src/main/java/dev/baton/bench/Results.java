package dev.baton.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** results.json: the machine, the configuration, and per mode the figures and every reload's timeline. */
final class Results {
    private Results() {}

    static Map<String, Object> json(Machine machine, BenchConfig config, List<RunResult> runs) {
        return json(machine, config, runs, Map.of());
    }

    /** {@code skipped}: runs that did not start, by key, with the reason. */
    static Map<String, Object> json(Machine machine, BenchConfig config, List<RunResult> runs, Map<String, String> skipped) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("scenario", config.scenario().key);
        json.put("machine", machine.json());
        Map<String, Object> load = new LinkedHashMap<>();
        load.put("concurrency", config.concurrency());
        load.put("newConnectionThreads", config.concurrency() - config.keepAliveThreads());
        load.put("keepAliveThreads", config.keepAliveThreads());
        load.put("ratePerThread", config.ratePerThread());
        load.put("connectTimeoutMs", LoadGenerator.CONNECT_TIMEOUT.toMillis());
        load.put("readTimeoutMs", LoadGenerator.READ_TIMEOUT.toMillis());
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("reloadsPerRun", config.reloads());
        setup.put("pauseBetweenReloadsMs", config.pause().toMillis());
        setup.put("warmupMs", config.warmup().toMillis());
        setup.put("idleWindowMs", config.idle().toMillis());
        setup.put("settleMs", config.settle().toMillis());
        setup.put("clientWarmupMs", config.clientWarmup().toMillis()); // the first run's only
        setup.put("reloadBudgetMs", config.reloadBudget().toMillis());
        setup.put("serviceEnv", config.serviceEnv());
        setup.put("load", load);
        json.put("config", setup);
        List<Object> list = new ArrayList<>();
        Map<String, SlowStartSummary> slow = new LinkedHashMap<>();
        for (RunResult run : runs) {
            Map<String, Object> one = run(run, RunSummary.of(run));
            if (config.scenario() == Scenario.SLOW_START) {
                SlowStartSummary summary = SlowStartSummary.of(run);
                slow.put(run.variant().key(), summary);
                one.put("slowStart", slowStart(summary));
            }
            list.add(one);
        }
        json.put("runs", list);
        json.put("skipped", new LinkedHashMap<>(skipped));
        if (config.scenario() == Scenario.SLOW_START) {
            List<Object> targets = new ArrayList<>();
            for (SlowStartTargets.Target t : SlowStartTargets.check(slow)) {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("target", t.name());
                one.put("wanted", t.wanted());
                one.put("measured", t.measured());
                one.put("verdict", SlowStartTable.verdict(t.verdict()).toLowerCase());
                targets.add(one);
            }
            json.put("targets", targets);
        }
        return json;
    }

    private static Map<String, Object> slowStart(SlowStartSummary s) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("reloadP99OverSteadyP99", s.p99Ratio());
        json.put("reloadWindowRequestsPerSecond", round(s.windowThroughput()));
        json.put("steadyRequestsPerSecond", round(s.steadyThroughput()));
        json.put("reloadOverSteadyThroughput", s.throughputRatio());
        json.put("timeToReadyMs", s.toReadyMillis());
        json.put("startMs", s.startMillis());
        json.put("warmupMs", s.warmupMillis());
        json.put("firstSecondAfterReady", percentiles(s.firstSecond()));
        json.put("firstSecondP99OverSteadyP99", s.firstSecondRatio());
        json.put("secondSecondAfterReady", percentiles(s.secondSecond()));
        json.put("secondSecondP99OverSteadyP99", s.secondSecondRatio());
        return json;
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }

    private static Map<String, Object> run(RunResult run, RunSummary summary) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("mode", run.variant().key());
        json.put("label", run.variant().label());
        json.put("batondOptions", run.variant().batondOptions());
        json.put("serviceEnv", run.variant().serviceEnv());
        json.put("durationMs", run.durationNanos() / 1_000_000);
        json.put("reloads", summary.reloadCount());
        json.put("reloadFailure", run.reloadFailure());
        Map<String, Object> requests = new LinkedHashMap<>();
        requests.put("total", summary.requests());
        requests.put("ok", summary.ok());
        requests.put("failed", summary.failed());
        requests.put("keepAliveRetries", summary.retries());
        json.put("requests", requests);
        Map<String, Object> failures = new LinkedHashMap<>();
        summary.failures().forEach((outcome, count) -> failures.put(outcome.key, count));
        json.put("failures", failures);
        Map<String, Object> latency = new LinkedHashMap<>();
        latency.put("steady", percentiles(summary.steadyLatency()));
        latency.put("reloadWindows", percentiles(summary.reloadLatency()));
        json.put("latencyMs", latency);
        Map<String, Object> reloadMs = new LinkedHashMap<>();
        reloadMs.put("signalToNewReady", percentiles(summary.signalToReady()));
        reloadMs.put("signalToOldExited", percentiles(summary.signalToOldExited()));
        json.put("reloadMs", reloadMs);
        if (summary.batondSpawn() != null) {
            Map<String, Object> overhead = new LinkedHashMap<>();
            overhead.put("signalToChildSpawned", percentiles(summary.batondSpawn()));
            overhead.put("readyToDrainSignal", percentiles(summary.batondDrain()));
            json.put("batondOverheadMs", overhead);
        } else {
            json.put("batondOverheadMs", null);
        }
        json.put("supervisor", run.supervisor().map(Results::supervisor).orElse(null));
        List<Object> timeline = new ArrayList<>();
        for (Reload reload : run.reloads()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("signalMs", millis(reload.signal()));
            one.put("newReadyMs", millis(reload.ready()));
            one.put("oldExitedMs", millis(reload.oldExited()));
            one.put("generation", reload.generation());
            one.put("spawnedToReadyMs", reload.batondSpawnToReadyNanos() == null ? null
                    : millis(reload.batondSpawnToReadyNanos()));
            one.put("warmupMs", reload.warmupMillis());
            timeline.add(one);
        }
        json.put("reloadTimeline", timeline);
        return json;
    }

    private static Map<String, Object> supervisor(RunResult.SupervisorFigures figures) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("pid", figures.pid());
        json.put("idle", memory(figures.idle()));
        json.put("afterReloads", memory(figures.afterReloads()));
        json.put("idleCpuMs", figures.idleCpuMillis());
        json.put("idleWindowMs", figures.idleWindowMillis());
        json.put("idleCpuPercent", figures.idleWindowMillis() == 0 ? 0.0
                : Math.round(figures.idleCpuMillis() * 10000.0 / figures.idleWindowMillis()) / 100.0);
        return json;
    }

    private static Map<String, Object> memory(ProcStats.Memory memory) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("rssKb", memory.rssKb());
        json.put("rssAnonKb", memory.anonKb());
        json.put("rssFileKb", memory.fileKb());
        json.put("threads", memory.threads());
        json.put("fds", memory.fds());
        return json;
    }

    private static Map<String, Object> percentiles(Percentiles p) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("count", p.count());
        json.put("p50", p.p50());
        json.put("p99", p.p99());
        json.put("max", p.max());
        return json;
    }

    private static double millis(long nanos) {
        return Math.round(nanos / 1000.0) / 1000.0;
    }
}
