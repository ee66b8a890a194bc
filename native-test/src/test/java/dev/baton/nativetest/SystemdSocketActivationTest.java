package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Services run unchanged under systemd socket activation, started by systemd's own tool:
 * {@code systemd-socket-activate -l 127.0.0.1:P1 -l 127.0.0.1:P2 --fdname=http:admin COMMAND}
 * binds both ports, waits for a first connection, then execs COMMAND in its own process with
 * fds 3 and 4, {@code LISTEN_FDS=2}, {@code LISTEN_PID} (that same pid) and
 * {@code LISTEN_FDNAMES=http:admin}. child-api finds each listener by its name.
 */
class SystemdSocketActivationTest {
    private static final Duration EVENT = Duration.ofSeconds(60);

    @Test
    @Timeout(90)
    void listenersAreFoundByTheirFdNames() throws Exception {
        int http = SupervisorCommands.freePort();
        int admin = SupervisorCommands.freePort();
        List<String> child = new ArrayList<>(FaultFile.testJvm(NamedListenerChild.class));
        child.addAll(List.of("admin", "http")); // asked in the other order than passed: by name, not position
        ProcessBuilder command = SupervisorCommands.socketActivate(List.of(http, admin), List.of("http", "admin"), child);
        try (BatondProcess activator = BatondProcess.start("SystemdSocketActivationNamesTest", command)) {
            activator.awaitLine("Listening on 127\\.0\\.0\\.1:" + admin + " as 4", EVENT);
            wakeUp(http);
            activator.awaitLine("named-listener mode=SYSTEMD pid=" + activator.pid(), EVENT);
            activator.awaitLine("named-listener admin fd=4 address=127\\.0\\.0\\.1:" + admin + "$", EVENT);
            activator.awaitLine("named-listener http fd=3 address=127\\.0\\.0\\.1:" + http + "$", EVENT);
            assertEquals(0, activator.waitFor(EVENT), () -> activator.output().tail(20));
        }
    }

    @Test
    @Timeout(90)
    void helloServesOnEveryActivatedSocketAndDrainsOnSigterm() throws Exception {
        int http = SupervisorCommands.freePort();
        int admin = SupervisorCommands.freePort();
        ProcessBuilder command = SupervisorCommands.socketActivate(List.of(http, admin), List.of("http", "admin"),
                Artifacts.helloCommand());
        try (BatondProcess activator = BatondProcess.start("SystemdSocketActivationHelloTest", command)) {
            activator.awaitLine("Listening on 127\\.0\\.0\\.1:" + admin + " as 4", EVENT);
            assertFalse(activator.output().firstIndex(Pattern.compile("Execing")) >= 0,
                    "socket activation starts the service on the first connection, not before");

            // The first request starts the service; it waits in the accept queue meanwhile.
            HttpResponse first = HttpProbe.get(http, "/");
            assertEquals(200, first.status(), first::toString);
            // LISTEN_PID matched: systemd-socket-activate exec'd java in its own process.
            assertEquals(activator.pid(), first.pid().orElse(-1), first::toString);
            activator.awaitLine("hello baton: mode=SYSTEMD generation=0 listeners=\\[http \\(fd 3\\), admin \\(fd 4\\)\\]", EVENT);
            activator.awaitLine("hello serving generation=0 pid=" + activator.pid() + " on 127\\.0\\.0\\.1:" + http
                    + ",127\\.0\\.0\\.1:" + admin, EVENT);
            HttpResponse second = HttpProbe.get(admin, "/");
            assertEquals(200, second.status(), second::toString);
            assertEquals(activator.pid(), second.pid().orElse(-1), second::toString);

            BatondProcess.kill("TERM", activator.pid());
            assertEquals(0, activator.waitFor(EVENT), () -> activator.output().tail(20));
            activator.awaitLine("hello server closed served=2", EVENT);
        }
    }

    /** A connection that only wakes the activator up; the service sees it and closes it unanswered. */
    private static void wakeUp(int port) throws Exception {
        try (HttpConnection connection = HttpConnection.open(port)) {
            // connected: that is all systemd-socket-activate waits for
        }
    }
}
