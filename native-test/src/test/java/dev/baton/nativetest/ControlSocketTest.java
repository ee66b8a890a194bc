package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * batonctl against a real batond under load: status, {@code reload --wait} with its evidence for a
 * good reload and for one that rolls back, bad requests that change nothing, and {@code stop --wait}.
 */
class ControlSocketTest {
    private static final Duration EVENT = Duration.ofSeconds(30);

    @Test
    @Timeout(240)
    void statusReloadWaitBadRequestsAndStop() throws Exception {
        FaultFile faults = FaultFile.create("ControlSocketTest", "ok");
        ProcessBuilder command = faults.batond(List.of(
                "--listen", "http=127.0.0.1:0", "--ready-timeout", "5s", "--drain-timeout", "10s"));
        try (BatondProcess batond = BatondProcess.start("ControlSocketTest", command)) {
            Path control = Path.of(batond.awaitLine(BatondLines.STARTED, BatondProcess.STARTUP).group(3));
            long gen1 = Long.parseLong(batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP).group(1));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(control)));

            BatonctlCommand.Result status = BatonctlCommand.run(control, "status");
            assertEquals(0, status.exitCode(), status::toString);
            assertTrue(status.stdout().contains("serving gen=1"), status::toString);
            assertTrue(status.stdout().matches("(?s).*\\n  http +127\\.0\\.0\\.1:" + batond.port() + " .*"), status::toString);
            assertTrue(status.stdout().matches("(?s).*\\n  1 +" + gen1 + " +serving .*"), status::toString);

            Map<String, Object> json = BatonctlCommand.run(control, "status", "--json").json();
            assertEquals(1, json.get("serving_generation"), json::toString);
            Map<?, ?> listener = (Map<?, ?>) ((List<?>) json.get("listeners")).get(0);
            assertEquals("http", listener.get("name"));
            assertEquals("127.0.0.1:" + batond.port(), listener.get("address"));
            Map<?, ?> generation = (Map<?, ?>) ((List<?>) json.get("generations")).get(0);
            assertEquals(gen1, ((Number) generation.get("pid")).longValue());
            assertEquals("serving", generation.get("state"));

            try (LoadClient load = LoadClient.start(batond.port(), 2, 2)) {
                assertTrue(load.awaitGeneration(1, EVENT), load::toString);

                BatonctlCommand.Result good = BatonctlCommand.run(control, "reload", "--wait");
                assertEquals(0, good.exitCode(), good::toString);
                assertTrue(good.stdout().startsWith("reload #1 (batonctl) succeeded in "), good::toString);
                assertTrue(good.stdout().contains("new generation  gen=2 pid="), good::toString);
                assertTrue(good.stdout().contains("old generation  gen=1 pid=" + gen1 + ", in-flight "), good::toString);
                assertTrue(good.stdout().contains(", exit code 0, drained in "), good::toString);
                // By the time batonctl returns, generation 1 has exited: the evidence is complete.
                batond.awaitLine(BatondLines.exited(1), Duration.ofSeconds(5));

                Map<String, Object> second = BatonctlCommand.run(control, "reload", "--wait", "--json").json();
                assertEquals("succeeded", second.get("outcome"), second::toString);
                assertEquals(Boolean.TRUE, second.get("clean"), second::toString);
                Map<?, ?> old = (Map<?, ?>) second.get("old");
                assertEquals(2, old.get("generation"), second::toString);
                assertEquals(0, old.get("exit_code"), second::toString);
                assertEquals(0, old.get("inflight_at_exit"), second::toString);
                Map<?, ?> kernel = (Map<?, ?>) second.get("kernel");
                assertEquals(0, kernel.get("listen_overflows"), second::toString);
                assertEquals(0, kernel.get("listen_drops"), second::toString);
                assertTrue(((Map<?, ?>) second.get("accept_queue")).containsKey("http"), second::toString);

                // A new generation that exits before READY: the reload rolls back and batonctl says so.
                faults.set("exit-before-connect");
                BatonctlCommand.Result bad = BatonctlCommand.run(control, "reload", "--wait", "--json");
                assertEquals(1, bad.exitCode(), bad::toString);
                Map<String, Object> failed = bad.json();
                assertEquals("failed", failed.get("outcome"), bad::toString);
                assertEquals("exited with code 3 before READY", failed.get("reason"), bad::toString);
                assertEquals(3, ((Map<?, ?>) failed.get("old")).get("generation"), bad::toString);
                faults.set("ok");

                BatonctlCommand.Result after = BatonctlCommand.run(control, "status");
                assertTrue(after.stdout().contains("serving gen=3"), after::toString);
                assertTrue(after.stdout().contains("reload #3 (batonctl) failed: exited with code 3 before READY"), after::toString);
                assertTrue(load.awaitSuccesses(load.report().ok() + 100, EVENT), load::toString);
                assertEquals(0, load.report().failures(), load::toString);
            }

            // Bad requests get an error line and change nothing.
            assertTrue(ControlClient.send(control, "frobnicate\n").startsWith(
                    "{\"ok\":false,\"error\":\"unknown command 'frobnicate': batond understands status, reload"));
            assertTrue(ControlClient.send(control, new byte[] {0, 1, 2, '\n'}).contains("malformed request"));
            assertTrue(ControlClient.send(control, "x".repeat(5000)).contains("malformed request"));
            assertTrue(ControlClient.send(control, "status").contains("malformed request"), "no newline");
            BatonctlCommand.Result unknown = BatonctlCommand.run(control, "frobnicate");
            assertEquals(2, unknown.exitCode(), unknown::toString);
            assertEquals(1, unknown.stderr().lines().count(), unknown::toString);
            assertEquals(3, BatonctlCommand.run(control, "status", "--json").json().get("serving_generation"));
            assertEquals(0, batond.countLines(BatondLines.STACK_FRAME), () -> batond.output().tail(40));

            BatonctlCommand.Result stop = BatonctlCommand.run(control, "stop", "--wait");
            assertEquals(0, stop.exitCode(), stop::toString);
            assertEquals("batond stopped: every generation drained\n", stop.stdout());
            assertEquals(0, batond.waitFor(EVENT));
            assertFalse(Files.exists(control), "the control socket is removed at exit");
            BatonctlCommand.Result gone = BatonctlCommand.run(control, "status");
            assertEquals(1, gone.exitCode(), gone::toString);
            assertTrue(gone.stderr().startsWith("batonctl: cannot reach batond at " + control), gone::toString);
        }
    }

    @Test
    @Timeout(120)
    void anotherUserIsRefused() throws Exception {
        try (BatondProcess batond = BatondProcess.startWithHello("ControlSocketTest-uid")) {
            Matcher started = batond.awaitLine(BatondLines.STARTED, BatondProcess.STARTUP);
            Path control = Path.of(started.group(3));
            batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP);
            // Let uid 65534 reach the socket at all; the mode (0600) would stop it first otherwise.
            Files.setPosixFilePermissions(control.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
            ProcessBuilder asNobody = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    Artifacts.root().resolve("bin/batonctl").toString(), "--control", control.toString(), "status");
            BatonctlCommand.Result denied = BatonctlCommand.run(asNobody);
            assertEquals(1, denied.exitCode(), denied::toString);
            assertTrue(denied.stderr().contains("Permission denied"), denied::toString);

            Files.setPosixFilePermissions(control, PosixFilePermissions.fromString("rw-rw-rw-"));
            BatonctlCommand.Result refused = BatonctlCommand.run(asNobody);
            assertEquals(1, refused.exitCode(), refused::toString);
            assertEquals("batonctl: refused: uid 65534 may not control this batond\n", refused.stderr(), refused::toString);
            batond.awaitLine("control connection refused: pid=\\d+ runs as uid 65534", EVENT);
            assertEquals(1, BatonctlCommand.run(control, "status", "--json").json().get("serving_generation"));
        }
    }
}
