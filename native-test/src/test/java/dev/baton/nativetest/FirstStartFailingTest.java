package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A first start that keeps failing (the command does not exist) says why in status, and when it tries again. */
class FirstStartFailingTest {
    private static final Duration EVENT = Duration.ofSeconds(30);

    @Test
    @Timeout(90)
    void statusShowsTheLastFailureAndTheNextAttempt() throws Exception {
        List<String> args = List.of("--listen", "127.0.0.1:0", "--restart-backoff-min", "1s", "--restart-backoff-max", "4s",
                "--", "/nonexistent/baton-no-such-service", "--port", "8080");
        try (BatondProcess batond = BatondProcess.start("FirstStartFailingTest", List.of(), args)) {
            Path control = Path.of(batond.awaitLine(BatondLines.STARTED, BatondProcess.STARTUP).group(3));
            batond.awaitLine(BatondLines.restartIn("1s", 2), EVENT);

            BatonctlCommand.Result json = BatonctlCommand.run(control, "status", "--json");
            Map<String, Object> status = json.json();
            assertEquals("starting", status.get("state"), status::toString);
            String failure = (String) status.get("last_failure");
            assertNotNull(failure, status::toString);
            assertTrue(failure.contains("cannot start /nonexistent/baton-no-such-service: No such file or directory"), failure);
            assertTrue(((Number) status.get("failures_in_a_row")).intValue() >= 2, status::toString);
            assertNotNull(status.get("next_attempt_at"), status::toString);

            BatonctlCommand.Result human = BatonctlCommand.run(control, "status");
            assertEquals(0, human.exitCode(), human::toString);
            assertTrue(human.stdout().contains("not serving: gen="), human::toString);
            assertTrue(human.stdout().contains("No such file or directory"), human::toString);
            assertTrue(human.stdout().contains("next attempt at"), human::toString);
            assertTrue(batond.isAlive());
        }
    }
}
