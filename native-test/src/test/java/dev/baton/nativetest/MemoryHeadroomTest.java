package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A reload that would need more memory than is available is refused and changes nothing;
 * --no-memory-check lets it go ahead anyway.
 */
class MemoryHeadroomTest {
    /** No machine has 100000 times the serving child's memory available. */
    private static final String IMPOSSIBLE_HEADROOM = "100000";
    private static final Duration EVENT = Duration.ofSeconds(60);

    @Test
    @Timeout(120)
    void reloadIsRefusedWhenMemoryLooksShort() throws Exception {
        try (BatondProcess batond = BatondProcess.start("MemoryHeadroomTest-refused", List.of(),
                BatondProcess.helloArgs("--memory-headroom", IMPOSSIBLE_HEADROOM))) {
            batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP);

            batond.signal("USR2");
            batond.awaitLine(BatondLines.RELOAD_REFUSED_MEMORY, EVENT);
            batond.awaitLine("--no-memory-check turns this check off", EVENT);

            // The refusal is final for this request: nothing was started, gen=1 still serves.
            assertEquals(1, batond.countLines(BatondLines.ANY_SPAWNED), () -> batond.output().tail(40));
            assertEquals(0, batond.countLines(BatondLines.draining(1)), () -> batond.output().tail(40));
            HttpResponse response = HttpProbe.get(batond.port(), "/");
            assertEquals(200, response.status(), response::toString);
            assertEquals(1, response.generation().orElse(-1), response::toString);

            // A second request is refused the same way, still without a spawn.
            batond.signal("USR2");
            batond.output().awaitCount(BatondLines.RELOAD_REFUSED_MEMORY, 2, EVENT);
            assertEquals(1, batond.countLines(BatondLines.ANY_SPAWNED), () -> batond.output().tail(40));
            assertEquals(1, batond.livingChildren().size(), () -> batond.output().tail(40));
            assertTrue(batond.isAlive());

            batond.signal("TERM");
            assertEquals(0, batond.waitFor(Duration.ofSeconds(40)), () -> batond.output().tail(40));
        }
    }

    @Test
    @Timeout(120)
    void noMemoryCheckLetsTheReloadGoAhead() throws Exception {
        try (BatondProcess batond = BatondProcess.start("MemoryHeadroomTest-unchecked", List.of(),
                BatondProcess.helloArgs("--memory-headroom", IMPOSSIBLE_HEADROOM, "--no-memory-check"))) {
            batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP);

            batond.signal("USR2");
            Matcher reload = batond.awaitLine(BatondLines.reloadFinished(2), EVENT);
            assertEquals("complete", reload.group(1), reload.group());
            Matcher old = batond.awaitLine(BatondLines.exitedOrKilled(1), EVENT);
            assertEquals("exited code=0", old.group(2), old.group());
            assertEquals(0, batond.countLines(BatondLines.RELOAD_REFUSED_MEMORY), () -> batond.output().tail(40));
            HttpResponse response = HttpProbe.get(batond.port(), "/");
            assertEquals(2, response.generation().orElse(-1), response::toString);
        }
    }
}
