package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code --min-ready 3s} with real processes under load: a new generation that drains and exits on
 * its own 1 s after READY, or whose readiness check fails after READY (child-api's NOT_READY), is a
 * rollback: no request fails, {@code batonctl reload --wait} exits 1 with the reason, and generation
 * 1 (the same pid) serves throughout, never signalled. One that stays is a normal reload once the
 * window is over.
 */
class MinReadyUnderLoadTest {
    private static final Duration EVENT = Duration.ofSeconds(60);
    private static final Duration SEEN = Duration.ofSeconds(20);
    private static final Pattern EXIT_REASON = Pattern.compile(
            "gen=2 exited with code 0 (\\d+\\.\\d\\d)s after READY, inside --min-ready 3s");

    @Test
    @Timeout(300)
    void aGenerationThatFailsInsideTheWindowIsRolledBackAndOneThatStaysReplacesTheOld() throws Exception {
        FaultFile faults = FaultFile.create("MinReadyUnderLoadTest", "ok");
        ProcessBuilder command = faults.batond(List.of("--listen", "127.0.0.1:0", "--min-ready", "3s",
                "--drain-timeout", "20s"));
        try (BatondProcess batond = BatondProcess.start("MinReadyUnderLoadTest", command)) {
            Path control = Path.of(batond.awaitLine(BatondLines.STARTED, BatondProcess.STARTUP).group(3));
            long gen1 = Long.parseLong(batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP).group(1));
            try (LoadClient load = LoadClient.start(batond.port(), "/", List.of(ClientKind.NEW_CONNECTION,
                    ClientKind.NEW_CONNECTION, ClientKind.KEEP_ALIVE))) {
                assertTrue(load.awaitGeneration(1, SEEN), () -> "no answer from gen=1: " + load.report());

                // 1. Drains and exits on its own 1 s after READY, inside the 3 s window.
                faults.set("exit-after-ready");
                BatonctlCommand.Result exited = BatonctlCommand.run(control, "reload", "--wait", "--json");
                assertEquals(1, exited.exitCode(), exited::toString);
                Map<String, Object> evidence = exited.json();
                assertEquals("failed", evidence.get("outcome"), exited::toString);
                Matcher reason = EXIT_REASON.matcher(String.valueOf(evidence.get("reason")));
                assertTrue(reason.matches(), exited::toString);
                double afterReady = Double.parseDouble(reason.group(1));
                assertTrue(afterReady >= 1.0 && afterReady < 3.0, exited::toString);
                Map<?, ?> old = (Map<?, ?>) evidence.get("old");
                assertEquals(gen1, ((Number) old.get("pid")).longValue(), exited::toString);
                assertEquals("serving", old.get("state"), exited::toString);
                batond.awaitLine("faulty-child gen=2 drains and exits on its own", EVENT);
                assertServesAlone(batond, load, 1, gen1);

                // 2. Its readiness check fails after READY: child-api sends NOT_READY, batond drains it.
                faults.set("not-ready-after-ready");
                BatonctlCommand.Result notReady = BatonctlCommand.run(control, "reload", "--wait");
                assertEquals(1, notReady.exitCode(), notReady::toString);
                assertTrue(notReady.stdout().startsWith("reload #2 (batonctl) failed: gen=3 reported not ready: check 'fault' failing"),
                        notReady::toString);
                assertTrue(notReady.stdout().contains("old generation  gen=1 pid=" + gen1 + ", keeps serving"), notReady::toString);
                Matcher drained = batond.awaitLine(BatondLines.exited(3), EVENT);
                assertEquals("0", drained.group(2), drained.group());
                assertTrue(batond.countLines("gen=3 pid=\\d+ draining \\(rolled back\\)") == 1, () -> batond.output().tail(40));
                assertServesAlone(batond, load, 1, gen1);

                // 3. A generation that stays: gen=1 drains once the window is over.
                faults.set("ok");
                BatonctlCommand.Result good = BatonctlCommand.run(control, "reload", "--wait", "--json");
                assertEquals(0, good.exitCode(), good::toString);
                Map<String, Object> ok = good.json();
                assertEquals("succeeded", ok.get("outcome"), good::toString);
                long readyMs = ((Number) ((Map<?, ?>) ok.get("new")).get("ready_ms")).longValue();
                long totalMs = ((Number) ok.get("duration_ms")).longValue();
                assertTrue(totalMs >= readyMs + 3000, () -> "gen=1 was told to drain before the window ended: " + good);
                assertEquals(0, ((Map<?, ?>) ok.get("old")).get("exit_code"), good::toString);
                assertEquals(1, batond.countLines(BatondLines.draining(1)), () -> batond.output().tail(40));
                assertTrue(batond.countLines("gen=4 pid=\\d+ serving: its --min-ready 3s window passed") == 1,
                        () -> batond.output().tail(40));
                assertTrue(load.awaitGeneration(4, SEEN), load::toString);

                load.stop();
                LoadReport report = load.report();
                System.out.println("load through two rolled-back reloads and a good one, --min-ready 3s: " + report);
                assertEquals(0, report.failures(), report::toString);
            }
        }
    }

    /** Generation {@code number} (pid {@code pid}) serves, alone, and was never told to drain; the load goes on. */
    private static void assertServesAlone(BatondProcess batond, LoadClient load, int number, long pid) throws Exception {
        assertEquals(0, batond.countLines(BatondLines.draining(number)), () -> batond.output().tail(40));
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "gen=" + number + " is alive");
        assertEquals(List.of(pid), batond.livingChildren(), () -> batond.output().tail(40));
        assertTrue(load.awaitSuccesses(load.report().ok() + 100, SEEN), load::toString);
        assertEquals(number, HttpProbe.get(batond.port(), "/").generation().orElse(-1));
        assertEquals(0, load.report().failures(), load::toString);
    }
}
