package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ExecStart=} of systemd/hello.service, run the way systemd runs it (its
 * {@code Environment=}, {@code $RUNTIME_DIRECTORY}), serves, reloads on SIGUSR2 and stops on
 * SIGTERM within the unit's {@code TimeoutStopSec=}. Only the install paths and the port differ:
 * the repository's launcher and jars, and port 0.
 */
@Timeout(180)
class ServiceUnitCommandTest {
    private static final Duration WAIT = BatondProcess.STARTUP;

    @TempDir
    Path run;

    @Test
    void theUnitsCommandServesReloadsAndStops() throws Exception {
        UnitFile service = UnitFile.read(Artifacts.root().resolve("systemd/hello.service"));
        List<String> words = Arrays.asList(service.required("Service", "ExecStart").split("\\s+"));
        assertEquals(UnitInstall.PREFIX + "bin/batond", words.get(0), "ExecStart= runs the installed bin/batond");
        List<String> args = new ArrayList<>();
        for (int i = 1; i < words.size(); i++) {
            String word = words.get(i);
            if (i > 1 && words.get(i - 1).equals("--listen")) {
                word = word.replaceFirst(":\\d+$", ":0");
            }
            args.add(switch (word) {
                case "/usr/bin/java" -> Artifacts.java();
                case "/opt/hello/hello.jar" -> Artifacts.helloJar().toString();
                default -> word;
            });
        }
        assertTrue(args.contains(Artifacts.helloJar().toString()), () -> "the child is not the installed hello.jar: " + words);

        ProcessBuilder builder = BatondLauncher.batond(List.of(), args);
        Map<String, String> env = builder.environment();
        for (String assignment : service.values("Service", "Environment")) {
            String[] pair = assignment.split("=", 2);
            env.put(pair[0], pair[1]);
        }
        // What RuntimeDirectory=hello with RuntimeDirectoryMode=0700 gives the service.
        Path runtime = Files.createDirectory(run.resolve(service.required("Service", "RuntimeDirectory")),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        env.put("RUNTIME_DIRECTORY", runtime.toString());

        try (BatondProcess batond = BatondProcess.start("ServiceUnitCommandTest", builder)) {
            Path handoff = Path.of(batond.awaitLine(BatondLines.STARTED, WAIT).group(2));
            assertTrue(handoff.startsWith(runtime), () -> "handoff socket " + handoff + " is not under " + runtime);
            int port = batond.port();
            batond.awaitLine(BatondLines.ready(1), WAIT);
            assertEquals(OptionalInt.of(1), HttpProbe.get(port, "/").generation());

            batond.signal("USR2");
            batond.awaitLine(BatondLines.reloadComplete(2), WAIT);
            batond.awaitLine(BatondLines.exited(1), WAIT);
            assertEquals(OptionalInt.of(2), HttpProbe.get(port, "/").generation());

            batond.signal("TERM");
            Duration stop = UnitFile.timespan(service.required("Service", "TimeoutStopSec"));
            assertEquals(0, batond.waitFor(stop), "batond exits 0 within TimeoutStopSec=" + stop);
        }
    }
}
