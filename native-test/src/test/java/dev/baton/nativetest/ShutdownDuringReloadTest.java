package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SIGTERM while a reload is half done (generation 2 connected, not yet READY): both generations
 * are stopped and batond exits 0, leaving no process behind.
 */
class ShutdownDuringReloadTest {
    private static final Duration EVENT = Duration.ofSeconds(30);

    @Test
    @Timeout(120)
    void termDuringAReloadStopsBothGenerations() throws Exception {
        FaultFile faults = FaultFile.create("ShutdownDuringReloadTest", "ok");
        ProcessBuilder command = faults.batond(List.of(
                "--listen", "127.0.0.1:0", "--ready-timeout", "60s", "--drain-timeout", "10s"));
        try (BatondProcess batond = BatondProcess.start("ShutdownDuringReloadTest", command)) {
            batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP);

            faults.set("slow-ready"); // READY only after 20 s
            batond.signal("USR2");
            batond.awaitLine(BatondLines.connected(2), EVENT);
            batond.awaitLine("faulty-child gen=2 mode=slow-ready", EVENT);
            List<ProcessHandle> family = batond.descendants();
            assertEquals(2, batond.livingChildren().size(), () -> batond.output().tail(40));

            batond.signal("TERM");
            assertEquals(0, batond.waitFor(Duration.ofSeconds(40)), () -> batond.output().tail(40));
            assertEquals("0", batond.awaitLine(BatondLines.EXITING, Duration.ofSeconds(5)).group(1));
            assertTrue(batond.output().awaitEnd(Duration.ofSeconds(10)), "batond's stdout is still held open");

            for (int generation = 1; generation <= 2; generation++) {
                assertEquals(1, batond.countLines(BatondLines.exitedOrKilled(generation)), () -> batond.output().tail(40));
            }
            assertEquals(0, batond.countLines(BatondLines.ready(2)), () -> batond.output().tail(40));
            assertEquals(List.of(), batond.livingChildren(), "spawned children still alive");
            List<Long> alive = family.stream().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
                    .collect(Collectors.toList());
            assertEquals(List.of(), alive, "descendants of batond still alive");
        }
    }
}
