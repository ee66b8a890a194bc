package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * This test is systemd: batond runs with NOTIFY_SOCKET (an abstract socket) and WATCHDOG_USEC, and
 * the exact sequence of sd_notify messages over start, reload, failed reload and stop is checked.
 */
class NotifySocketTest {
    private static final Duration EVENT = Duration.ofSeconds(30);
    /** --ready-timeout 5s plus the 5 s grace for a failed start, in microseconds. */
    private static final String EXTEND = "EXTEND_TIMEOUT_USEC=10000000";

    @Test
    @Timeout(180)
    void startReloadFailedReloadAndStopInOrder() throws Exception {
        FaultFile faults = FaultFile.create("NotifySocketTest", "ok");
        try (NotifyListener systemd = NotifyListener.abstractSocket()) {
            ProcessBuilder command = faults.batond(List.of(
                    "--listen", "127.0.0.1:0", "--ready-timeout", "5s", "--drain-timeout", "10s"));
            command.environment().put("NOTIFY_SOCKET", systemd.notifySocket());
            command.environment().put("WATCHDOG_USEC", "1000000"); // WATCHDOG=1 every 0.5 s while serving
            try (BatondProcess batond = BatondProcess.start("NotifySocketTest", command)) {
                long gen1 = Long.parseLong(batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP).group(1));
                int firstReady = systemd.await(0, m -> m.startsWith("READY=1"), EVENT);
                systemd.await(firstReady, "WATCHDOG=1"::equals, EVENT);

                long beforeReload = System.nanoTime() / 1000;
                batond.signal("USR2");
                long gen2 = Long.parseLong(batond.awaitLine(BatondLines.ready(2), EVENT).group(1));
                batond.awaitLine(BatondLines.exited(1), EVENT);
                int succeeded = systemd.await(firstReady, m -> m.contains("last reload: gen=2 succeeded"), EVENT);
                long afterReload = System.nanoTime() / 1000;

                faults.set("exit-before-connect");
                batond.signal("USR2");
                batond.awaitLine(BatondLines.reloadFailed(3), EVENT);
                int rolledBack = systemd.await(succeeded, m -> m.contains("last reload (gen=3) failed"), EVENT);
                systemd.await(rolledBack, "WATCHDOG=1"::equals, EVENT);

                batond.signal("TERM");
                assertEquals(0, batond.waitFor(EVENT));
                int stopping = systemd.await(rolledBack, m -> m.startsWith("STOPPING=1"), EVENT);

                List<NotifyListener.Message> all = systemd.messages();
                List<String> sequence = new ArrayList<>();
                for (int i = 0; i < all.size(); i++) {
                    String text = all.get(i).text();
                    if (text.equals("WATCHDOG=1")) {
                        assertTrue(i > firstReady && i < stopping, "WATCHDOG=1 only while a child serves: " + all);
                    } else {
                        sequence.add(text);
                    }
                }
                List<String> expected = List.of(
                        EXTEND,
                        "READY=1\nSTATUS=serving gen=1 pid=" + gen1,
                        "RELOADING=1\nMONOTONIC_USEC=(\\d+)\nSTATUS=reloading: starting gen=2, gen=1 serves",
                        EXTEND,
                        "READY=1\nSTATUS=serving gen=2 pid=" + gen2 + "; last reload: gen=2 ready, gen=1 draining",
                        "STATUS=serving gen=2 pid=" + gen2 + "; last reload: gen=2 succeeded in \\d+(ms|s)",
                        "RELOADING=1\nMONOTONIC_USEC=\\d+\nSTATUS=reloading: starting gen=3, gen=2 serves",
                        EXTEND,
                        "READY=1\nSTATUS=serving gen=2 pid=" + gen2
                                + "; last reload \\(gen=3\\) failed: exited with code 3 before READY",
                        "STOPPING=1\nSTATUS=stopping: draining 1 generation\\(s\\)\nEXTEND_TIMEOUT_USEC=15000000");
                assertEquals(expected.size(), sequence.size(), () -> "sd_notify sequence: " + sequence);
                for (int i = 0; i < expected.size(); i++) {
                    String got = sequence.get(i);
                    assertTrue(got.matches(expected.get(i)), "message " + i + ": expected /" + expected.get(i)
                            + "/ but got '" + got + "'; all: " + sequence);
                }
                // MONOTONIC_USEC is CLOCK_MONOTONIC when the reload began: between our two readings.
                Matcher m = Pattern.compile(expected.get(2)).matcher(sequence.get(2));
                assertTrue(m.matches());
                long monotonic = Long.parseLong(m.group(1));
                assertTrue(monotonic >= beforeReload && monotonic <= afterReload,
                        () -> "MONOTONIC_USEC=" + monotonic + " not within [" + beforeReload + ", " + afterReload + "]");
            }
        }
    }
}
