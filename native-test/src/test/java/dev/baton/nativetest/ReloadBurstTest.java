package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ten reload requests within 100 ms start exactly two generations: the first starts generation 2,
 * the others collapse into one queued reload, which becomes generation 3.
 */
class ReloadBurstTest {
    private static final int SIGNALS = 10;
    private static final long SPACING_NANOS = Duration.ofMillis(10).toNanos();
    private static final Duration EVENT = Duration.ofSeconds(60);
    private static final Pattern GENERATION_4 = Pattern.compile("gen=4\\b");

    @Test
    @Timeout(180)
    void aBurstOfSignalsStartsOneReloadAndOneQueuedReload() throws Exception {
        try (BatondProcess batond = BatondProcess.startWithHello("ReloadBurstTest")) {
            batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP);
            List<ProcessHandle> family;
            try (LoadClient load = LoadClient.start(batond.port(), "/",
                    List.of(ClientKind.NEW_CONNECTION, ClientKind.NEW_CONNECTION))) {
                assertTrue(load.awaitSuccesses(200, Duration.ofSeconds(20)), () -> "too few answers: " + load.report());

                long start = System.nanoTime();
                for (int i = 0; i < SIGNALS; i++) {
                    LockSupport.parkNanos(start + i * SPACING_NANOS - System.nanoTime()); // pacing, not waiting for an event
                    batond.signal("USR2");
                }
                long burstMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();
                System.out.println(SIGNALS + " SIGUSR2 sent in " + burstMillis + " ms");
                // The premise: every signal arrived while generation 2 was still starting.
                assertEquals(0, batond.countLines(BatondLines.ready(2)),
                        "gen=2 became ready during the burst; the burst took " + burstMillis + " ms");

                batond.awaitLine(BatondLines.ready(3), EVENT);
                Matcher second = batond.awaitLine(BatondLines.exitedOrKilled(2), EVENT);
                assertEquals("exited code=0", second.group(2), second.group());
                Matcher first = batond.awaitLine(BatondLines.exitedOrKilled(1), EVENT);
                assertEquals("exited code=0", first.group(2), first.group());
                assertTrue(load.awaitGeneration(3, Duration.ofSeconds(10)), () -> "clients never saw gen=3: " + load.report());
                family = batond.descendants();

                load.stop();
                LoadReport report = load.report();
                System.out.println("load during the burst: " + report);
                assertEquals(0, report.failures(), report::toString);
                assertEquals(Set.of(1, 2, 3), report.generations(), report::toString);
            }

            // A fourth reload, had one been queued, would have started before this shutdown is handled.
            batond.signal("TERM");
            assertEquals(0, batond.waitFor(Duration.ofSeconds(40)), () -> batond.output().tail(40));
            assertEquals("0", batond.awaitLine(BatondLines.EXITING, Duration.ofSeconds(5)).group(1));
            assertTrue(batond.output().awaitEnd(Duration.ofSeconds(10)), "batond's stdout is still held open");

            List<String> gen4 = batond.output().lines().stream().filter(l -> GENERATION_4.matcher(l).find()).toList();
            assertEquals(List.of(), gen4, "a fourth generation was started");
            assertEquals(List.of(1, 2, 3), List.copyOf(batond.spawnedChildren().keySet()), () -> batond.output().tail(60));
            assertEquals(1, batond.countLines(BatondLines.RUNNING_QUEUED_RELOAD), () -> batond.output().tail(60));
            assertEquals(List.of(), batond.livingChildren(), "spawned children still alive");
            List<Long> alive = family.stream().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
                    .collect(Collectors.toList());
            assertEquals(List.of(), alive, "descendants of batond still alive");
        }
    }
}
