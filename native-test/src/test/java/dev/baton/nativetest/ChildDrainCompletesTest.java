package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * child-api's drain runs to its end, close hooks and DRAINED included, even in a service whose
 * own threads all end when its listener closes (FaultyChild's acceptor does).
 */
class ChildDrainCompletesTest {
    private static final Duration EVENT = Duration.ofSeconds(30);

    @Test
    @Timeout(120)
    void oldGenerationRunsItsCloseHooksAndReportsDrained() throws Exception {
        FaultFile faults = FaultFile.create("ChildDrainCompletesTest", "ok");
        ProcessBuilder command = faults.batond(List.of("--listen", "127.0.0.1:0", "--drain-timeout", "10s"));
        try (BatondProcess batond = BatondProcess.start("ChildDrainCompletesTest", command)) {
            batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP);
            assertEquals(200, HttpProbe.get(batond.port(), "/").status());

            batond.signal("USR2");
            batond.awaitLine(BatondLines.reloadComplete(2), EVENT);
            batond.awaitLine("faulty-child gen=1 closed slow resource", EVENT);
            Matcher drained = batond.awaitLine("gen=1 pid=\\d+ drained served=(\\d+)", EVENT);
            assertTrue(Long.parseLong(drained.group(1)) >= 1, drained.group());
            Matcher exited = batond.awaitLine(BatondLines.exited(1), EVENT);
            assertEquals("0", exited.group(2), exited.group());
            assertTrue(batond.output().firstIndex(BatondLines.exited(1))
                    > batond.output().firstIndex(java.util.regex.Pattern.compile("faulty-child gen=1 closed slow resource")),
                    "gen 1 exited before its close hook finished");
        }
    }
}
