package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Without {@code _JAVA_SR_SIGNUM}, SIGUSR2 is shared with HotSpot (and JFR would reload batond
 * hundreds of times a second): batond started by hand with {@code java -jar} refuses to run.
 */
class UsrSignalRequiresSrSignumTest {

    @Test
    @Timeout(60)
    void batondRefusesToStartWithoutSrSignum() throws Exception {
        List<String> args = new ArrayList<>(List.of("--listen", "127.0.0.1:0", "--"));
        args.addAll(Artifacts.helloCommand());

        FinishedRun run = FinishedRun.of("UsrSignalRequiresSrSignumTest", BatondLauncher.bareJarWithoutSrSignum(args));

        assertNotEquals(0, run.code(), run::toString);
        run.assertNoStackTrace();
        assertEquals(1, run.linesContaining("_JAVA_SR_SIGNUM").size(), run::toString);
        assertEquals(0, run.count(BatondLines.ANY_SPAWNED), () -> "a child was started: " + run);
    }
}
