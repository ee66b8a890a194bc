package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.regex.Matcher;

/**
 * One reload as the load tests check it: SIGUSR2, the reload to {@code generation} completes,
 * the previous generation exits 0 (not killed), and the clients get answers from the new one.
 */
record ReloadStep(Duration reload, Duration oldExit, Duration seen) {
    /** The same bound for every wait. */
    static ReloadStep within(Duration timeout) {
        return new ReloadStep(timeout, timeout, timeout);
    }

    void run(BatondProcess batond, LoadClient load, int generation) throws InterruptedException {
        batond.signal("USR2");
        Matcher finished = batond.awaitLine(BatondLines.reloadFinished(generation), reload);
        assertEquals("complete", finished.group(1), finished.group());
        Matcher old = batond.awaitLine(BatondLines.exitedOrKilled(generation - 1), oldExit);
        assertEquals("exited code=0", old.group(2), old.group());
        assertTrue(load.awaitGeneration(generation, seen),
                () -> "clients never saw gen=" + generation + ": " + load.report());
    }
}
