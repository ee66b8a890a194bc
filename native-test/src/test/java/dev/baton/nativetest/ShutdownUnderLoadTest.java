package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SIGTERM under load: the in-flight request is answered, batond exits 0 and leaves no process
 * behind. Clients that arrive after the listener closed are refused; that is expected.
 */
class ShutdownUnderLoadTest {
    private static final int SLEEP_MS = 2000;
    /** Responses the clients must have had before the signal, so the shutdown really happens under load. */
    private static final long UNDER_LOAD = 1000;

    @Test
    @Timeout(120)
    void termFinishesInflightWorkAndLeavesNothingBehind() throws Exception {
        try (BatondProcess batond = BatondProcess.startWithHello("ShutdownUnderLoadTest")) {
            batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP);
            long child = batond.spawnedChildren().get(1);

            try (LoadClient load = LoadClient.start(batond.port(), 2, 2);
                 HttpConnection connection = HttpConnection.open(batond.port(), Duration.ofSeconds(30))) {
                assertTrue(load.awaitSuccesses(UNDER_LOAD, Duration.ofSeconds(20)), () -> "too few answers: " + load.report());

                connection.send("/", true); // the connection now belongs to generation 1
                assertEquals(200, connection.readResponse().status());
                connection.send("/sleep?ms=" + SLEEP_MS, true);
                CompletableFuture<HttpResponse> slow = CompletableFuture.supplyAsync(() -> {
                    try {
                        return connection.readResponse();
                    } catch (Exception e) {
                        throw new AssertionError("the in-flight request failed: " + e, e);
                    }
                });

                List<ProcessHandle> family = batond.descendants();
                LoadReport beforeTerm = load.report();
                batond.signal("TERM");

                HttpResponse response = slow.get(SLEEP_MS + 30_000, TimeUnit.MILLISECONDS);
                assertEquals(200, response.status(), response::toString);
                assertEquals(1, response.generation().orElse(-1), response::toString);

                assertEquals(0, batond.waitFor(Duration.ofSeconds(40)), () -> batond.output().tail(40));
                load.stop();

                assertEquals(0, beforeTerm.failures(), () -> "failures before SIGTERM: " + beforeTerm);
                LoadReport report = load.report();
                System.out.println("load before SIGTERM: " + beforeTerm + "\nload in all: " + report);
                assertEquals(0, report.badStatus(), () -> "responses other than 200: " + report);
                assertTrue(report.ok() > 0, report::toString);

                batond.awaitLine(BatondLines.SHUTDOWN_REQUESTED, Duration.ofSeconds(5));
                assertEquals("0", batond.awaitLine(BatondLines.EXITING, Duration.ofSeconds(5)).group(1));
                assertTrue(batond.output().awaitEnd(Duration.ofSeconds(10)),
                        "batond's stdout is still held open by some process");
                assertTrue(family.stream().map(ProcessHandle::pid).anyMatch(pid -> pid == child),
                        () -> "gen=1 pid " + child + " was not a descendant of batond: " + family);
                List<Long> alive = family.stream().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
                        .collect(Collectors.toList());
                assertEquals(List.of(), alive, "descendants of batond still alive");
                assertEquals(List.of(), batond.livingChildren(), "spawned children still alive");
            }
        }
    }
}
