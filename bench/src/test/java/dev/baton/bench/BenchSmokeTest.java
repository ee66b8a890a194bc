package dev.baton.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the benchmark from rotting: a short run of each mode (real batond, start_server and
 * restarts, real load) must produce results.json with sane fields and the chart. It asserts that
 * the pipeline works, never how fast anything is: the figures belong to bench/run.
 */
class BenchSmokeTest {
    static final Path ROOT = Path.of(System.getProperty("baton.root", "..")).toAbsolutePath().normalize();

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS) // each step also has its own 60 s limit; teardown is TERM, then KILL
    void aShortRunOfEachModeWritesResultsAndChart(@TempDir Path out) throws Exception {
        BenchConfig config = BenchConfig.quick(ROOT, out)
                .reloads(2)
                .pause(Duration.ofMillis(300))
                .warmup(Duration.ofMillis(500))
                .idle(Duration.ofMillis(300))
                .concurrency(2)
                .ratePerThread(50)
                .build();

        List<RunResult> runs = BenchMain.run(config);

        assertEquals(List.of(Mode.BATOND, Mode.START_SERVER, Mode.RESTART), runs.stream().map(RunResult::mode).toList());
        for (RunResult run : runs) {
            RunSummary summary = RunSummary.of(run);
            String mode = run.mode().key;
            assertEquals(2, summary.reloadCount(), mode);
            assertTrue(summary.requests() > 0 && summary.ok() > 0, mode + ": no request answered: " + summary);
            assertEquals(summary.requests(), summary.ok() + summary.failed(), mode);
            assertTrue(summary.steadyLatency().count() > 0, mode + ": no steady-state latency");
            for (Reload reload : run.reloads()) {
                assertTrue(reload.signal() > 0 && reload.ready() > reload.signal() && reload.oldExited() > reload.signal(),
                        mode + ": reload timeline out of order: " + reload);
            }
            assertEquals(run.mode() == Mode.BATOND, summary.batondSpawn() != null, mode + ": batond overhead");
            // hello says which generation answered: batond's 1, 2, 3 (each serves a while), elsewhere always 0.
            assertEquals(run.mode() == Mode.BATOND ? Set.of(1, 2, 3) : Set.of(0), answeredBy(run.requests()), mode);
            if (run.mode() == Mode.BATOND) {
                assertEquals(List.of(2, 3), run.reloads().stream().map(Reload::generation).toList(), mode);
            }
            assertEquals(run.mode() != Mode.RESTART, run.supervisor().isPresent(), mode + ": supervisor figures");
            run.supervisor().ifPresent(s -> {
                assertTrue(s.idle().rssKb() > 0 && s.afterReloads().rssKb() > 0, mode + ": RSS " + s);
                assertTrue(s.idle().fds() > 0 && s.afterReloads().fds() > 0, mode + ": fds " + s);
                assertTrue(s.idleCpuMillis() >= 0, mode + ": CPU " + s);
            });
        }
        RunSummary batond = RunSummary.of(runs.get(0));
        assertTrue(batond.batondSpawn().count() == 2 && batond.batondDrain().count() == 2, batond.toString());

        String json = Files.readString(out.resolve("results.json"));
        for (String key : List.of("\"machine\"", "\"runs\"", "\"mode\": \"batond\"", "\"mode\": \"start_server\"",
                "\"mode\": \"restart\"", "\"refused\"", "\"reset\"", "\"timeout\"", "\"non200\"", "\"steady\"",
                "\"reloadWindows\"", "\"signalToNewReady\"", "\"signalToOldExited\"", "\"signalToChildSpawned\"",
                "\"readyToDrainSignal\"", "\"rssKb\"", "\"fds\"", "\"idleCpuMs\"", "\"reloadTimeline\"",
                "\"newConnectionThreads\": 1", "\"keepAliveThreads\": 1")) {
            assertTrue(json.contains(key), "results.json lacks " + key + ":\n" + json);
        }
        BufferedImage chart = ImageIO.read(out.resolve("latency.png").toFile());
        assertNotNull(chart, "latency.png is not a readable PNG");
        assertEquals(LatencyChart.WIDTH, chart.getWidth());
        assertTrue(chart.getHeight() >= 3 * LatencyChart.PANEL_HEIGHT, "one panel per mode");
        assertTrue(Files.readString(out.resolve("table.md")).contains("| failed: refused |"));
        assertTrue(Files.readString(out.resolve("processes.log")).contains("reload requested (SIGUSR2)"));
    }

    /** The generations that answered a 200. */
    private static Set<Integer> answeredBy(RequestLog log) {
        Set<Integer> generations = new TreeSet<>();
        for (int i = 0; i < log.size(); i++) {
            if (log.outcome(i) == Outcome.OK) {
                generations.add(log.generation(i));
            }
        }
        return generations;
    }

    /**
     * The slow-start scenario's pipeline on a plain restart with a short CPU-heavy start, a batond
     * run whose service warms up before READY (its warm-up, asked of batond once the load is off,
     * is in every reload's figures), and a batond run whose batond refuses an option: that run is
     * left out with batond's one line, the others still run, and the table and results.json say so
     * next to the targets.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aSlowStartRunLeavesOutARunThatDoesNotStart(@TempDir Path out) throws Exception {
        Variant refused = new Variant("batond-refused", "batond, --no-such-option", Mode.BATOND,
                List.of("--no-such-option"), Map.of());
        Variant warm = new Variant("batond-warm", "batond, 200 warm-up requests", Mode.BATOND, List.of(),
                Map.of(Variant.WARMUP_REQUESTS_VARIABLE, "200"));
        BenchConfig config = BenchConfig.slowStartQuick(ROOT, out)
                .variants(List.of(refused, warm, Variant.of(Variant.slowStart(), Mode.RESTART.key)))
                .startCpuMillis(300)
                .startCpuThreads(1)
                .pause(Duration.ofMillis(300))
                .warmup(Duration.ofMillis(500))
                .settle(Duration.ofMillis(300))
                .idle(Duration.ofMillis(100))
                .build();

        List<RunResult> runs = BenchMain.run(config);

        assertEquals(List.of("batond-warm", "restart"), runs.stream().map(r -> r.variant().key()).toList());
        assertEquals(1, runs.get(0).reloads().size());
        for (Reload reload : runs.get(0).reloads()) {
            assertTrue(reload.warmupMillis() != null && reload.warmupMillis() >= 0, "warm-up not reported: " + reload);
        }
        RunResult restart = runs.get(1);
        assertEquals(1, restart.reloads().size());
        assertTrue(Files.readString(out.resolve("processes.log")).contains("start burned 300 ms of CPU on 1 threads"),
                "hello did not get HELLO_START_CPU_MS");
        SlowStartSummary summary = SlowStartSummary.of(restart);
        assertTrue(summary.steadyThroughput() > 0 && summary.base().steadyLatency().count() > 0, summary.toString());
        assertEquals(null, summary.toReadyMillis(), "time to READY is batond's");

        String table = Files.readString(out.resolve("table.md"));
        assertTrue(table.contains("| batond, --no-such-option | did not run: batond exited with code 2: "), table);
        assertTrue(table.contains("| batond --start-nice 19: failed requests | 0 | run batond-nice19 missing | n/a |"), table);
        String json = Files.readString(out.resolve("results.json"));
        for (String key : List.of("\"scenario\": \"slow-start\"", "\"skipped\"", "\"batond-refused\"", "\"slowStart\"",
                "\"reloadWindowRequestsPerSecond\"", "\"firstSecondAfterReady\"", "\"targets\"", "\"HELLO_START_CPU_MS\"",
                "\"newConnectionThreads\": 4", "\"keepAliveThreads\": 0")) {
            assertTrue(json.contains(key), "results.json lacks " + key + ":\n" + json);
        }
        assertTrue(Pattern.compile("\"warmupMs\": \\d").matcher(json).find(), "no warm-up in results.json:\n" + json);
        assertNotNull(ImageIO.read(out.resolve("latency.png").toFile()));
    }
}
