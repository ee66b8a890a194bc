package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Mistakes a user can make get one clear line and an exit code, never a stack trace. */
@Timeout(60)
class BadInvocationTest {

    @Test
    void missingChildCommand() throws Exception {
        FinishedRun run = run("BadInvocationTest-missingChildCommand", List.of("--listen", "127.0.0.1:0"));
        assertEquals(2, run.code(), run::toString);
        run.assertOneLineError("child command");
    }

    @Test
    void emptyChildCommandAfterDoubleDash() throws Exception {
        FinishedRun run = run("BadInvocationTest-emptyChildCommand", List.of("--listen", "127.0.0.1:0", "--"));
        assertEquals(2, run.code(), run::toString);
        run.assertOneLineError("child command");
    }

    @Test
    void unparsableListenAddress() throws Exception {
        FinishedRun run = run("BadInvocationTest-unparsableListenAddress", withHello("--listen", "nonsense"));
        assertEquals(2, run.code(), run::toString);
        run.assertOneLineError("nonsense");
    }

    @Test
    void portInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            FinishedRun run = run("BadInvocationTest-portInUse", withHello("--listen", address));
            assertNotEquals(0, run.code(), run::toString);
            run.assertNoStackTrace();
            List<String> errors = run.linesContaining("in use");
            assertEquals(1, errors.size(), run::toString);
            assertTrue(errors.get(0).contains(address), () -> "the error does not name " + address + ": " + run);
            assertEquals(0, run.count(BatondLines.ANY_SPAWNED), () -> "a child started although the port is taken: " + run);
        }
    }

    @Test
    void noListeners() throws Exception {
        FinishedRun run = run("BadInvocationTest-noListeners", withHello());
        assertEquals(2, run.code(), run::toString);
        run.assertOneLineError("no listeners: give --listen");
    }

    @Test
    void unparsableMetricsAddress() throws Exception {
        FinishedRun run = run("BadInvocationTest-unparsableMetrics", withHello("--listen", "127.0.0.1:0", "--metrics", "nonsense"));
        assertEquals(2, run.code(), run::toString);
        run.assertOneLineError("--metrics");
    }

    @Test
    void metricsPortInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            FinishedRun run = run("BadInvocationTest-metricsPortInUse", withHello("--listen", "127.0.0.1:0", "--metrics", address));
            assertEquals(2, run.code(), run::toString);
            run.assertOneLineError("--metrics " + address);
            assertEquals(0, run.count(BatondLines.ANY_SPAWNED), () -> "a child started although metrics failed: " + run);
        }
    }

    @Test
    void controlSocketOfARunningBatond() throws Exception {
        try (BatondProcess first = BatondProcess.startWithHello("BadInvocationTest-controlInUse-first")) {
            String control = first.awaitLine(BatondLines.STARTED, BatondProcess.STARTUP).group(3);
            FinishedRun run = run("BadInvocationTest-controlInUse", withHello("--listen", "127.0.0.1:0", "--control", control));
            assertEquals(1, run.code(), run::toString);
            run.assertOneLineError("is in use by another batond: give this one its own --control PATH");
            assertEquals(0, run.count(BatondLines.ANY_SPAWNED), run::toString);
            assertTrue(first.isAlive());
            assertTrue(java.nio.file.Files.exists(java.nio.file.Path.of(control)), "the first batond's socket is left alone");
        }
    }

    @Test
    void controlDirectoryOfAnotherUser() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("baton-foreign-");
        java.nio.file.Files.setAttribute(dir, "unix:uid", 65534); // as if another user had made it first
        FinishedRun run = run("BadInvocationTest-foreignControlDir",
                withHello("--listen", "127.0.0.1:0", "--control", dir.resolve("control").toString()));
        assertEquals(1, run.code(), run::toString);
        run.assertOneLineError("belongs to uid 65534, not to batond's uid");
        assertEquals(0, run.count(BatondLines.ANY_SPAWNED), run::toString);
    }

    private static FinishedRun run(String name, List<String> args) throws InterruptedException {
        return FinishedRun.of(name, BatondLauncher.batond(List.of(), args));
    }

    private static List<String> withHello(String... options) {
        List<String> args = new ArrayList<>(List.of(options));
        args.add("--");
        args.addAll(Artifacts.helloCommand());
        return args;
    }
}
