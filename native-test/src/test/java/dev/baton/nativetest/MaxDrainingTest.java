package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * With --max-draining 1, a reload while an old generation still drains waits for it to exit
 * before starting the next generation.
 */
class MaxDrainingTest {
    /** How long after generation 1's drain began its slow request is answered: covers the second reload request. */
    private static final int SLEEP_MS = 5000;
    private static final Duration EVENT = Duration.ofSeconds(60);

    @Test
    @Timeout(120)
    void reloadWaitsWhileTheOldGenerationDrains() throws Exception {
        try (BatondProcess batond = BatondProcess.start("MaxDrainingTest", List.of(),
                BatondProcess.helloArgs("--max-draining", "1"))) {
            batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP);

            try (SlowRequest request = SlowRequest.untilDrain(batond.port(), 1, SLEEP_MS)) {
                CompletableFuture<HttpResponse> slow = request.response();

                batond.signal("USR2");
                Matcher reload = batond.awaitLine(BatondLines.reloadFinished(2), EVENT);
                assertEquals("complete", reload.group(1), reload.group());
                batond.awaitLine(BatondLines.draining(1), EVENT);
                assertFalse(slow.isDone(), "the slow request ended before the second reload; sleep too short for this machine?");

                batond.signal("USR2");
                Matcher waits = batond.awaitLine(BatondLines.RELOAD_WAITS, EVENT);
                assertEquals("1", waits.group(1), waits.group());
                assertEquals("1", waits.group(2), waits.group());
                assertEquals(0, batond.countLines(BatondLines.spawned(3)), () -> batond.output().tail(40));
                assertEquals(0, batond.countLines(BatondLines.exitedOrKilled(1)),
                        "gen=1 exited before the second reload was requested; sleep too short for this machine?");

                HttpResponse response = slow.get(SLEEP_MS + 30_000, TimeUnit.MILLISECONDS);
                assertEquals(200, response.status(), response::toString);
                assertEquals(1, response.generation().orElse(-1), response::toString);
            }

            Matcher exited = batond.awaitLine(BatondLines.exited(1), EVENT);
            assertEquals("0", exited.group(2), exited.group());
            batond.awaitLine(BatondLines.spawned(3), EVENT);
            Matcher reload3 = batond.awaitLine(BatondLines.reloadFinished(3), EVENT);
            assertEquals("complete", reload3.group(1), reload3.group());
            int exitIndex = batond.output().firstIndex(BatondLines.exited(1));
            int spawnIndex = batond.output().firstIndex(BatondLines.spawned(3));
            assertTrue(exitIndex < spawnIndex, () -> "gen=3 was spawned before gen=1 exited:\n" + batond.output().tail(40));
            // Only one generation ever drained at a time.
            assertTrue(batond.output().firstIndex(BatondLines.draining(2)) > exitIndex, () -> batond.output().tail(40));

            Matcher old = batond.awaitLine(BatondLines.exitedOrKilled(2), EVENT);
            assertEquals("exited code=0", old.group(2), old.group());
            assertEquals(3, HttpProbe.get(batond.port(), "/").generation().orElse(-1));
            assertEquals(3, batond.countLines(BatondLines.ANY_SPAWNED), () -> batond.output().tail(40));
        }
    }
}
