package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 3,000 connections to the handoff socket that never say HELLO (issue 11, point 6): batond must
 * not spend a thread on each, must keep reloading without losing a request while they are held,
 * must close them itself (the test sees EOF on every one), saying why in a bounded number of log
 * lines, and must come back to its idle threads, descriptors and memory.
 */
class HandoffFloodTest {
    private static final int IDLE_CONNECTIONS = 3000;
    private static final Duration EVENT = Duration.ofSeconds(60);
    /** batond's HELLO timeout is 5 s; some slack for a loaded machine. */
    private static final Duration ALL_CLOSED = Duration.ofSeconds(60);
    private static final Duration SETTLE = Duration.ofSeconds(60);
    private static final long RSS_SLACK_KIB = 8 * 1024;
    /** The lines that say why a connection without HELLO was closed, one by one or summed up. */
    private static final Pattern NO_HELLO = Pattern.compile("handoff(:| connection \\d+) .*closed: no HELLO");
    private static final Pattern SUMMED_UP = Pattern.compile("handoff: \\d+ more connection\\(s\\) closed: no HELLO");
    private static final Pattern TIMED_OUT = Pattern.compile("handoff connection \\d+ closed: no HELLO within 5s");

    @Test
    @Timeout(300)
    void idleConnectionsCostNoThreadAndAreClosed() throws Exception {
        try (BatondProcess batond = BatondProcess.startWithHello("HandoffFloodTest")) {
            Path socket = Path.of(batond.awaitLine(BatondLines.STARTED, BatondProcess.STARTUP).group(2));
            batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP);
            try (LoadClient load = LoadClient.start(batond.port(), 2, 2)) {
                assertTrue(load.awaitGeneration(1, EVENT), load::toString);
                ProcStatus idle = ProcStatus.of(batond.pid());
                System.out.println("idle: " + idle);

                try (HeldConnections held = HeldConnections.open(socket, IDLE_CONNECTIONS)) {
                    ProcStatus flooded = ProcStatus.of(batond.pid());
                    System.out.println("with " + IDLE_CONNECTIONS + " idle connections: " + flooded);
                    assertTrue(flooded.threads() <= idle.threads() + 5,
                            () -> "threads grew with idle connections: idle " + idle + ", now " + flooded);

                    // A reload while they are held: the new child gets its listeners, no request fails.
                    ReloadStep.within(EVENT).run(batond, load, 2);
                    assertEquals(0, load.report().failures(), load::toString);

                    long received = held.awaitClosedByPeer(ALL_CLOSED, () -> batond.output().tail(20));
                    assertEquals(0, received, "batond sent bytes to connections that never said HELLO");
                }
                load.stop();
                assertEquals(0, load.report().failures(), load::toString);
                assertTrue(load.report().ok() > 0, load::toString);

                ProcStatus settled = awaitSettled(batond.pid(), idle);
                System.out.println("after: " + settled);
                assertTrue(settled.fds() <= idle.fds(), () -> "descriptors leaked: idle " + idle + ", after " + settled);
                // The JDK's process reaper pool keeps the thread of gen=1's exit idle for a minute.
                assertTrue(settled.threads() <= idle.threads() + 1, () -> "threads left: idle " + idle + ", after " + settled);
                assertTrue(settled.rssKiB() <= idle.rssKiB() + RSS_SLACK_KIB,
                        () -> "memory kept: idle " + idle + ", after " + settled);
            }

            batond.signal("TERM");
            assertEquals(0, batond.waitFor(EVENT), () -> batond.output().tail(40));
            batond.output().awaitEnd(Duration.ofSeconds(10));

            // Why they were closed is in the log, in a few lines (summaries included) rather than 3,000.
            int noHello = batond.countLines(NO_HELLO);
            assertTrue(noHello >= 1 && noHello <= 20, () -> noHello + " lines about connections without HELLO:\n"
                    + batond.output().tail(40));
            assertTrue(batond.countLines(TIMED_OUT) >= 1, () -> batond.output().tail(40));
            assertTrue(batond.countLines(SUMMED_UP) >= 1, () -> batond.output().tail(40));
            assertEquals(0, batond.countLines(BatondLines.STACK_FRAME), () -> batond.output().tail(40));
            assertEquals(0, batond.countLines(BatondLines.REFUSED_ANY), () -> batond.output().tail(40));
        }
    }

    /** Polls until batond is back to its idle descriptors and memory, or {@link #SETTLE} has passed. */
    private static ProcStatus awaitSettled(long pid, ProcStatus idle) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (true) {
            ProcStatus now = ProcStatus.of(pid);
            boolean settled = now.fds() <= idle.fds() && now.rssKiB() <= idle.rssKiB() + RSS_SLACK_KIB;
            if (settled || System.nanoTime() - deadline > 0) {
                return now;
            }
            Thread.sleep(200); // polling /proc, bounded by the deadline; not a synchronisation
        }
    }
}
