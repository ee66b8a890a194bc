package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A slow request in flight on generation 1 when the reload starts is answered by generation 1,
 * which only exits after the answer is out.
 */
class InflightRequestSurvivesReloadTest {
    /** How long after generation 1's drain began its slow request is answered. */
    private static final int SLEEP_MS = 2000;

    @Test
    @Timeout(120)
    void slowRequestIsAnsweredByTheOldGenerationBeforeItExits() throws Exception {
        try (BatondProcess batond = BatondProcess.startWithHello("InflightRequestSurvivesReloadTest")) {
            batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP);

            try (SlowRequest request = SlowRequest.untilDrain(batond.port(), 1, SLEEP_MS)) {
                CompletableFuture<Answer> answer = request.response()
                        .thenApply(response -> new Answer(response, batond.output().lines()));
                batond.signal("USR2");

                Answer slow = answer.get(SLEEP_MS + 60_000, TimeUnit.MILLISECONDS); // generation 2 starts first
                assertEquals(200, slow.response.status(), slow.response::toString);
                assertEquals(1, slow.response.generation().orElse(-1), slow.response::toString);
                assertTrue(slow.contains(BatondLines.draining(1)),
                        "gen=1 answered before batond said it was draining");
                assertFalse(slow.contains(BatondLines.exitedOrKilled(1)),
                        "gen=1 had exited before its in-flight response arrived");
            }

            batond.awaitLine(BatondLines.ready(2), BatondProcess.STARTUP);
            Matcher reload = batond.awaitLine(BatondLines.reloadFinished(2), BatondProcess.STARTUP);
            assertEquals("complete", reload.group(1), reload.group());
            Matcher exit = batond.awaitLine(BatondLines.exitedOrKilled(1), Duration.ofSeconds(40));
            assertEquals("exited code=0", exit.group(2), exit.group());

            HttpResponse after = HttpProbe.get(batond.port(), "/");
            assertEquals(200, after.status(), after::toString);
            assertEquals(2, after.generation().orElse(-1), after::toString);
        }
    }

    /** The response, and batond's output at the moment it arrived. */
    private record Answer(HttpResponse response, List<String> linesSoFar) {
        boolean contains(Pattern pattern) {
            return linesSoFar.stream().anyMatch(line -> pattern.matcher(line).find());
        }
    }
}
