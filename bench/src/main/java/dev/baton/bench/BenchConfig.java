package dev.baton.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a benchmark run is shaped; the same for every run of the scenario.
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
 * @param concurrency      client threads
 * @param keepAliveThreads of those, the ones on keep-alive connections; the others open a new one per request
 * @param ratePerThread    requests a second each client thread sends at most; 0: as fast as answered
 * @param startCpuMillis   hello's CPU-heavy start (HELLO_START_CPU_MS), 0: off
 * @param startCpuThreads  on how many threads (HELLO_START_CPU_THREADS)
 * @param timeout          the longest wait for any one step (a start, a reload)
 */
record BenchConfig(Path root, Path out, Scenario scenario, List<Variant> variants, int reloads, Duration pause,
        Duration warmup, Duration idle, Duration settle, Duration clientWarmup, Duration reloadBudget, int concurrency,
        int keepAliveThreads, int ratePerThread, int startCpuMillis, int startCpuThreads, Duration timeout) {

    static BenchConfig full(Path root, Path out) {
        return new BenchConfig(root, out, Scenario.CLASSIC, Variant.classic(), 20, Duration.ofSeconds(3),
                Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ZERO, Duration.ZERO, Duration.ZERO, 4, 2, 200, 0, 0,
                Duration.ofSeconds(60));
    }

    static BenchConfig quick(Path root, Path out) {
        return full(root, out).withReloads(3).withPause(Duration.ofSeconds(1)).withWarmup(Duration.ofSeconds(1))
                .withIdle(Duration.ofSeconds(2));
    }

    /**
     * Issue 14's slow-start service: hello burning 3 s of CPU on 2 threads before it serves, 4
     * clients each opening a new connection per request, at most {@link #SLOW_START_RATE} a second
     * each, 3 reloads 3 s apart, none started after 60 s of load; 6 runs of 40 to 65 s.
     */
    /**
     * Requests a second per client in the slow-start scenario: about 40% of what hello answers on
     * 2 cores, a busy machine with room left. As fast as answered (--rate 0) the clients and the
     * serving generation take every cycle, and a start that must share them takes 30-40 s.
     */
    static final int SLOW_START_RATE = 800;
    /** Long enough for the benchmark's client to be compiled (measured: 30 s brought steady p99 to what later runs see). */
    static final Duration SLOW_START_CLIENT_WARMUP = Duration.ofSeconds(30);

    static BenchConfig slowStart(Path root, Path out) {
        return new BenchConfig(root, out, Scenario.SLOW_START, Variant.slowStart(), 3, Duration.ofSeconds(3),
                Duration.ofSeconds(3), Duration.ofSeconds(1), Duration.ofSeconds(2), SLOW_START_CLIENT_WARMUP,
                Duration.ofSeconds(60), 4, 0, SLOW_START_RATE,
                3000, 2, Duration.ofSeconds(90));
    }

    /** One reload a run, short steady stretches: about 20 s a run. */
    static BenchConfig slowStartQuick(Path root, Path out) {
        return slowStart(root, out).withReloads(1).withWarmup(Duration.ofSeconds(2)).withSettle(Duration.ofSeconds(1))
                .withClientWarmup(Duration.ZERO).withReloadBudget(Duration.ofSeconds(20));
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

    BenchConfig withVariants(List<Variant> variants) {
        return new BenchConfig(root, out, scenario, variants, reloads, pause, warmup, idle, settle, clientWarmup,
                reloadBudget, concurrency, keepAliveThreads, ratePerThread, startCpuMillis, startCpuThreads, timeout);
    }

    BenchConfig withReloads(int reloads) {
        return new BenchConfig(root, out, scenario, variants, reloads, pause, warmup, idle, settle, clientWarmup,
                reloadBudget, concurrency, keepAliveThreads, ratePerThread, startCpuMillis, startCpuThreads, timeout);
    }

    BenchConfig withPause(Duration pause) {
        return new BenchConfig(root, out, scenario, variants, reloads, pause, warmup, idle, settle, clientWarmup,
                reloadBudget, concurrency, keepAliveThreads, ratePerThread, startCpuMillis, startCpuThreads, timeout);
    }

    BenchConfig withWarmup(Duration warmup) {
        return new BenchConfig(root, out, scenario, variants, reloads, pause, warmup, idle, settle, clientWarmup,
                reloadBudget, concurrency, keepAliveThreads, ratePerThread, startCpuMillis, startCpuThreads, timeout);
    }

    BenchConfig withIdle(Duration idle) {
        return new BenchConfig(root, out, scenario, variants, reloads, pause, warmup, idle, settle, clientWarmup,
                reloadBudget, concurrency, keepAliveThreads, ratePerThread, startCpuMillis, startCpuThreads, timeout);
    }

    BenchConfig withSettle(Duration settle) {
        return new BenchConfig(root, out, scenario, variants, reloads, pause, warmup, idle, settle, clientWarmup,
                reloadBudget, concurrency, keepAliveThreads, ratePerThread, startCpuMillis, startCpuThreads, timeout);
    }

    BenchConfig withClientWarmup(Duration clientWarmup) {
        return new BenchConfig(root, out, scenario, variants, reloads, pause, warmup, idle, settle, clientWarmup,
                reloadBudget, concurrency, keepAliveThreads, ratePerThread, startCpuMillis, startCpuThreads, timeout);
    }

    /** The config of run {@code index} (from 0): only the first warms the benchmark's client up. */
    BenchConfig forRun(int index) {
        return index == 0 ? this : withClientWarmup(Duration.ZERO);
    }

    BenchConfig withReloadBudget(Duration reloadBudget) {
        return new BenchConfig(root, out, scenario, variants, reloads, pause, warmup, idle, settle, clientWarmup,
                reloadBudget, concurrency, keepAliveThreads, ratePerThread, startCpuMillis, startCpuThreads, timeout);
    }

    /** {@code concurrency} threads, keeping this scenario's share of keep-alive ones (half, or none). */
    BenchConfig withLoad(int concurrency, int ratePerThread) {
        int keepAlive = keepAliveThreads == 0 ? 0 : concurrency - concurrency / 2;
        return new BenchConfig(root, out, scenario, variants, reloads, pause, warmup, idle, settle, clientWarmup,
                reloadBudget, concurrency, keepAlive, ratePerThread, startCpuMillis, startCpuThreads, timeout);
    }

    BenchConfig withStartCpu(int millis, int threads) {
        return new BenchConfig(root, out, scenario, variants, reloads, pause, warmup, idle, settle, clientWarmup,
                reloadBudget, concurrency, keepAliveThreads, ratePerThread, millis, threads, timeout);
    }
}
