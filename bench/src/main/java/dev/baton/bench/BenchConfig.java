package dev.baton.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a benchmark run is shaped; the same for every run of the scenario. Made with a {@link
 * Builder}: a scenario's defaults ({@link #full}, {@link #slowStart} and their quick forms), then
 * bench/run's options on top, each by name.
 *
 * @param variants         the runs, in order
 * @param reloads          reloads per run, at most
 * @param pause            steady load between the end of one reload and the next signal
 * @param warmup           steady load before the first reload (and after the last)
 * @param idle             no load: the window in which the supervisor's idle CPU and memory are measured
 * @param settle           load before {@code warmup} that no figure counts (the clients' and the
 *                         first generation's JIT); failures in it still count
 * @param clientWarmup     load before the first run's {@code settle}, counted for nothing: the benchmark's own
 *                         client is compiled by then (with only {@code settle} the first run's steady p99 was
 *                         1.6-2.4 ms in the slow-start scenario, 1.2 ms after 30 s)
 * @param reloadBudget     no reload starts once the load has run this long (zero: no limit): bounds a
 *                         run whose reloads are slow
 * @param concurrency      client threads; which of them keep connections alive: {@link #keepAliveThreads}
 * @param ratePerThread    requests a second each client thread sends at most; 0: as fast as answered
 * @param startCpuMillis   hello's CPU-heavy start (HELLO_START_CPU_MS), 0: off
 * @param startCpuThreads  on how many threads (HELLO_START_CPU_THREADS)
 * @param timeout          the longest wait for any one step (a start, a reload)
 */
record BenchConfig(Path root, Path out, Scenario scenario, List<Variant> variants, int reloads, Duration pause,
        Duration warmup, Duration idle, Duration settle, Duration clientWarmup, Duration reloadBudget, int concurrency,
        int ratePerThread, int startCpuMillis, int startCpuThreads, Duration timeout) {

    /**
     * Requests a second per client in the slow-start scenario: about 40% of what hello answers on
     * 2 cores, a busy machine with room left. As fast as answered (--rate 0) the clients and the
     * serving generation take every cycle, and a start that must share them takes 30-40 s.
     */
    static final int SLOW_START_RATE = 800;
    /** Long enough for the benchmark's client to be compiled (measured: 30 s brought steady p99 to what later runs see). */
    static final Duration SLOW_START_CLIENT_WARMUP = Duration.ofSeconds(30);

    /** The three supervisors on hello as it is: 20 reloads 3 s apart, 4 clients at 200 a second each. */
    static Builder full(Path root, Path out) {
        return new Builder(root, out, Scenario.CLASSIC, Variant.classic()).reloads(20).pause(Duration.ofSeconds(3))
                .warmup(Duration.ofSeconds(5)).idle(Duration.ofSeconds(15)).concurrency(4).ratePerThread(200)
                .timeout(Duration.ofSeconds(60));
    }

    static Builder quick(Path root, Path out) {
        return full(root, out).reloads(3).pause(Duration.ofSeconds(1)).warmup(Duration.ofSeconds(1))
                .idle(Duration.ofSeconds(2));
    }

    /**
     * Issue 14's slow-start service: hello burning 3 s of CPU on 2 threads before it serves, 4
     * clients each opening a new connection per request, at most {@link #SLOW_START_RATE} a second
     * each, 3 reloads 3 s apart, none started after 60 s of load; 6 runs of 40 to 65 s.
     */
    static Builder slowStart(Path root, Path out) {
        return new Builder(root, out, Scenario.SLOW_START, Variant.slowStart()).reloads(3).pause(Duration.ofSeconds(3))
                .warmup(Duration.ofSeconds(3)).idle(Duration.ofSeconds(1)).settle(Duration.ofSeconds(2))
                .clientWarmup(SLOW_START_CLIENT_WARMUP).reloadBudget(Duration.ofSeconds(60)).concurrency(4)
                .ratePerThread(SLOW_START_RATE).startCpuMillis(3000).startCpuThreads(2).timeout(Duration.ofSeconds(90));
    }

    /** One reload a run, short steady stretches: about 20 s a run. */
    static Builder slowStartQuick(Path root, Path out) {
        return slowStart(root, out).reloads(1).warmup(Duration.ofSeconds(2)).settle(Duration.ofSeconds(1))
                .clientWarmup(Duration.ZERO).reloadBudget(Duration.ofSeconds(20));
    }

    /**
     * Of the {@code concurrency} clients, the ones on keep-alive connections; the others open a new
     * one per request. Half in the classic scenario, none in the slow-start one.
     */
    int keepAliveThreads() {
        return scenario == Scenario.CLASSIC ? concurrency - concurrency / 2 : 0;
    }

    /** The environment every run's service gets (each variant may add to it). */
    Map<String, String> serviceEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        if (startCpuMillis > 0) {
            env.put("HELLO_START_CPU_MS", Integer.toString(startCpuMillis));
            env.put("HELLO_START_CPU_THREADS", Integer.toString(startCpuThreads));
        }
        return env;
    }

    /** The config of run {@code index} (from 0): only the first warms the benchmark's client up. */
    BenchConfig forRun(int index) {
        return index == 0 ? this : toBuilder().clientWarmup(Duration.ZERO).build();
    }

    Builder toBuilder() {
        return new Builder(root, out, scenario, variants).reloads(reloads).pause(pause).warmup(warmup).idle(idle)
                .settle(settle).clientWarmup(clientWarmup).reloadBudget(reloadBudget).concurrency(concurrency)
                .ratePerThread(ratePerThread).startCpuMillis(startCpuMillis).startCpuThreads(startCpuThreads)
                .timeout(timeout);
    }

    /**
     * A {@link BenchConfig} field by field, by name: the record has six durations in a row, which a
     * positional call could swap unnoticed. Unset durations and counts are zero, except the timeout.
     */
    static final class Builder {
        private final Path root;
        private final Path out;
        private final Scenario scenario;
        private List<Variant> variants;
        private int reloads;
        private Duration pause = Duration.ZERO;
        private Duration warmup = Duration.ZERO;
        private Duration idle = Duration.ZERO;
        private Duration settle = Duration.ZERO;
        private Duration clientWarmup = Duration.ZERO;
        private Duration reloadBudget = Duration.ZERO;
        private int concurrency;
        private int ratePerThread;
        private int startCpuMillis;
        private int startCpuThreads;
        private Duration timeout = Duration.ofSeconds(60);

        Builder(Path root, Path out, Scenario scenario, List<Variant> variants) {
            this.root = Objects.requireNonNull(root);
            this.out = Objects.requireNonNull(out);
            this.scenario = Objects.requireNonNull(scenario);
            this.variants = List.copyOf(variants);
        }

        /** The runs so far: the scenario's, until {@link #variants(List)} picks some. */
        List<Variant> variants() {
            return variants;
        }

        Builder variants(List<Variant> variants) {
            this.variants = List.copyOf(variants);
            return this;
        }

        Builder reloads(int reloads) {
            this.reloads = reloads;
            return this;
        }

        Builder pause(Duration pause) {
            this.pause = Objects.requireNonNull(pause);
            return this;
        }

        Builder warmup(Duration warmup) {
            this.warmup = Objects.requireNonNull(warmup);
            return this;
        }

        Builder idle(Duration idle) {
            this.idle = Objects.requireNonNull(idle);
            return this;
        }

        Builder settle(Duration settle) {
            this.settle = Objects.requireNonNull(settle);
            return this;
        }

        Builder clientWarmup(Duration clientWarmup) {
            this.clientWarmup = Objects.requireNonNull(clientWarmup);
            return this;
        }

        Builder reloadBudget(Duration reloadBudget) {
            this.reloadBudget = Objects.requireNonNull(reloadBudget);
            return this;
        }

        Builder concurrency(int concurrency) {
            this.concurrency = concurrency;
            return this;
        }

        Builder ratePerThread(int ratePerThread) {
            this.ratePerThread = ratePerThread;
            return this;
        }

        Builder startCpuMillis(int startCpuMillis) {
            this.startCpuMillis = startCpuMillis;
            return this;
        }

        Builder startCpuThreads(int startCpuThreads) {
            this.startCpuThreads = startCpuThreads;
            return this;
        }

        Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout);
            return this;
        }

        BenchConfig build() {
            return new BenchConfig(root, out, scenario, variants, reloads, pause, warmup, idle, settle, clientWarmup,
                    reloadBudget, concurrency, ratePerThread, startCpuMillis, startCpuThreads, timeout);
        }
    }
}
