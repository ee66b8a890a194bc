package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An OutOfMemoryError anywhere in batond ends it at once, with HotSpot's own last line
 * ("Terminating due to java.lang.OutOfMemoryError"), rather than leaving a batond whose signal
 * handlers and accept threads have died: the JVM that bin/batond starts runs with
 * -XX:+ExitOnOutOfMemoryError, and so does the one under the systemd unit (which runs bin/batond).
 */
class OutOfMemoryExitTest {
    @Test
    @Timeout(90)
    void batondsJvmExitsOnOutOfMemory() throws Exception {
        try (BatondProcess batond = BatondProcess.startWithHello("OutOfMemoryExitTest")) {
            batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP);
            List<String> jvmArgs = List.of(new String(Files.readAllBytes(Path.of("/proc/" + batond.pid() + "/cmdline")),
                    StandardCharsets.UTF_8).split("\0"));
            assertTrue(jvmArgs.contains("-XX:+ExitOnOutOfMemoryError"), () -> "batond's JVM runs without it: " + jvmArgs);
        }
    }
}
