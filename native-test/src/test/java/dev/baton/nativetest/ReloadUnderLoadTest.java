package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** 20 reloads in a row while clients hammer the port: not one request may fail. */
class ReloadUnderLoadTest {
    private static final int RELOADS = 20;
    private static final Duration RELOAD = Duration.ofSeconds(60);
    private static final Duration OLD_EXIT = Duration.ofSeconds(40);
    private static final Duration SEEN = Duration.ofSeconds(10);

    @Test
    // Each step waits for the old generation's exit, and under this load (every core busy) a drain
    // at --drain-nice 19 (the default) takes up to a few seconds: 20 steps took 144 s before it, over 180 s with it.
    @Timeout(300)
    void twentyReloadsUnderLoadLoseNoRequest() throws Exception {
        try (BatondProcess batond = BatondProcess.startWithHello("ReloadUnderLoadTest")) {
            batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP);
            try (LoadClient load = LoadClient.start(batond.port(), 2, 2)) {
                assertTrue(load.awaitGeneration(1, SEEN), () -> "no answer from gen=1: " + load.report());

                ReloadStep step = new ReloadStep(RELOAD, OLD_EXIT, SEEN);
                for (int generation = 2; generation <= RELOADS + 1; generation++) {
                    step.run(batond, load, generation);
                }

                load.stop();
                LoadReport report = load.report();
                System.out.println("load during " + RELOADS + " reloads: " + report);
                assertEquals(0, report.failures(), report::toString);
                assertTrue(report.ok() > 0, report::toString);
                Set<Integer> all = IntStream.rangeClosed(1, RELOADS + 1).boxed().collect(Collectors.toCollection(TreeSet::new));
                assertEquals(all, report.generations(), report::toString);
            }

            List<Matcher> exits = batond.output().matches(BatondLines.ANY_EXITED);
            assertEquals(RELOADS, exits.size(), () -> "exited lines: " + exits.stream().map(Matcher::group).toList());
            exits.forEach(exit -> assertEquals("0", exit.group(3), exit.group()));
            assertEquals(0, batond.countLines(BatondLines.ANY_KILLED), () -> batond.output().tail(60));
            assertEquals(RELOADS + 1, batond.countLines(BatondLines.ANY_SPAWNED));
            assertTrue(batond.isAlive());
        }
    }
}
