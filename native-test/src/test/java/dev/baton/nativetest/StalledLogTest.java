package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.jr.ob.JSON;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * batond's stdout and stderr (and so its children's) go to a pipe whose reader, a {@code cat} of the
 * test's own, is stopped with SIGSTOP, as a pager paused with ^Z or a stuck journald would stop
 * reading. batond must go on as if nothing happened: status answered at once, reloads taken, lines
 * dropped and counted instead of waited for; once the reader resumes, one line says how many were
 * dropped; and a SIGTERM during a stall still ends batond by --drain-timeout (its child, blocked in
 * a write to the same pipe, is killed at the deadline).
 */
class StalledLogTest {
    private static final String NAME = "StalledLogTest";
    /** "At once": a control request that takes longer is waiting for something it should not. */
    private static final Duration ANSWER = Duration.ofSeconds(2);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(3);
    /** batond's SIGKILL at --drain-timeout, the reaping and its bounded (1 s) final flush fit in this. */
    private static final Duration KILL_GRACE = Duration.ofSeconds(5);
    private static final Duration EVENT = Duration.ofSeconds(60);
    private static final Pattern DROPPED = Pattern.compile(
            "\\dZ WARN  batond: (\\d+) log line\\(s\\) dropped: the log output was stalled for \\d+\\.\\ds$");

