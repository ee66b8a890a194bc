package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Mistakes a user can make get one clear line and an exit code, never a stack trace. */
@Timeout(60)
class BadInvocationTest {
    private static final java.util.concurrent.atomic.AtomicInteger RUNS = new java.util.concurrent.atomic.AtomicInteger();

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
    void aPlatformWhoseStructLayoutsBatondDoesNotKnowIsRefusedInOneLine() throws Exception {
        // os.arch as a JVM on RISC-V would report it: batond lays out msghdr, sockaddr and the rest by hand.
        FinishedRun run = FinishedRun.of("BadInvocationTest-unknownPlatform",
                BatondLauncher.batond(List.of("-Dos.arch=riscv64"), withHello("--listen", "127.0.0.1:0")));
        assertEquals(1, run.code(), run::toString);
        run.assertOneLineError("batond: this build knows the struct layouts of Linux on x86_64 and aarch64 only,"
                + " not Linux on riscv64");
        assertEquals(0, run.count(BatondLines.ANY_SPAWNED), run::toString);
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

    static Stream<Arguments> badValues() {
        String timeout = "from 1ms to 24h";
        String backoff = "from 1ms to 1h";
        return Stream.of(
                // Issue 11: each of these ended in a stack trace, a crash after the spawn, or a batond that never exited.
                Arguments.of("--drain-timeout", "999999999999999999h", timeout),
                Arguments.of("--ready-timeout", "999999999999999999m", timeout),
                Arguments.of("--drain-timeout", "10000000000s", timeout),
                Arguments.of("--ready-timeout", "10000000000s", timeout),
                Arguments.of("--ready-timeout", "25h", timeout),
                Arguments.of("--drain-timeout", "86400001ms", timeout),
                Arguments.of("--drain-timeout", "0s", timeout),
                Arguments.of("--drain-timeout", "-5s", timeout),
                Arguments.of("--drain-timeout", "", timeout),
                Arguments.of("--drain-timeout", "30", timeout),
                Arguments.of("--ready-timeout", "30d", timeout),
                Arguments.of("--ready-timeout", "Infinity", timeout),
                Arguments.of("--restart-backoff-min", "2h", backoff),
                Arguments.of("--restart-backoff-max", "99999999999999999999999ms", backoff),
                Arguments.of("--max-draining", "65", "from 1 to 64"),
                Arguments.of("--max-draining", "0", "from 1 to 64"),
                Arguments.of("--max-draining", "99999999999", "from 1 to 64"),
                Arguments.of("--max-draining", "NaN", "from 1 to 64"),
                Arguments.of("--memory-headroom", "Infinity", "more than 0, at most 100000"),
                Arguments.of("--memory-headroom", "1e400", "more than 0, at most 100000"),
                Arguments.of("--memory-headroom", "NaN", "more than 0, at most 100000"),
                Arguments.of("--memory-headroom", "-1", "more than 0, at most 100000"),
                Arguments.of("--memory-headroom", "0", "more than 0, at most 100000"),
                Arguments.of("--memory-headroom", "100001", "more than 0, at most 100000"),
                Arguments.of("--min-ready", "61m", "from 0 to 1h"),
                Arguments.of("--min-ready", "-3s", "from 0 to 1h"),
                Arguments.of("--min-ready", "3", "from 0 to 1h"),
                Arguments.of("--min-ready", "999999999999999999h", "from 0 to 1h"),
                Arguments.of("--min-ready", "soon", "from 0 to 1h"),
                Arguments.of("--start-nice", "20", "from 0 (off) to 19"),
                Arguments.of("--start-nice", "-1", "from 0 (off) to 19"),
                Arguments.of("--start-nice", "high", "from 0 (off) to 19"),
                Arguments.of("--start-nice", "99999999999", "from 0 (off) to 19"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("badValues")
    void aValueOutOfRangeIsOneLineNamingOptionValueAndRange(String option, String value, String range) throws Exception {
        FinishedRun run = run("BadInvocationTest-badValue-" + RUNS.incrementAndGet(), withHello("--listen", "127.0.0.1:0", option + "=" + value));
        assertEquals(2, run.code(), run::toString);
        run.assertOneLineError("batond: " + option + ": '" + value + "' ");
        assertTrue(run.lines().get(0).endsWith(range) || run.lines().get(0).endsWith("(" + range + ")"), run::toString);
        assertEquals(0, run.count(BatondLines.ANY_SPAWNED), run::toString);
    }

    @Test
    void controlAtTheRootDirectory() throws Exception {
        assertBadPath("controlRoot", List.of("--control", "/"), "batond: --control /: is a directory");
    }

    @Test
    void emptyControlPath() throws Exception {
        assertBadPath("controlEmpty", List.of("--control="), "batond: --control: empty path");
    }

    @Test
    void controlAtARegularFileLeavesTheFileAlone() throws Exception {
        Path file = Files.writeString(Files.createTempDirectory("baton-bad-").resolve("notes.txt"), "precious");
        assertBadPath("controlFile", List.of("--control", file.toString()),
                "batond: --control " + file + ": is a regular file, not a socket: batond does not replace it");
        assertEquals("precious", Files.readString(file));
    }

    @Test
    void controlAtASymlinkLeavesItAlone() throws Exception {
        Path dir = Files.createTempDirectory("baton-bad-");
        Path target = Files.writeString(dir.resolve("target"), "precious");
        Path link = Files.createSymbolicLink(dir.resolve("control"), target);
        assertBadPath("controlSymlink", List.of("--control", link.toString()),
                "batond: --control " + link + ": is a symbolic link: batond neither follows nor replaces one; give the path itself");
        assertTrue(Files.isSymbolicLink(link));
        assertEquals("precious", Files.readString(target));
    }

    @Test
    void controlUnderARegularFile() throws Exception {
        Path file = Files.writeString(Files.createTempDirectory("baton-bad-").resolve("file"), "x");
        assertBadPath("controlUnderFile", List.of("--control", file + "/sub/control"),
                "batond: --control " + file + "/sub/control: " + file + " is not a directory");
    }

    @Test
    void controlPathTooLongForAUnixSocket() throws Exception {
        Path dir = Files.createTempDirectory("baton-bad-");
        String path = dir + "/" + "c".repeat(108 - dir.toString().length() - 1);
        assertBadPath("controlTooLong", List.of("--control", path),
                "batond: --control " + path + ": too long for a Unix socket (108 bytes, at most 107)");
        String absurd = dir + "/" + "c".repeat(4000);
        FinishedRun run = run("BadInvocationTest-controlAbsurd", withHello("--listen", "127.0.0.1:0", "--control", absurd));
        assertEquals(2, run.code(), run::toString);
        run.assertOneLineError("too long for a Unix socket (" + absurd.length() + " bytes, at most 107)");
        assertTrue(run.lines().get(0).length() < 300, run::toString);
    }

    @Test
    void pathsWithSpacesAndNewlinesArePrintedOnOneLine() throws Exception {
        Path dir = Files.createDirectory(Files.createTempDirectory("baton-bad-").resolve("a b\nc"));
        assertBadPath("controlNewline", List.of("--control", dir.toString()),
                "batond: --control '" + dir.toString().replace("\n", "\\n") + "': is a directory");
        Path missing = dir.resolve("x y");
        assertBadPath("handoffNewline", List.of("--handoff-dir", missing.toString()),
                "batond: --handoff-dir '" + missing.toString().replace("\n", "\\n") + "': no such directory");
    }

    @Test
    void controlWhoseDirectoryCannotBeCreated() throws Exception {
        // As root every directory is writable: try it as nobody.
        String path = "/baton-nonexistent-" + ProcessHandle.current().pid() + "/sub/control";
        FinishedRun run = asNobody("controlNotCreatable", List.of("--control", path));
        assertEquals(2, run.code(), run::toString);
        run.assertOneLineError("batond: --control " + path + ": cannot create /baton-nonexistent-"
                + ProcessHandle.current().pid() + ": Permission denied");
        assertEquals(0, run.count(BatondLines.ANY_SPAWNED), run::toString);
    }

    @Test
    void missingHandoffDirectory() throws Exception {
        assertBadPath("handoffMissing", List.of("--handoff-dir", "/nonexistent/x"),
                "batond: --handoff-dir /nonexistent/x: no such directory");
    }

    @Test
    void emptyHandoffDirectory() throws Exception {
        assertBadPath("handoffEmpty", List.of("--handoff-dir="), "batond: --handoff-dir: empty path");
    }

    @Test
    void handoffDirectoryThatIsAFile() throws Exception {
        Path file = Files.writeString(Files.createTempDirectory("baton-bad-").resolve("file"), "x");
        assertBadPath("handoffFile", List.of("--handoff-dir", file.toString()),
                "batond: --handoff-dir " + file + ": not a directory");
    }

    @Test
    void handoffDirectoryTooLongForTheSocketInIt() throws Exception {
        Path base = Files.createTempDirectory("baton-bad-");
        Path dir = Files.createDirectory(base.resolve("h".repeat(60 - base.toString().length() - 1)));
        assertBadPath("handoffTooLong", List.of("--handoff-dir", dir.toString()), "batond: --handoff-dir " + dir
                + ": too long (60 bytes, at most 59): the handoff socket DIR/baton-HASH/handoff.sock must fit the 107 bytes of a Unix socket path");
    }

    @Test
    void handoffDirectoryThatIsNotWritable() throws Exception {
        Path readOnly = Files.createTempDirectory("baton-bad-");
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwxr-xr-x")); // root's, open to look at
        Path own = Files.createTempDirectory("baton-nobody-");
        Files.setAttribute(own, "unix:uid", 65534); // where nobody's control socket may go
        Path control = own.resolve("control");
        FinishedRun run = asNobody("handoffNotWritable", List.of("--control", control.toString(), "--handoff-dir", readOnly.toString()));
        assertEquals(2, run.code(), run::toString);
        run.assertOneLineError("batond: --handoff-dir " + readOnly + ": cannot create a directory in it: Permission denied");
        assertEquals(0, run.count(BatondLines.ANY_SPAWNED), run::toString);
        assertFalse(Files.exists(control, LinkOption.NOFOLLOW_LINKS), "no control socket was made: " + run);
    }

    @Test
    void whatOnlyFailsWhenCreatedIsStillOneLine() throws Exception {
        // /proc looks writable to root, but nothing can be created in it: ControlServer's and
        // HandoffServer's own errors, named with their file and reason.
        FinishedRun control = run("BadInvocationTest-controlInProc",
                withHello("--listen", "127.0.0.1:0", "--control", "/proc/baton-x/control"));
        assertEquals(1, control.code(), control::toString);
        control.assertOneLineError("batond: cannot open the control socket /proc/baton-x/control: /proc/baton-x: ");
        FinishedRun handoff = run("BadInvocationTest-handoffInProc",
                withHello("--listen", "127.0.0.1:0", "--handoff-dir", "/proc"));
        assertEquals(1, handoff.code(), handoff::toString);
        // The listeners were bound (and logged) before: the error is one line among them.
        handoff.assertNoStackTrace();
        assertEquals(1, handoff.linesContaining("batond: cannot create the handoff socket in /proc: /proc/baton-").size(),
                handoff::toString);
        assertEquals(0, handoff.count(BatondLines.ANY_SPAWNED), handoff::toString);
    }

    /** Exactly {@code line}, alone, exit 2, nothing spawned. */
    private static void assertBadPath(String name, List<String> options, String line) throws Exception {
        List<String> args = new ArrayList<>(List.of("--listen", "127.0.0.1:0"));
        args.addAll(options);
        args.add("--");
        args.addAll(Artifacts.helloCommand());
        FinishedRun run = run("BadInvocationTest-" + name, args);
        assertEquals(2, run.code(), run::toString);
        run.assertOneLineError(line);
        assertEquals(line, run.lines().get(0), run::toString);
        assertEquals(0, run.count(BatondLines.ANY_SPAWNED), run::toString);
    }

    /** batond run as uid 65534, for what root would be allowed to do. */
    private static FinishedRun asNobody(String name, List<String> options) throws InterruptedException {
        List<String> args = new ArrayList<>(List.of("--listen", "127.0.0.1:0"));
        args.addAll(options);
        ProcessBuilder builder = BatondLauncher.batond(List.of(), withHello(args.toArray(String[]::new)));
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        command.addAll(builder.command());
        builder.command(command);
        return FinishedRun.of("BadInvocationTest-" + name, builder);
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
