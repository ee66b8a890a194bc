package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A new generation that exits, never connects or never says READY fails the reload: batond stops
 * it and generation 1 goes on serving as if nothing happened. A good reload afterwards completes.
 */
class FailedReloadRollsBackTest {
    private static final Duration EVENT = Duration.ofSeconds(30);
    private static final Duration SEEN = Duration.ofSeconds(10);
    /**
     * batond's --ready-timeout here. A bad start must fail for its own reason well before it: with
     * the load on both cores of a 2-core VM, and the child at nice 19 for its first 2 s at most, a
     * JVM that connects, takes its listeners and exits took 2.7-3.8 s (3 s was once the timeout).
     */
    private static final String READY_TIMEOUT = "10s";

    /** A bad mode of {@link FaultyChild}, the reason batond must give, and the child's exit code. */
    private record BadStart(String mode, Pattern reason, int exitCode) {}

    private static final List<BadStart> BAD_STARTS = List.of(
            new BadStart("exit-before-connect", Pattern.compile("^exited with code 3 before READY$"), 3),
            // The child closes the handoff connection by exiting: which batond notices first (the
            // EOF on the connection or the exit) is a race, and either reason is right.
            new BadStart("exit-after-listeners", Pattern.compile(
                    "^(exited with code 4 before READY|closed the handoff connection before READY \\(.*\\))$"), 4),
            // Killed before it installed any handler: the JVM's default SIGTERM exit.
            new BadStart("never-connect", Pattern.compile("^did not connect to the handoff socket within " + READY_TIMEOUT + "$"), 143),
            // child-api's SIGTERM drain: nothing in flight, so a clean exit.
            new BadStart("never-ready", Pattern.compile("^not READY within " + READY_TIMEOUT + "$"), 0));

    @Test
    @Timeout(180)
    void badGenerationsAreStoppedAndGenerationOneKeepsServing() throws Exception {
        FaultFile faults = FaultFile.create("FailedReloadRollsBackTest", "ok");
        ProcessBuilder command = faults.batond(List.of(
                "--listen", "127.0.0.1:0", "--ready-timeout", READY_TIMEOUT, "--drain-timeout", "10s"));
        try (BatondProcess batond = BatondProcess.start("FailedReloadRollsBackTest", command)) {
            batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP);
            try (LoadClient load = LoadClient.start(batond.port(), "/", List.of(ClientKind.NEW_CONNECTION,
                    ClientKind.NEW_CONNECTION))) {
                assertTrue(load.awaitGeneration(1, SEEN), () -> "no answer from gen=1: " + load.report());

                int generation = 2;
                for (BadStart bad : BAD_STARTS) {
                    faults.set(bad.mode());
                    long okBefore = load.report().ok();
                    batond.signal("USR2");

                    Matcher failed = batond.awaitLine(BatondLines.reloadFailed(generation), EVENT);
                    assertTrue(bad.reason().matcher(failed.group(1)).matches(),
                            () -> bad.mode() + ": unexpected reason in: " + failed.group());
                    Matcher exited = batond.awaitLine(BatondLines.exited(generation), EVENT);
                    assertEquals(bad.exitCode(), Integer.parseInt(exited.group(2)), () -> bad.mode() + ": " + exited.group());
                    batond.awaitLine("faulty-child gen=" + generation + " mode=" + bad.mode(), EVENT);

                    // Generation 1 still answers, and only generation 1 ever answered.
                    assertTrue(load.awaitSuccesses(okBefore + 100, SEEN), () -> "load stalled: " + load.report());
                    HttpResponse response = HttpProbe.get(batond.port(), "/");
                    assertEquals(1, response.generation().orElse(-1), () -> bad.mode() + ": " + response);
                    assertEquals(Set.of(1), load.report().generations(), () -> bad.mode() + ": " + load.report());
                    assertEquals(0, load.report().failures(), () -> bad.mode() + ": " + load.report());
                    assertEquals(0, batond.countLines(BatondLines.draining(1)), () -> batond.output().tail(40));
                    assertEquals(0, batond.countLines(BatondLines.ready(generation)), () -> batond.output().tail(40));
                    generation++;
                }

                faults.set("ok");
                batond.signal("USR2");
                Matcher reload = batond.awaitLine(BatondLines.reloadFinished(generation), EVENT);
                assertEquals("complete", reload.group(1), reload.group());
                Matcher old = batond.awaitLine(BatondLines.exitedOrKilled(1), EVENT);
                assertEquals("exited code=0", old.group(2), old.group());
                int good = generation;
                assertTrue(load.awaitGeneration(good, SEEN), () -> "clients never saw gen=" + good + ": " + load.report());

                load.stop();
                LoadReport report = load.report();
                System.out.println("load during " + BAD_STARTS.size() + " failed reloads and a good one: " + report);
                assertEquals(0, report.failures(), report::toString);
                assertEquals(Set.of(1, good), report.generations(), report::toString);
            }
            assertEquals(BAD_STARTS.size() + 2, batond.countLines(BatondLines.ANY_SPAWNED), () -> batond.output().tail(60));
            long last = batond.spawnedChildren().get(BAD_STARTS.size() + 2);
            assertEquals(List.of(last), batond.livingChildren(), () -> "only the last generation should be alive: "
                    + batond.output().tail(60));
            assertTrue(batond.isAlive());
        }
    }
}