    private final ExecutorService requests = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, NAME + "-request");
        t.setDaemon(true);
        return t;
    });
    private Process reader;
    private BatondProcess batond;

    @BeforeEach
    void startBatondWritingIntoAPipe() throws Exception {
        Path fifo = Files.createTempDirectory(Artifacts.targetDir(), "stalled-log-").resolve("output");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor(), "mkfifo " + fifo);
        // The reader: the shell execs cat, so this pid is the process that reads the pipe.
        reader = new ProcessBuilder("sh", "-c", "exec cat \"$0\"", fifo.toString()).redirectErrorStream(true).start();
        reader.getOutputStream().close();
        OutputLog output = OutputLog.follow(reader.getInputStream(), Artifacts.logFile(NAME), NAME);

        List<String> args = new ArrayList<>(List.of("--listen", "127.0.0.1:0", "--ready-timeout", "60s",
                "--drain-timeout", DRAIN_TIMEOUT.toSeconds() + "s", "--"));
        args.addAll(Artifacts.helloCommand());
        ProcessBuilder command = BatondLauncher.batond(List.of(), args);
        // stdout into the pipe; stderr joins it (the launcher merges them), and the children inherit both.
        // Opening a FIFO for writing waits for its reader: cat opens it in its own process.
        command.redirectOutput(fifo.toFile());
        batond = BatondProcess.start(NAME, command, output);
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        requests.shutdownNow();
        if (reader == null) {
            return;
        }
        try {
            signalReader("CONT"); // so that a batond that waits for its output can still be stopped
        } catch (AssertionError e) {
            // the reader has gone already
        }
        if (batond != null) {
            batond.close();
        }
        reader.destroyForcibly();
        reader.waitFor(10, TimeUnit.SECONDS);
    }

    @Test
    @Timeout(300)
    void batondNeverWaitsForAStalledLogReader() throws Exception {
        Path control = Path.of(batond.awaitLine(BatondLines.STARTED, BatondProcess.STARTUP).group(3));
        batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP);
        assertEquals(0, dropped(control), "nothing dropped while the reader reads");

        // First stall: the reader stops, batond logs on (each unknown control command is one line from
        // its event loop) until it has dropped lines.
        signalReader("STOP");
        long dropped = fillUntilDropped(control, 0);
        for (int i = 0; i < 5; i++) {
            Map<String, Object> status = json(request(control, "status"));
            assertEquals("serving", status.get("state"), status::toString);
            assertTrue(((Number) status.get("log_lines_dropped")).longValue() >= dropped, status::toString);
        }
        String reload = request(control, "reload");
        assertTrue(reload.contains("\"ok\":true"), reload);
        BatonctlCommand.Result cli = BatonctlCommand.run(control, "status", "--json");
        assertEquals(0, cli.exitCode(), cli::toString);
        assertTrue(((Number) cli.json().get("log_lines_dropped")).longValue() > 0, cli::toString);

        // The reader resumes: the backlog comes out, with the count where the lines are missing, and
        // the reload requested during the stall goes through.
        signalReader("CONT");
        Matcher notice = batond.awaitLine(DROPPED, EVENT);
        assertTrue(Long.parseLong(notice.group(1)) > 0, notice.group());
        batond.awaitLine(BatondLines.reloadComplete(2), EVENT);
        batond.awaitLine(BatondLines.exitedOrKilled(1), EVENT);
        BatonctlCommand.Result human = BatonctlCommand.run(control, "status");
        assertEquals(0, human.exitCode(), human::toString);
        assertTrue(human.stdout().matches("(?s).*\\nlog: [1-9]\\d* line\\(s\\) dropped: .*"), human::toString);
        assertEquals(0, batond.countLines(BatondLines.STACK_FRAME), () -> batond.output().tail(40));

        // Second stall, then SIGTERM: the serving child logs as it drains and blocks on the same pipe;
        // batond kills it at --drain-timeout and exits, its own unwritten lines notwithstanding.
        signalReader("STOP");
        fillUntilDropped(control, dropped(control));
        List<ProcessHandle> children = batond.descendants();
        assertTrue(!children.isEmpty(), "the serving child runs");
        long signalled = System.nanoTime();
        batond.signal("TERM");
        int code = batond.waitFor(DRAIN_TIMEOUT.plus(KILL_GRACE));
        Duration took = Duration.ofNanos(System.nanoTime() - signalled);
        assertEquals(0, code, "exit code after SIGTERM");
        for (ProcessHandle child : children) {
            assertTrue(!child.isAlive(), () -> "child " + child.pid() + " outlived batond");
        }
        assertTrue(took.compareTo(DRAIN_TIMEOUT.plus(KILL_GRACE)) < 0, "batond took " + took + " to exit");
    }

    /**
     * Sends one-line control requests that batond's event loop logs ("unknown command") until status
     * reports more than {@code droppedBefore} dropped lines, and returns that count. That is how the
     * test knows the pipe is full, without guessing its size: batond drops a line only when its whole
     * queue (1,000 lines) waits behind a write that the pipe does not take. Every request must be
     * answered within {@link #ANSWER}, as before the stall.
     */
    private long fillUntilDropped(Path control, long droppedBefore) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        for (int i = 1; ; i++) {
            // printable() keeps 80 characters of the command: a line of about 160 bytes.
            String answer = request(control, "fill-" + i + "-" + "x".repeat(80));
            assertTrue(answer.contains("unknown command"), answer);
            if (i % 50 == 0) {
                long dropped = dropped(control);
                if (dropped > droppedBefore) {
                    return dropped;
                }
            }
            if (System.nanoTime() > deadline) {
                fail(i + " log lines with the reader stopped, and batond reports no line dropped: "
                        + json(request(control, "status")));
            }
        }
    }

    private long dropped(Path control) throws Exception {
        Object dropped = json(request(control, "status")).get("log_lines_dropped");
        return dropped instanceof Number n ? n.longValue() : 0;
    }

    /** One control request, which batond must answer within {@link #ANSWER}. */
    private String request(Path control, String line) throws Exception {
        Future<String> answer = requests.submit(() -> ControlClient.send(control, line + "\n"));
        try {
            return answer.get(ANSWER.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            answer.cancel(true);
            throw new AssertionError("batond did not answer '" + (line.length() > 20 ? line.substring(0, 20) + "..." : line)
                    + "' within " + ANSWER + " while its log reader was stopped: something in batond waits for its log output");
        } catch (ExecutionException e) {
            throw new AssertionError("control request '" + line + "' failed", e.getCause());
        }
    }

    private static Map<String, Object> json(String text) throws IOException {
        return JSON.std.mapFrom(text.trim());
    }

    private void signalReader(String signal) throws InterruptedException {
        BatondProcess.kill(signal, reader.pid());
    }
}
