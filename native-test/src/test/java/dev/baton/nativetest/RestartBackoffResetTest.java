package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An early crash loop is forgotten once a generation has served longer than
 * --restart-backoff-max, also when that generation ended by a reload rather than a crash: the
 * next crash restarts at once instead of waiting the maximum.
 */
class RestartBackoffResetTest {
    private static final Duration EVENT = Duration.ofSeconds(60);

    @Test
    @Timeout(180)
    void aLongRunEndedByAReloadResetsTheBackoff() throws Exception {
        FaultFile faults = FaultFile.create("RestartBackoffResetTest", "exit-before-connect");
        ProcessBuilder command = faults.batond(List.of("--listen", "127.0.0.1:0", "--ready-timeout", "30s",
                "--drain-timeout", "10s", "--restart-backoff-min", "1s", "--restart-backoff-max", "2s"));
        try (BatondProcess batond = BatondProcess.start("RestartBackoffResetTest", command)) {
            // A crash loop at start: failures 1, 2 and 3 in a row.
            batond.awaitLine(BatondLines.restartIn("0s", 1), EVENT);
            batond.awaitLine(BatondLines.restartIn("1s", 2), EVENT);
            batond.awaitLine(BatondLines.restartIn("2s", 3), EVENT);
            faults.set("ok"); // gen 4, spawned 2 s after that line, serves
            batond.awaitLine(BatondLines.ready(4), EVENT);
            // gen 4 serves longer than --restart-backoff-max: the run itself is what is tested, not a wait for an event.
            Thread.sleep(2500);
            batond.signal("USR2");
            batond.awaitLine(BatondLines.reloadFinished(5), EVENT);
            batond.awaitLine("the restart backoff starts again from 0", EVENT);
            long gen5 = Long.parseLong(batond.awaitLine(BatondLines.ready(5), EVENT).group(1));
            batond.awaitLine(BatondLines.exitedOrKilled(4), EVENT);

            BatondProcess.kill("KILL", gen5);
            batond.awaitLine(BatondLines.died(5), EVENT);
            // The second "in 0s (failure 1 in a row)": before the fix this was "in 2s (failure 4 in a row)".
            batond.output().awaitCount(BatondLines.restartIn("0s", 1), 2, EVENT);
            assertEquals(0, batond.countLines(BatondLines.restartIn("2s", 4)), () -> batond.output().tail(30));
            batond.awaitLine(BatondLines.ready(6), EVENT);
        }
    }
}
