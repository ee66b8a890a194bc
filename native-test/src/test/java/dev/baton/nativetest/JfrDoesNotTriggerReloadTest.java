package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * HotSpot's thread sampler (JFR) suspends threads with SIGUSR2 unless {@code _JAVA_SR_SIGNUM}
 * moves it: a recording in batond's JVM must not be taken for reload requests.
 */
class JfrDoesNotTriggerReloadTest {
    /** How long the issue says to watch a recording for spurious reloads. */
    private static final Duration WATCH = Duration.ofSeconds(20);

    @Test
    @Timeout(120)
    void aJfrRecordingInBatondCausesNoReload() throws Exception {
        Path recording = Artifacts.targetDir().resolve("batond.jfr");
        Files.createDirectories(recording.getParent());
        Files.deleteIfExists(recording);
        List<String> jvm = List.of("-XX:StartFlightRecording=duration=30s,filename=" + recording);
        try (BatondProcess batond = BatondProcess.start("JfrDoesNotTriggerReloadTest", jvm, BatondProcess.helloArgs())) {
            batond.awaitLine(Pattern.compile("Started recording"), BatondProcess.STARTUP); // JFR is really on
            batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP);

            Optional<Matcher> reload = batond.awaitLineWithin(BatondLines.RELOAD_REQUESTED, WATCH);

            assertTrue(reload.isEmpty(), () -> "spurious reload while JFR recorded:\n" + batond.output().tail(40));
            assertEquals(1, batond.countLines(BatondLines.ANY_SPAWNED), () -> batond.output().tail(40));
            assertTrue(batond.isAlive(), () -> batond.output().tail(40));
            HttpResponse response = HttpProbe.get(batond.port(), "/");
            assertEquals(1, response.generation().orElse(-1), response::toString);

            batond.signal("TERM");
            assertEquals(0, batond.waitFor(Duration.ofSeconds(40)), () -> batond.output().tail(40));
        }
    }
}
