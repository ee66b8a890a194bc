package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * hello with {@code HELLO_WARMUP_REQUESTS=50} under a real batond: each generation warms up before
 * READY, and batonctl status (JSON and text), the reload evidence, the log and the metrics show
 * its time to READY split into start and warm-up.
 */
class WarmUpBeforeReadyTest {
    private static final Duration EVENT = Duration.ofSeconds(60);
    /** hello's count of warm-up rounds: the calls that child-api's warm-up step reports. */
    private static final Pattern WARM_UP_ROUNDS = Pattern.compile("hello warm-up: (\\d+) round\\(s\\) of \\d+ requests");

    @Test
    @Timeout(240)
    void theWarmUpIsReportedInStatusEvidenceAndMetrics() throws Exception {
        List<String> args = new ArrayList<>(List.of("--listen", "http=127.0.0.1:0", "--metrics", "127.0.0.1:0",
                "--ready-timeout", "60s", "--drain-timeout", "20s", "--"));
        args.addAll(Artifacts.helloCommand());
        ProcessBuilder command = BatondLauncher.batond(List.of(), args);
        command.environment().put("HELLO_WARMUP_REQUESTS", "50");
        try (BatondProcess batond = BatondProcess.start("WarmUpBeforeReadyTest", command)) {
            Path control = Path.of(batond.awaitLine(BatondLines.STARTED, BatondProcess.STARTUP).group(3));
            int metrics = Integer.parseInt(batond.awaitLine(BatondLines.METRICS, BatondProcess.STARTUP).group(1));
            // 50 requests in rounds of one keep-alive and one closing request per event loop.
            long rounds = Long.parseLong(batond.awaitLine(WARM_UP_ROUNDS, BatondProcess.STARTUP).group(1));
            assertTrue(rounds >= 1 && rounds <= 25, "rounds: " + rounds);
            batond.awaitLine(Pattern.compile("baton: warmed up in \\d+\\.\\d s \\(" + rounds + " calls\\)"), BatondProcess.STARTUP);
            Matcher ready = batond.awaitLine(Pattern.compile(
                    "gen=1 pid=\\d+ ready in (\\d+)(ms|s) \\(start \\d+m?s, warm-up (\\d+)ms\\)"), BatondProcess.STARTUP);
            assertTrue(Long.parseLong(ready.group(3)) > 0, ready.group());

            Map<String, Object> status = BatonctlCommand.run(control, "status", "--json").json();
            Map<?, ?> gen1 = (Map<?, ?>) ((List<?>) status.get("generations")).get(0);
            long warmup = ((Number) gen1.get("warmup_ms")).longValue();
            long start = ((Number) gen1.get("start_ms")).longValue();
            assertTrue(warmup > 0, status::toString);
            assertTrue(start > 0, status::toString);
            assertEquals(((Number) gen1.get("ready_ms")).longValue(), start + warmup, status::toString);

            BatonctlCommand.Result text = BatonctlCommand.run(control, "status");
            assertTrue(text.stdout().matches("(?s).*\\n  1 +\\d+ +serving .*? \\d+\\.\\d\\ds +\\d+\\.\\d\\ds .*"), text::toString);

            MetricsScrape scrape = MetricsScrape.of(metrics);
            assertTrue(scrape.get("baton_last_ready_warmup_seconds") > 0, scrape::toString);
            assertTrue(scrape.get("baton_last_ready_start_seconds") > 0, scrape::toString);
            assertEquals(warmup / 1000.0, scrape.get("baton_last_ready_warmup_seconds"), 0.0005, scrape::toString);

            // A reload: the new generation warms up too, and the evidence says so.
            Map<String, Object> reload = BatonctlCommand.run(control, "reload", "--wait", "--json").json();
            assertEquals("succeeded", reload.get("outcome"), reload::toString);
            Map<?, ?> fresh = (Map<?, ?>) reload.get("new");
            assertTrue(((Number) fresh.get("warmup_ms")).longValue() > 0, reload::toString);
            assertTrue(((Number) fresh.get("start_ms")).longValue() > 0, reload::toString);
            MetricsScrape after = MetricsScrape.awaitUntil(metrics, m -> m.get("baton_generation") == 2, EVENT);
            assertEquals(((Number) fresh.get("warmup_ms")).longValue() / 1000.0,
                    after.get("baton_last_ready_warmup_seconds"), 0.0005, after::toString);

            batond.signal("TERM");
            assertEquals(0, batond.waitFor(EVENT));
        }
    }

    @Test
    @Timeout(240)
    void aWarmUpUntilTheJitIsIdleRunsAfterTheRequestsAndBeforeReady() throws Exception {
        List<String> args = new ArrayList<>(List.of("--listen", "http=127.0.0.1:0", "--ready-timeout", "90s", "--"));
        args.addAll(Artifacts.helloCommand());
        ProcessBuilder command = BatondLauncher.batond(List.of(), args);
        command.environment().put("HELLO_WARMUP_REQUESTS", "200");
        command.environment().put("HELLO_WARMUP_JIT_IDLE_S", "30");
        try (BatondProcess batond = BatondProcess.start("WarmUpBeforeReadyTest-jit", command)) {
            Path control = Path.of(batond.awaitLine(BatondLines.STARTED, BatondProcess.STARTUP).group(3));
            // Idle (2,048 quiet calls at least), or at its 30 s limit: either way in one line, before READY.
            long rounds = Long.parseLong(batond.awaitLine(WARM_UP_ROUNDS, BatondProcess.STARTUP).group(1));
            Matcher jit = batond.awaitLine(Pattern.compile(
                    "baton: JIT (idle|still compiling) after \\d+\\.\\d s \\((\\d+) calls\\)"), Duration.ofSeconds(90));
            long untilIdle = Long.parseLong(jit.group(2));
            assertTrue(jit.group(1).equals("still compiling") || untilIdle >= 2048, jit.group());
            batond.awaitLine(Pattern.compile("baton: warmed up in \\d+\\.\\d s \\(" + (rounds + untilIdle) + " calls\\)"),
                    BatondProcess.STARTUP);
            batond.awaitLine(Pattern.compile("gen=1 pid=\\d+ ready in "), BatondProcess.STARTUP);
            Map<String, Object> status = BatonctlCommand.run(control, "status", "--json").json();
            Map<?, ?> gen1 = (Map<?, ?>) ((List<?>) status.get("generations")).get(0);
            assertEquals("serving", gen1.get("state"), status::toString);
            assertTrue(((Number) gen1.get("warmup_ms")).longValue() > 0, status::toString);

            batond.signal("TERM");
            assertEquals(0, batond.waitFor(EVENT));
        }
    }
}
