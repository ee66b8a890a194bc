package dev.baton.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How a benchmark run is shaped; the same for every mode.
 *
 * @param reloads       reloads per mode
 * @param pause         steady load between the end of one reload and the next signal
 * @param warmup        steady load before the first reload (and after the last)
 * @param idle          no load: the window in which the supervisor's idle CPU and memory are measured
 * @param concurrency   client threads, half new-connection, half keep-alive
 * @param ratePerThread requests a second each client thread sends at most
 * @param timeout       the longest wait for any one step (a start, a reload)
 */
record BenchConfig(Path root, Path out, List<Mode> modes, int reloads, Duration pause, Duration warmup,
        Duration idle, int concurrency, int ratePerThread, Duration timeout) {

    static BenchConfig full(Path root, Path out) {
        return new BenchConfig(root, out, List.of(Mode.values()), 20, Duration.ofSeconds(3), Duration.ofSeconds(5),
                Duration.ofSeconds(15), 4, 200, Duration.ofSeconds(60));
    }

    static BenchConfig quick(Path root, Path out) {
        return new BenchConfig(root, out, List.of(Mode.values()), 3, Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(2), 4, 200, Duration.ofSeconds(60));
    }

    BenchConfig withModes(List<Mode> modes) {
        return new BenchConfig(root, out, modes, reloads, pause, warmup, idle, concurrency, ratePerThread, timeout);
    }

    BenchConfig withReloads(int reloads) {
        return new BenchConfig(root, out, modes, reloads, pause, warmup, idle, concurrency, ratePerThread, timeout);
    }

    BenchConfig withPause(Duration pause) {
        return new BenchConfig(root, out, modes, reloads, pause, warmup, idle, concurrency, ratePerThread, timeout);
    }

    BenchConfig withWarmup(Duration warmup) {
        return new BenchConfig(root, out, modes, reloads, pause, warmup, idle, concurrency, ratePerThread, timeout);
    }

    BenchConfig withIdle(Duration idle) {
        return new BenchConfig(root, out, modes, reloads, pause, warmup, idle, concurrency, ratePerThread, timeout);
    }

    BenchConfig withLoad(int concurrency, int ratePerThread) {
        return new BenchConfig(root, out, modes, reloads, pause, warmup, idle, concurrency, ratePerThread, timeout);
    }
}
