package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

import dev.baton.protocol.Frame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * batond killed with SIGKILL, then started again with the same arguments: it finds its children
 * from batond.state, re-adopts the one that reconnects (checking its token and peer), takes the
 * listener back from it instead of binding, and carries on; no request fails meanwhile. A state
 * file it cannot trust is moved aside; a child that never comes back is shown as orphaned.
 */
class BatondDiesTest {
    private static final Duration SEEN = Duration.ofSeconds(30);
    private static final Pattern READOPTED = Pattern.compile("gen=1 pid=(\\d+) re-adopted \\(phase SERVING");
    private static final Pattern TAKEN_BACK = Pattern.compile("listeners taken back from the re-adopted child: \\S+=127\\.0\\.0\\.1:\\d+ fd=");
    private static final Pattern REFUSED_RESUME = Pattern.compile("handoff connection refused: wrong token in a RESUME HELLO");
    private static final Pattern STATE_REFUSED = Pattern.compile("state file (\\S+) refused: (.*); moved aside to (batond\\.state\\.bad-\\d+); starting fresh");

    @Test
    @Timeout(300)
    void aKilledBatondIsReplacedUnderLoadWithoutAFailedRequest() throws Exception {
        ProcessBuilder builder = BatondLauncher.batond(List.of(), BatondProcess.helloArgs());
        try (BatondProcess first = BatondProcess.start("BatondDiesTest-first", builder)) {
            Path socket = Path.of(first.awaitLine(BatondLines.STARTED, BatondProcess.STARTUP).group(2));
            Path control = Path.of(first.awaitLine(BatondLines.STARTED, BatondProcess.STARTUP).group(3));
            first.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP);
            long child = first.spawnedChildren().get(1);
            String oldToken = environ(child).get("BATON_TOKEN");
            assertNotNull(oldToken);
            Path stateFile = socket.resolveSibling("batond.state");
            awaitServingRecorded(stateFile);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(stateFile)));

            try (LoadClient load = LoadClient.start(first.port(), 2, 2)) {
                assertTrue(load.awaitGeneration(1, SEEN), () -> "no answer from gen=1: " + load.report());
                BatondProcess.kill("KILL", first.pid());
                first.waitFor(SEEN);
                assertTrue(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false), "the child serves on");

                try (BatondProcess second = BatondProcess.start("BatondDiesTest-second", builder)) {
                    assertEquals(Long.toString(child), second.awaitLine(READOPTED, SEEN).group(1));
                    second.awaitLine(TAKEN_BACK, SEEN);
                    assertEquals(0, second.countLines("listener \\S+ bound to"), "taken back, not bound");
                    Map<String, Object> status = BatonctlCommand.run(control, "status", "--json").json();
                    assertEquals(1, ((Number) status.get("serving_generation")).intValue(), status::toString);
                    Map<?, ?> gen1 = generation(status, 1);
                    assertEquals(child, ((Number) gen1.get("pid")).longValue(), status::toString);
                    assertEquals(Boolean.TRUE, gen1.get("adopted"), status::toString);
                    String text = BatonctlCommand.run(control, "status").stdout();
                    assertTrue(text.contains("gen=1 pid=" + child + " re-adopted"), text);
                    assertEquals(1, pidfds(second.pid()), "the re-adopted child is watched through a pidfd");

                    // A stranger at the stable path: a made-up token, then (below) the token of an exited generation.
                    assertEquals(0, exchange(socket, Frame.of("BATON", "1", "TOKEN", "made-up", "PID",
                            Long.toString(ProcessHandle.current().pid()), "RESUME", "1", "GENERATION", "1").encode()));
                    second.awaitLine(REFUSED_RESUME, SEEN);

                    Map<String, Object> reload = BatonctlCommand.run(control, "reload", "--wait", "--json").json();
                    assertEquals("succeeded", reload.get("outcome"), reload::toString);
                    Map<?, ?> old = (Map<?, ?>) reload.get("old");
                    assertEquals(child, ((Number) old.get("pid")).longValue(), reload::toString);
                    assertEquals(0, ((Number) old.get("exit_code")).intValue(), "the re-adopted child's EXIT= report: " + reload);
                    assertTrue(load.awaitGeneration(2, SEEN), () -> "no answer from gen=2: " + load.report());

                    assertEquals(0, exchange(socket, Frame.of("BATON", "1", "TOKEN", oldToken, "PID", Long.toString(child),
                            "RESUME", "1", "GENERATION", "1").encode()));
                    awaitTrue(() -> second.countLines(REFUSED_RESUME) == 2, "the exited generation's token refused");
                    assertEquals(0, pidfds(second.pid()), "the pidfd closed with the re-adopted child's exit");
                    long fds = openDescriptors(second.pid(), socket.getParent());
                    reload = BatonctlCommand.run(control, "reload", "--wait", "--json").json();
                    assertEquals("succeeded", reload.get("outcome"), reload::toString);
                    // Polled: a control connection or a handoff connection closing may still be on its way out.
                    awaitTrue(() -> {
                        try {
                            return openDescriptors(second.pid(), socket.getParent()) == fds;
                        } catch (IOException e) {
                            return false;
                        }
                    }, "batond's descriptors from one reload to the next: " + fds);

                    load.stop();
                    LoadReport report = load.report();
                    System.out.println("load across SIGKILL of batond, its restart and a reload: " + report);
                    assertEquals(0, report.failures(), report::toString);
                    assertTrue(report.generations().containsAll(java.util.Set.of(1, 2)), report::toString);

                    BatonctlCommand.Result stop = BatonctlCommand.run(control, "stop", "--wait");
                    assertEquals(0, stop.exitCode(), stop::toString);
                    assertEquals(0, second.waitFor(SEEN), () -> second.output().tail(40));
                    assertFalse(Files.exists(stateFile), "a clean end leaves no state behind");
                }
            }
        }
    }

    @Test
    @Timeout(300)
    void aStateFileBatondCannotTrustIsMovedAsideAndBatondStartsFresh() throws Exception {
        ProcessBuilder builder = BatondLauncher.batond(List.of(), BatondProcess.helloArgs());
        Path stateFile = killedWithItsChild(builder, "BatondDiesTest-corrupt-0");
        byte[] bytes = Files.readAllBytes(stateFile);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(stateFile, bytes);
        startsFresh(builder, "BatondDiesTest-corrupt-1", stateFile, "state checksum mismatch");

        stateFile = killedWithItsChild(builder, "BatondDiesTest-exposed-0");
        Files.setPosixFilePermissions(stateFile, PosixFilePermissions.fromString("rw-r--r--"));
        startsFresh(builder, "BatondDiesTest-exposed-1", stateFile, "mode rw-r--r-- lets other users read or change it");
    }

    @Test
    @Timeout(300)
    void aChildThatNeverReconnectsIsShownAsOrphaned() throws Exception {
        ProcessBuilder builder = BatondLauncher.batond(List.of(), BatondProcess.helloArgs());
        Path stateFile = killedWithItsChild(builder, "BatondDiesTest-orphan-0");
        // A live process that will never say RESUME, in a process group of its own as batond's children are.
        Process sleeper = new ProcessBuilder("setsid", "sleep", "600").start();
        try {
            String text = Files.readString(stateFile);
            String pid = Long.toString(sleeper.pid());
            text = text.replaceFirst("(?m)^gen\\.1\\.pid=\\d+$", "gen.1.pid=" + pid)
                    .replaceFirst("(?m)^gen\\.1\\.start=\\d+\\n", ""); // a state from before start times were kept
            writeWithChecksum(stateFile, text);
            try (BatondProcess batond = BatondProcess.start("BatondDiesTest-orphan-1", builder)) {
                Path control = Path.of(batond.awaitLine(BatondLines.STARTED, BatondProcess.STARTUP).group(3));
                batond.awaitLine("gen=1 pid=" + pid + " did not reconnect within 10s: orphaned", SEEN);
                Map<String, Object> status = BatonctlCommand.run(control, "status", "--json").json();
                Map<?, ?> gen1 = generation(status, 1);
                assertNotNull(gen1.get("orphaned_since"), status::toString);
                assertEquals(sleeper.pid(), ((Number) gen1.get("pid")).longValue());
                String shown = BatonctlCommand.run(control, "status").stdout();
                assertTrue(shown.contains("gen=1 pid=" + pid + " orphaned since "), shown);

                // stop drains it as any generation: SIGTERM to its group; its exit code is nobody's to know,
                // so stop --wait cannot call it clean.
                BatonctlCommand.Result stop = BatonctlCommand.run(control, "stop", "--wait");
                assertEquals(3, stop.exitCode(), stop::toString);
                assertTrue(stop.stdout().contains("gen=1 pid=" + pid + " exited with an unknown code"), stop::toString);
                batond.awaitLine("gen=1 pid=" + pid + " exited code=-1", SEEN);
                assertEquals(0, batond.waitFor(SEEN));
                assertFalse(sleeper.isAlive());
            }
        } finally {
            sleeper.destroyForcibly();
        }
    }

    /** Starts batond, waits for gen=1, SIGKILLs both; returns the state file they left. */
    private static Path killedWithItsChild(ProcessBuilder builder, String name) throws Exception {
        try (BatondProcess batond = BatondProcess.start(name, builder)) {
            Path socket = Path.of(batond.awaitLine(BatondLines.STARTED, BatondProcess.STARTUP).group(2));
            batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP);
            long child = batond.spawnedChildren().get(1);
            Path stateFile = socket.resolveSibling("batond.state");
            awaitServingRecorded(stateFile);
            BatondProcess.kill("KILL", batond.pid());
            batond.waitFor(SEEN);
            ProcessHandle handle = ProcessHandle.of(child).orElseThrow();
            handle.destroyForcibly();
            handle.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
            return stateFile;
        }
    }

    private static void startsFresh(ProcessBuilder builder, String name, Path stateFile, String why) throws Exception {
        try (BatondProcess batond = BatondProcess.start(name, builder)) {
            var refused = batond.awaitLine(STATE_REFUSED, SEEN);
            assertTrue(refused.group(2).contains(why), refused.group());
            assertTrue(Files.exists(stateFile.resolveSibling(refused.group(3))), "moved aside, not deleted");
            assertEquals(1, batond.countLines("state file .* refused"), "one line");
            batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP); // fresh: generation 1 again
            assertEquals(0, batond.countLines("re-adopted|waiting up to"));
            assertEquals(200, HttpProbe.get(batond.port(), "/").status());
        }
    }

    /** The state's text with its CRC-32 line made right again, mode 0600. */
    private static void writeWithChecksum(Path file, String text) throws IOException {
        String body = text.substring(0, text.lastIndexOf("checksum="));
        CRC32 crc = new CRC32();
        crc.update(body.getBytes(StandardCharsets.UTF_8));
        Files.writeString(file, body + "checksum=" + String.format("%08x", crc.getValue()) + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    private static Map<?, ?> generation(Map<String, Object> status, int number) {
        for (Object g : (List<?>) status.get("generations")) {
            if (((Number) ((Map<?, ?>) g).get("generation")).intValue() == number) {
                return (Map<?, ?>) g;
            }
        }
        throw new AssertionError("no gen=" + number + " in " + status);
    }

    private static Map<String, String> environ(long pid) throws IOException {
        Map<String, String> env = new java.util.HashMap<>();
        for (String entry : Files.readString(Path.of("/proc/" + pid + "/environ")).split("\0")) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return env;
    }

    private static long pidfds(long pid) throws IOException {
        try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().contains("pidfd");
                } catch (IOException e) {
                    return false; // closed meanwhile
                }
            }).count();
        }
    }

    /**
     * batond's descriptors, less those on {@code stateDir} (the directory itself and batond.state.tmp),
     * which its state file's writer holds for a moment after each change, on a thread of its own.
     */
    private static long openDescriptors(long pid, Path stateDir) throws IOException {
        try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.filter(fd -> {
                try {
                    Path target = Files.readSymbolicLink(fd);
                    return !target.startsWith(stateDir) || target.toString().endsWith(".sock");
                } catch (IOException e) {
                    return false; // closed meanwhile
                }
            }).count();
        }
    }

    /** Writes {@code bytes} to the handoff socket and reads until batond closes: how many bytes came back. */
    private static int exchange(Path socket, byte[] bytes) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap(bytes));
            ByteBuffer in = ByteBuffer.allocate(4096);
            int total = 0;
            channel.configureBlocking(false);
            long deadline = System.nanoTime() + SEEN.toNanos();
            try (java.nio.channels.Selector selector = java.nio.channels.Selector.open()) {
                channel.register(selector, java.nio.channels.SelectionKey.OP_READ);
                while (System.nanoTime() < deadline) {
                    selector.select(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                    selector.selectedKeys().clear();
                    int n;
                    try {
                        n = channel.read(in.clear());
                    } catch (IOException e) {
                        return total; // reset: closed as well
                    }
                    if (n < 0) {
                        return total;
                    }
                    total += n;
                }
            }
            throw new AssertionError("batond kept the stranger's handoff connection open for " + SEEN);
        }
    }

    /** The state file says gen=1 serves (the writer is a thread of its own: it follows the log, not in step). */
    private static void awaitServingRecorded(Path stateFile) throws InterruptedException {
        awaitTrue(() -> {
            try {
                return Files.readString(stateFile).contains("\nserving=1\n");
            } catch (IOException e) {
                return false;
            }
        }, "batond.state records gen=1 serving");
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + SEEN.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + SEEN + ": " + what);
            }
            Thread.sleep(20);
        }
    }
}
