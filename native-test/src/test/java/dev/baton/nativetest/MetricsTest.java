package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * batond's Prometheus endpoint over a reload under load: the old generation's in-flight count
 * is visible while it drains and its series goes away when it exits, the new one's served count
 * rises, and the reload, time-to-READY and drain figures are counted.
 */
class MetricsTest {
    private static final Duration EVENT = Duration.ofSeconds(30);

    @Test
    @Timeout(180)
    void reloadUnderLoadShowsInMetrics() throws Exception {
        List<String> args = new ArrayList<>(List.of("--listen", "http=127.0.0.1:0", "--metrics", "127.0.0.1:0",
                "--drain-timeout", "40s", "--"));
        args.addAll(Artifacts.helloCommand());
        try (BatondProcess batond = BatondProcess.start("MetricsTest", List.of(), args)) {
            int metrics = Integer.parseInt(batond.awaitLine(BatondLines.METRICS, BatondProcess.STARTUP).group(1));
            batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP);
            int port = batond.port();
            MetricsScrape start = MetricsScrape.of(metrics);
            assertEquals(1, start.get("baton_generation"));
            assertEquals(0, start.get("baton_reloads_total{outcome=\"succeeded\"}"));
            assertEquals(0, start.get("baton_listener_accept_queue{listener=\"http\"}"));
            assertTrue(start.get("baton_kernel_listen_overflows_total") >= 0);
            assertEquals(0, start.get("baton_log_lines_dropped_total"));

            try (LoadClient load = LoadClient.start(port, 2, 2)) {
                MetricsScrape.awaitUntil(metrics, m -> m.value("baton_generation_served{generation=\"1\"}").orElse(0) > 0, EVENT);
                // Answered 5 s after generation 1's drain began: in flight there, whatever the start took.
                try (SlowRequest slow = SlowRequest.untilDrain(port, 1, 5000)) {
                    batond.signal("USR2");
                    batond.awaitLine(BatondLines.draining(1), EVENT);
                    // Generation 1 drains with the slow request in flight ...
                    MetricsScrape.awaitUntil(metrics, m -> m.value("baton_generation_inflight{generation=\"1\"}").orElse(0) >= 1
                            && m.get("baton_generation") == 2, EVENT);
                    assertEquals(200, slow.response().get().status());
                }
                // ... then its series goes and generation 2 carries the traffic.
                batond.awaitLine(BatondLines.exited(1), EVENT);
                MetricsScrape after = MetricsScrape.awaitUntil(metrics,
                        m -> m.value("baton_generation_inflight{generation=\"1\"}").isEmpty()
                                && m.value("baton_generation_served{generation=\"2\"}").orElse(0) > 0
                                && m.get("baton_reloads_total{outcome=\"succeeded\"}") == 1
                                // The outcome and the duration are two updates: a scrape may fall between them.
                                && m.get("baton_reload_duration_seconds_count") == 1, EVENT);
                assertEquals(0, after.get("baton_reloads_total{outcome=\"failed\"}"));
                assertEquals(1, after.get("baton_reload_duration_seconds_count"));
                assertEquals(2, after.get("baton_time_to_ready_seconds_count"));
                assertEquals(1, after.get("baton_drain_duration_seconds_count"));
                assertTrue(after.get("baton_drain_duration_seconds_sum") > 0, after::toString);
                assertEquals(0, after.get("baton_child_restarts_total"));
                load.stop();
                assertEquals(0, load.report().failures(), load::toString);
            }
            batond.signal("TERM");
            assertEquals(0, batond.waitFor(EVENT));
        }
    }
}
