package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The serving child is killed: batond keeps the listener open, starts the next generation at
 * once, and connections made meanwhile wait in the kernel's accept queue until it serves them.
 * A child that keeps dying is restarted after 1s, then 2s (--restart-backoff-min 1s).
 *
 * <p>A request the killed child had already accepted dies with it: no supervisor can answer it.
 * The load is therefore paused around each SIGKILL (no request in flight), and everything sent
 * after the kill, while no child serves, must succeed.
 */
class ChildCrashTest {
    /** Requests may wait for a backoff and a JVM start. */
    private static final Duration CLIENT_READ = Duration.ofSeconds(30);
    private static final Duration EVENT = Duration.ofSeconds(30);
    private static final Duration SEEN = Duration.ofSeconds(20);
    private static final int GAP_REQUESTS = 5;
    /** Answers the load must have had from a generation before it is killed. */
    private static final long UNDER_LOAD = 300;

    @Test
    @Timeout(180)
    void killedChildIsReplacedAndWaitingConnectionsAreServed() throws Exception {
        FaultFile faults = FaultFile.create("ChildCrashTest", "ok");
        ProcessBuilder command = faults.batond(List.of("--listen", "127.0.0.1:0", "--ready-timeout", "30s",
                "--drain-timeout", "10s", "--restart-backoff-min", "1s", "--restart-backoff-max", "30s"));
        try (BatondProcess batond = BatondProcess.start("ChildCrashTest", command)) {
            long gen1 = Long.parseLong(batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP).group(1));
            int port = batond.port();
            try (LoadClient load = LoadClient.start(port, "/",
                    List.of(ClientKind.NEW_CONNECTION, ClientKind.NEW_CONNECTION), CLIENT_READ)) {
                assertTrue(load.awaitGeneration(1, SEEN), () -> "no answer from gen=1: " + load.report());

                // First death: restarted at once.
                List<HttpConnection> gap = killUnderLoad(batond, load, 1, gen1, port);
                batond.awaitLine(BatondLines.restartIn("0s", 1), EVENT);
                long gen2 = Long.parseLong(batond.awaitLine(BatondLines.ready(2), EVENT).group(1));
                assertServedBy(2, gap);
                assertTrue(load.awaitGeneration(2, SEEN), () -> "clients never saw gen=2: " + load.report());

                // Second death in a row: --restart-backoff-min.
                gap = killUnderLoad(batond, load, 2, gen2, port);
                batond.awaitLine(BatondLines.restartIn("1s", 2), EVENT);
                long gen3 = Long.parseLong(batond.awaitLine(BatondLines.ready(3), EVENT).group(1));
                assertServedBy(3, gap);
                assertTrue(load.awaitGeneration(3, SEEN), () -> "clients never saw gen=3: " + load.report());

                // Third: twice that.
                gap = killUnderLoad(batond, load, 3, gen3, port);
                batond.awaitLine(BatondLines.restartIn("2s", 3), EVENT);
                batond.awaitLine(BatondLines.ready(4), EVENT);
                assertServedBy(4, gap);
                assertTrue(load.awaitGeneration(4, SEEN), () -> "clients never saw gen=4: " + load.report());

                load.stop();
                LoadReport report = load.report();
                System.out.println("load through 3 crashes: " + report);
                assertEquals(0, report.failures(), report::toString);
                assertEquals(Set.of(1, 2, 3, 4), report.generations(), report::toString);
            }
            List<String> restarts = batond.output().matches(BatondLines.ANY_RESTART).stream().map(Matcher::group).toList();
            assertEquals(List.of("starting a new generation in 0s (failure 1 in a row)",
                    "starting a new generation in 1s (failure 2 in a row)",
                    "starting a new generation in 2s (failure 3 in a row)"), restarts);
            assertEquals(4, batond.countLines(BatondLines.ANY_SPAWNED), () -> batond.output().tail(60));
            assertEquals(0, batond.countLines(BatondLines.RELOAD_REQUESTED), () -> batond.output().tail(60));
            assertTrue(batond.isAlive());
        }
    }

    /**
     * With no request in flight, SIGKILLs the serving generation; once batond has seen it die, opens
     * {@link #GAP_REQUESTS} connections and sends a request on each, then lets the load go on.
     * Returns the gap's connections, their answers still to be read.
     */
    private static List<HttpConnection> killUnderLoad(BatondProcess batond, LoadClient load,
            int generation, long pid, int port) throws Exception {
        long before = load.report().ok();
        assertTrue(load.awaitSuccesses(before + UNDER_LOAD, SEEN), () -> "too few answers: " + load.report());
        load.pause();
        try {
            BatondProcess.kill("KILL", pid);
            Matcher died = batond.awaitLine(BatondLines.died(generation), EVENT);
            assertEquals(Long.toString(pid), died.group(1), died.group());
            assertEquals("137", died.group(2), died.group());
            List<HttpConnection> gap = new ArrayList<>();
            for (int i = 0; i < GAP_REQUESTS; i++) {
                HttpConnection connection = HttpConnection.open(port, CLIENT_READ); // the kernel completes it
                gap.add(connection);
                connection.send("/", false);
            }
            assertEquals(0, batond.countLines(BatondLines.ready(generation + 1)),
                    "the next generation was ready before the gap requests were sent");
            return gap;
        } finally {
            load.resume();
        }
    }

    /** Every gap request was answered 200 by {@code generation}: it waited in the accept queue for it. */
    private static void assertServedBy(int generation, List<HttpConnection> gap) throws Exception {
        for (HttpConnection connection : gap) {
            try (connection) {
                HttpResponse response = connection.readResponse();
                assertEquals(200, response.status(), response::toString);
                assertEquals(generation, response.generation().orElse(-1), response::toString);
            }
        }
    }
}
