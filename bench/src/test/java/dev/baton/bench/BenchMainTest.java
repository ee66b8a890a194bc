package dev.baton.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The command line: the two scenarios' defaults and what --modes accepts in each. */
class BenchMainTest {
    @Test
    void slowStartRunsIssue14sSixRunsUnderTheSameLoad() {
        BenchConfig config = BenchMain.parse(new String[] {"--slow-start", "--root", "/r"});
        assertEquals(Scenario.SLOW_START, config.scenario());
        assertEquals(List.of("batond-nice19", "batond-nice0", "batond-warmup", "batond-warmup-minready", "start_server",
                "restart"),
                config.variants().stream().map(Variant::key).toList());
        assertEquals(4, config.concurrency());
        assertEquals(0, config.keepAliveThreads(), "every client a new connection per request");
        assertEquals(BenchConfig.SLOW_START_RATE, config.ratePerThread(), "paced: a busy machine with room left");
        assertEquals(Map.of("HELLO_START_CPU_MS", "3000", "HELLO_START_CPU_THREADS", "2"), config.serviceEnv());
        assertEquals(Path.of("/r/bench/out/slow-start"), config.out());
        Variant warm = Variant.of(config.variants(), "batond-warmup");
        assertEquals(List.of("--start-nice", "19", "--ready-timeout", "120s"), warm.batondOptions());
        assertEquals(Map.of("HELLO_WARMUP_REQUESTS", "5000", "HELLO_WARMUP_JIT_IDLE_S", "30"), warm.serviceEnv());
        Variant overlap = Variant.of(config.variants(), "batond-warmup-minready");
        assertEquals(List.of("--start-nice", "19", "--min-ready", "2s", "--ready-timeout", "120s"), overlap.batondOptions());
        assertEquals(warm.serviceEnv(), overlap.serviceEnv());
        assertEquals(List.of("--start-nice", "0"), Variant.of(config.variants(), "batond-nice0").batondOptions());

        BenchConfig quick = BenchMain.parse(new String[] {"--slow-start", "--quick", "--modes", "restart,batond-nice19",
                "--start-cpu-ms", "500", "--start-cpu-threads", "1"});
        assertEquals(1, quick.reloads());
        assertEquals(List.of("restart", "batond-nice19"), quick.variants().stream().map(Variant::key).toList());
        assertEquals(Map.of("HELLO_START_CPU_MS", "500", "HELLO_START_CPU_THREADS", "1"), quick.serviceEnv());
        assertEquals(Duration.ZERO, quick.clientWarmup(), "a quick run stays quick");

        assertEquals(Duration.ofSeconds(30), config.clientWarmup(), "the benchmark's client compiled before the first run counts");
        assertEquals(Duration.ofSeconds(30), config.forRun(0).clientWarmup());
        assertEquals(Duration.ZERO, config.forRun(1).clientWarmup(), "later runs find it compiled");
        assertEquals(config.settle(), config.forRun(1).settle());

        assertEquals(Duration.ofSeconds(60), config.reloadBudget());
        BenchConfig long5 = BenchMain.parse(new String[] {"--slow-start", "--reloads", "5", "--reload-budget-s", "0"});
        assertEquals(5, long5.reloads());
        assertTrue(long5.reloadBudget().isZero(), "no budget: every reload runs");
        assertEquals(Duration.ofSeconds(300),
                BenchMain.parse(new String[] {"--slow-start", "--reload-budget-s", "300"}).reloadBudget());
    }

    @Test
    void theClassicScenarioIsUnchanged() {
        BenchConfig config = BenchMain.parse(new String[] {"--root", "/r"});
        assertEquals(Scenario.CLASSIC, config.scenario());
        assertEquals(List.of(Mode.BATOND, Mode.START_SERVER, Mode.RESTART), config.variants().stream().map(Variant::mode).toList());
        assertEquals(2, config.keepAliveThreads());
        assertEquals(200, config.ratePerThread());
        assertEquals(Map.of(), config.serviceEnv());
        assertEquals(Path.of("/r/bench/out"), config.out());
        assertEquals(Duration.ZERO, config.clientWarmup());
    }

    /** Each scenario's figures, field by field (the builder names them; a swapped duration shows here). */
    @Test
    void eachScenarioHasItsDefaults() {
        BenchConfig full = BenchMain.parse(new String[] {});
        assertEquals(List.of(20, 4, 2, 200, 0, 0), List.of(full.reloads(), full.concurrency(), full.keepAliveThreads(),
                full.ratePerThread(), full.startCpuMillis(), full.startCpuThreads()));
        assertEquals(List.of(secs(3), secs(5), secs(15), secs(0), secs(0), secs(0), secs(60)), durations(full));
        BenchConfig quick = BenchMain.parse(new String[] {"--quick"});
        assertEquals(3, quick.reloads());
        assertEquals(List.of(secs(1), secs(1), secs(2), secs(0), secs(0), secs(0), secs(60)), durations(quick));

        BenchConfig slow = BenchMain.parse(new String[] {"--slow-start"});
        assertEquals(List.of(3, 4, 0, BenchConfig.SLOW_START_RATE, 3000, 2), List.of(slow.reloads(), slow.concurrency(),
                slow.keepAliveThreads(), slow.ratePerThread(), slow.startCpuMillis(), slow.startCpuThreads()));
        assertEquals(List.of(secs(3), secs(3), secs(1), secs(2), secs(30), secs(60), secs(90)), durations(slow));
        BenchConfig slowQuick = BenchMain.parse(new String[] {"--slow-start", "--quick"});
        assertEquals(1, slowQuick.reloads());
        assertEquals(List.of(secs(3), secs(2), secs(1), secs(1), secs(0), secs(20), secs(90)), durations(slowQuick));
        assertEquals(slow.toBuilder().build(), slow, "a config survives the round trip through its builder");
    }

    @Test
    void moreClientsKeepTheScenariosShareOfKeepAlive() {
        BenchConfig classic = BenchMain.parse(new String[] {"--concurrency", "5", "--rate", "0"});
        assertEquals(List.of(5, 3, 0), List.of(classic.concurrency(), classic.keepAliveThreads(), classic.ratePerThread()));
        BenchConfig slow = BenchMain.parse(new String[] {"--slow-start", "--concurrency", "6"});
        assertEquals(List.of(6, 0), List.of(slow.concurrency(), slow.keepAliveThreads()), "slow-start: all new connections");
    }

    private static Duration secs(int seconds) {
        return Duration.ofSeconds(seconds);
    }

    /** pause, warmup, idle, settle, clientWarmup, reloadBudget, timeout. */
    private static List<Duration> durations(BenchConfig config) {
        return List.of(config.pause(), config.warmup(), config.idle(), config.settle(), config.clientWarmup(),
                config.reloadBudget(), config.timeout());
    }

    @Test
    void badArgumentsSayWhich() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BenchMain.parse(new String[] {"--modes", "batond-nice19"}));
        assertTrue(e.getMessage().startsWith("unknown run 'batond-nice19': use batond, start_server, restart"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BenchMain.parse(new String[] {"--slow-start", "--rate", "-1"}));
        assertEquals("--rate wants a whole number, 0 or more, not '-1'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BenchMain.parse(new String[] {"--slow-start", "--start-cpu-ms"}));
        assertEquals("--start-cpu-ms needs a value", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BenchMain.parse(new String[] {"--slow-start", "--reload-budget-s", "1m"}));
        assertEquals("--reload-budget-s wants a whole number, 0 or more, not '1m'", e.getMessage());
    }
}
