package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * examples/jetty (Jetty 12 on the listener baton hands it) under batond: 10 reloads in a row while
 * clients hammer the port, not one request may fail; a slow request in flight on generation 1
 * when the first reload starts is answered by generation 1 before it exits; every old generation
 * drains, says what it served and exits 0.
 */
class JettyReloadUnderLoadTest {
    private static final int RELOADS = 10;
    private static final Duration RELOAD = Duration.ofSeconds(60);
    private static final Duration OLD_EXIT = Duration.ofSeconds(40);
    private static final Duration SEEN = Duration.ofSeconds(10);
    /** How long after generation 1's drain began its slow request is answered. */
    private static final int SLOW_MS = 2000;
    private static final Pattern SERVER_CLOSED = Pattern.compile("jetty server closed served=(\\d+)");

    @Test
    @Timeout(180)
    void tenReloadsUnderLoadLoseNoRequest() throws Exception {
        try (BatondProcess batond = BatondProcess.startWith("JettyReloadUnderLoadTest", Artifacts.jettyCommand())) {
            batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP);
            batond.awaitLine("jetty serving generation=1 pid=\\d+ on 127\\.0\\.0\\.1:" + batond.port(), SEEN);
            try (LoadClient load = LoadClient.start(batond.port(), 2, 2);
                    SlowRequest slow = SlowRequest.untilDrain(batond.port(), 1, SLOW_MS)) {
                assertTrue(load.awaitGeneration(1, SEEN), () -> "no answer from gen=1: " + load.report());
                // Looked at on the reading thread the moment the answer arrives, not later.
                CompletableFuture<List<String>> linesAtAnswer = slow.response().thenApply(answer -> batond.output().lines());

                for (int generation = 2; generation <= RELOADS + 1; generation++) {
                    batond.signal("USR2");
                    Matcher reload = batond.awaitLine(BatondLines.reloadFinished(generation), RELOAD);
                    assertEquals("complete", reload.group(1), reload.group());
                    if (generation == 2) {
                        HttpResponse answer = slow.response().get(SLOW_MS + OLD_EXIT.toMillis(), TimeUnit.MILLISECONDS);
                        assertEquals(200, answer.status(), answer::toString);
                        assertEquals(1, answer.generation().orElse(-1), answer::toString);
                        List<String> seen = linesAtAnswer.get();
                        assertTrue(seen.stream().anyMatch(line -> BatondLines.draining(1).matcher(line).find()),
                                "gen=1 answered before batond said it was draining");
                        assertFalse(seen.stream().anyMatch(line -> BatondLines.exitedOrKilled(1).matcher(line).find()),
                                "gen=1 exited before its in-flight response arrived");
                    }
                    Matcher old = batond.awaitLine(BatondLines.exitedOrKilled(generation - 1), OLD_EXIT);
                    assertEquals("exited code=0", old.group(2), old.group());
                    int expected = generation;
                    assertTrue(load.awaitGeneration(generation, SEEN),
                            () -> "clients never saw gen=" + expected + ": " + load.report());
                }

                load.stop();
                LoadReport report = load.report();
                System.out.println("load on jetty during " + RELOADS + " reloads: " + report);
                assertEquals(0, report.failures(), report::toString);
                assertTrue(report.ok() > 0, report::toString);
                Set<Integer> all = IntStream.rangeClosed(1, RELOADS + 1).boxed().collect(Collectors.toCollection(TreeSet::new));
                assertEquals(all, report.generations(), report::toString);
            }

            List<Matcher> exits = batond.output().matches(BatondLines.ANY_EXITED);
            assertEquals(RELOADS, exits.size(), () -> "exited lines: " + exits.stream().map(Matcher::group).toList());
            exits.forEach(exit -> assertEquals("0", exit.group(3), exit.group()));
            assertEquals(0, batond.countLines(BatondLines.ANY_KILLED), () -> batond.output().tail(60));
            // Each old generation closed its server after the drain and counted what it served.
            List<Matcher> closed = batond.output().matches(SERVER_CLOSED);
            assertEquals(RELOADS, closed.size(), () -> batond.output().tail(60));
            closed.forEach(line -> assertTrue(Long.parseLong(line.group(1)) > 0, line.group()));
            assertTrue(batond.isAlive());
        }
    }
}
