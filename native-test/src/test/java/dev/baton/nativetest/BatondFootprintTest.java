package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * batond idles in under 40 MB (bench/run measures it) because it loads none of the libraries that
 * child-api and batonctl use: jnr-ffi and the code it generates, jnr-posix, jnr-unixsocket, Netty,
 * picocli, jackson. BatondJarTest checks that batond.jar does not carry them; this test checks what
 * batond loads at run time, and keeps it that way: batond runs the way systemd
 * runs it (NOTIFY_SOCKET set), serves, reloads, answers status and reload requests and stops, while
 * the JVM logs every class it loads; none may come from those libraries.
 */
class BatondFootprintTest {
    private static final Duration EVENT = Duration.ofSeconds(60);
    private static final List<String> NOT_IN_BATOND = List.of(
            "jnr.", "io.netty.", "picocli.", "com.fasterxml.", "ch.qos.logback.",
            "org.objectweb.asm.");

    @Test
    @Timeout(180)
    void batondLoadsNoneOfTheLibrariesItCarriesForOthers() throws Exception {
        Path classLog = Files.createTempFile(Artifacts.targetDir(), "batond-classes-", ".log");
        try (NotifyListener systemd = NotifyListener.abstractSocket()) {
            ProcessBuilder command = BatondLauncher.batond(
                    List.of("-Xlog:class+load=info:file=" + classLog), BatondProcess.helloArgs());
            command.environment().put("NOTIFY_SOCKET", systemd.notifySocket());
            try (BatondProcess batond = BatondProcess.start("BatondFootprintTest", command)) {
                Path control = Path.of(batond.awaitLine(BatondLines.STARTED, BatondProcess.STARTUP).group(3));
                batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP);
                systemd.await(0, m -> m.startsWith("READY=1"), EVENT);

                batond.signal("USR2");
                batond.awaitLine(BatondLines.exited(1), EVENT);
                BatonctlCommand.Result status = BatonctlCommand.run(control, "status", "--json");
                assertEquals(0, status.exitCode(), status::toString);
                BatonctlCommand.Result reload = BatonctlCommand.run(control, "reload", "--wait");
                assertEquals(0, reload.exitCode(), reload::toString);

                batond.signal("TERM");
                assertEquals(0, batond.waitFor(EVENT));
            }
        }
        List<String> loaded = Files.readAllLines(classLog).stream()
                .filter(l -> l.contains("[class,load]"))
                .map(l -> l.substring(l.indexOf("[class,load]") + "[class,load]".length()).trim().split(" ")[0])
                .collect(Collectors.toList());
        assertTrue(loaded.contains("dev.baton.supervisor.os.LibcNative"), "the log covers batond's own classes");
        assertTrue(loaded.contains("dev.baton.supervisor.systemd.SdNotifier"), "and its sd_notify");
        List<String> foreign = loaded.stream()
                .filter(name -> NOT_IN_BATOND.stream().anyMatch(name::startsWith))
                .collect(Collectors.toList());
        assertEquals(List.of(), foreign, "classes batond must not load");
    }
}
