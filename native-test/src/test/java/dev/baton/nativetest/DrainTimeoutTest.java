package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** An old generation that ignores the drain signal is killed once --drain-timeout has passed. */
class DrainTimeoutTest {
    private static final Duration EVENT = Duration.ofSeconds(30);

    @Test
    @Timeout(120)
    void generationIgnoringTermIsKilledAfterTheDrainTimeout() throws Exception {
        FaultFile faults = FaultFile.create("DrainTimeoutTest", "ignore-term");
        ProcessBuilder command = faults.batond(List.of(
                "--listen", "127.0.0.1:0", "--ready-timeout", "30s", "--drain-timeout", "3s"));
        try (BatondProcess batond = BatondProcess.start("DrainTimeoutTest", command)) {
            long gen1 = Long.parseLong(batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP).group(1));
            batond.awaitLine("faulty-child gen=1 mode=ignore-term", EVENT);

            faults.set("ok");
            batond.signal("USR2");
            Matcher reload = batond.awaitLine(BatondLines.reloadFinished(2), EVENT);
            assertEquals("complete", reload.group(1), reload.group());
            batond.awaitLine(BatondLines.draining(1), EVENT);
            batond.awaitLine("faulty-child ignoring SIGTERM", EVENT);

            Matcher killed = batond.awaitLine(BatondLines.killed(1), EVENT);
            assertEquals(Long.toString(gen1), killed.group(1), killed.group());
            assertEquals("did not exit within --drain-timeout 3s", killed.group(2), killed.group());
            Matcher exited = batond.awaitLine(BatondLines.exited(1), EVENT);
            assertEquals("137", exited.group(2), exited.group());
            assertTrue(ProcessHandle.of(gen1).map(p -> !p.isAlive()).orElse(true), "gen=1 is still alive");

            HttpResponse response = HttpProbe.get(batond.port(), "/");
            assertEquals(200, response.status(), response::toString);
            assertEquals(2, response.generation().orElse(-1), response::toString);
            assertEquals(List.of(batond.spawnedChildren().get(2)), batond.livingChildren());
            assertTrue(batond.isAlive());
        }
    }

    @Test
    @Timeout(120)
    void stopWaitSaysAGenerationWasKilledAndExitsThree() throws Exception {
        FaultFile faults = FaultFile.create("DrainTimeoutTest-stop", "ignore-term");
        ProcessBuilder command = faults.batond(List.of(
                "--listen", "127.0.0.1:0", "--ready-timeout", "30s", "--drain-timeout", "3s"));
        try (BatondProcess batond = BatondProcess.start("DrainTimeoutTest-stop", command)) {
            java.nio.file.Path control = java.nio.file.Path.of(batond.awaitLine(BatondLines.STARTED, BatondProcess.STARTUP).group(3));
            long gen1 = Long.parseLong(batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP).group(1));
            batond.awaitLine("faulty-child gen=1 mode=ignore-term", EVENT);

            BatonctlCommand.Result stop = BatonctlCommand.run(control, "stop", "--wait");
            assertEquals(3, stop.exitCode(), () -> "stop --wait after a SIGKILL is not a clean stop: " + stop);
            assertTrue(stop.stdout().contains("gen=1 pid=" + gen1 + " was killed (SIGKILL to 1 process) after --drain-timeout"),
                    stop::toString);
            assertTrue(!stop.stdout().contains("every generation drained"), stop::toString);
            assertEquals(0, batond.waitFor(EVENT), () -> batond.output().tail(30));
        }
    }
}
