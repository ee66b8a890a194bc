package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code --drain-nice}: the generation a reload replaces drains with every thread (and, where the
 * kernel shares the CPU between sessions, its session) at nice 19, while the new one serves at
 * batond's priority; its request in flight is still answered and it exits 0. {@code --drain-nice 0}
 * leaves the draining generation's priority alone.
 */
class DrainPriorityTest {
    private static final Duration EVENT = Duration.ofSeconds(60);
    /** Held until 5 s after generation 1's drain began: it is draining while the test looks. */
    private static final int HELD_MS = 5000;
    private static final Pattern DRAIN_PRIORITY = Pattern.compile("batond pid=\\d+ .* drain-priority=(.+?) start-priority=");

    static Pattern lowered(int generation) {
        return Pattern.compile("gen=" + generation + " pid=(\\d+) drains at nice (\\d+)( in part)?: (.*)");
    }

    @Test
    @Timeout(180)
    void theReplacedGenerationDrainsAtNice19WhileTheNewOneServesAtBatondsPriority() throws Exception {
        try (BatondProcess batond = BatondProcess.startWithHello("DrainPriorityTest")) {
            String mechanism = batond.awaitLine(DRAIN_PRIORITY, BatondProcess.STARTUP).group(1);
            Assumptions.assumeTrue(mechanism.equals("nice 19"), "drain priority here: " + mechanism);
            long gen1 = Long.parseLong(batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP).group(1));
            int own = LowPriorityStartTest.nices(batond.pid()).values().iterator().next();
            LowPriorityStartTest.assertAll(gen1, own, "gen=1 while it serves");

            try (SlowRequest held = SlowRequest.untilDrain(batond.port(), 1, HELD_MS)) {
                batond.signal("USR2");
                batond.awaitLine(BatondLines.draining(1), EVENT);
                Matcher lowered = batond.awaitLine(lowered(1), EVENT);
                assertEquals(Long.toString(gen1), lowered.group(1), lowered.group());
                assertEquals("19", lowered.group(2), lowered.group());
                assertNull(lowered.group(3), lowered.group());
                LowPriorityStartTest.assertAll(gen1, 19, "while gen=1 drains");
                LowPriorityStartTest.assertAutogroup(gen1, 19, "while gen=1 drains");
                long gen2 = batond.spawnedChildren().get(2);
                LowPriorityStartTest.assertAll(gen2, own, "gen=2 serves at batond's priority");
                LowPriorityStartTest.assertAutogroup(gen2, 0, "gen=2 serves at batond's priority");

                HttpResponse answer = held.response().get(HELD_MS + EVENT.toMillis(), TimeUnit.MILLISECONDS);
                assertEquals(200, answer.status(), answer::toString);
                assertEquals(1, answer.generation().orElse(-1), answer::toString);
            }
            Matcher exit = batond.awaitLine(BatondLines.exitedOrKilled(1), EVENT);
            assertEquals("exited code=0", exit.group(2), exit.group());
            assertEquals(0, batond.countLines(lowered(2)), "the serving generation is never lowered");
            assertEquals("nice 19", drainPriorityInStatus(batond));
        }
    }

    @Test
    @Timeout(180)
    void drainNiceZeroLeavesTheDrainingGenerationsPriorityAlone() throws Exception {
        try (BatondProcess batond = BatondProcess.start("DrainPriorityTest-off", List.of(),
                BatondProcess.helloArgs("--drain-nice", "0"))) {
            assertEquals("off", batond.awaitLine(DRAIN_PRIORITY, BatondProcess.STARTUP).group(1));
            long gen1 = Long.parseLong(batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP).group(1));
            int own = LowPriorityStartTest.nices(batond.pid()).values().iterator().next();
            try (SlowRequest held = SlowRequest.untilDrain(batond.port(), 1, HELD_MS)) {
                batond.signal("USR2");
                batond.awaitLine(BatondLines.draining(1), EVENT);
                LowPriorityStartTest.assertAll(gen1, own, "gen=1 drains at batond's priority");
                LowPriorityStartTest.assertAutogroup(gen1, 0, "gen=1 drains at batond's priority");
                assertEquals(200, held.response().get(HELD_MS + EVENT.toMillis(), TimeUnit.MILLISECONDS).status());
            }
            batond.awaitLine(BatondLines.exitedOrKilled(1), EVENT);
            assertFalse(batond.output().lines().stream().anyMatch(line -> line.contains(" drains at ")),
                    () -> batond.output().tail(30));
            assertEquals("off", drainPriorityInStatus(batond));
        }
    }

    /** What {@code batonctl status --json} says of the drain priority. */
    private static Object drainPriorityInStatus(BatondProcess batond) throws Exception {
        Path control = Path.of(batond.awaitLine(BatondLines.STARTED, EVENT).group(3));
        Map<String, Object> status = BatonctlCommand.run(control, "status", "--json").json();
        return status.get("drain_priority");
    }
}
