package dev.baton.supervisor.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * batond's log output over a sink the test can stall, as a stopped pipe reader stalls stderr: the
 * threads that log never wait, lines beyond the queue are dropped and counted, the writer says how
 * many once the sink moves again, and the lines that were queued keep their order.
 */
@Timeout(30)
public class LogOutputTest {
    private static final Duration NEVER_WAITS = Duration.ofSeconds(5);
    private static final Pattern NOTICE = Pattern.compile(
            "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z WARN  batond: (\\d+) log line\\(s\\) dropped: "
                    + "the log output was stalled for (\\d+)\\.(\\d)s$");

    /** An output stream that blocks every write while stalled, as a full pipe does, and says when a write is waiting. */
    static final class StallableSink extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final Semaphore blockedWrites = new Semaphore(0);
        private boolean stalled;

        synchronized void stall() {
            stalled = true;
        }

        synchronized void resume() {
            stalled = false;
            notifyAll();
        }

        /** Waits until a write is blocked in this sink. */
        void awaitBlockedWrite() throws InterruptedException {
            assertTrue(blockedWrites.tryAcquire(10, TimeUnit.SECONDS), "no write reached the stalled sink");
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            if (stalled) {
                blockedWrites.release();
            }
            while (stalled) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
            }
            bytes.write(b, off, len);
        }

        synchronized List<String> lines() {
            return List.of(bytes.toString(StandardCharsets.UTF_8).split("\n"));
        }
    }

    @Test
    void aStalledSinkDropsAndCountsLinesWithoutBlockingTheCallerAndSaysSoOnceItMoves() throws Exception {
        StallableSink sink = new StallableSink();
        LogOutput out = new LogOutput(sink, 10, 1 << 20, "test-log-stall");
        sink.stall();
        long stallStart = System.nanoTime();
        out.write("line 0\n");
        sink.awaitBlockedWrite(); // the writer holds line 0 and waits in the sink: the queue is empty

        assertTimeoutPreemptively(NEVER_WAITS, () -> {
            for (int i = 1; i <= 16; i++) {
                out.write("line " + i + "\n"); // 1..10 fill the queue; 11..16 are dropped
            }
        });
        assertEquals(6, out.droppedLines());
        assertFalse(assertTimeoutPreemptively(NEVER_WAITS, () -> out.flush(100)), "flush gives up while the sink is stalled");

        // A stall long enough to show in the notice (not a synchronisation: the writer is already blocked).
        Thread.sleep(300);
        sink.resume();
        long stallMs = (System.nanoTime() - stallStart) / 1_000_000;
        assertTrue(out.flush(10_000));
        out.write("line 17\n");
        assertTrue(out.flush(10_000));

        List<String> lines = sink.lines();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i <= 10; i++) {
            expected.add("line " + i);
        }
        assertEquals(expected, lines.subList(0, 11), lines::toString);
        Matcher notice = NOTICE.matcher(lines.get(11));
        assertTrue(notice.matches(), lines::toString);
        assertEquals("6", notice.group(1));
        long reportedMs = Long.parseLong(notice.group(2)) * 1000 + Long.parseLong(notice.group(3)) * 100;
        assertTrue(reportedMs >= 300 && reportedMs <= stallMs + 100, "stalled for " + reportedMs + " ms of " + stallMs);
        assertEquals("line 17", lines.get(12), lines::toString);
        assertEquals(13, lines.size(), lines::toString);
        assertEquals(6, out.droppedLines(), "the count stays: it is a total");
    }

    @Test
    void theNoticeComesWhereTheLinesAreMissing() throws Exception {
        StallableSink sink = new StallableSink();
        LogOutput out = new LogOutput(sink, 3, 1 << 20, "test-log-gap");
        sink.stall();
        out.write("a\n");
        sink.awaitBlockedWrite();
        out.write("b\n");
        out.write("c\n");
        out.write("d\n");
        out.write("dropped 1\n");
        out.write("dropped 2\n");
        sink.resume();
        out.write("e\n"); // may or may not find room: either way it comes after the notice
        assertTrue(out.flush(10_000));
        List<String> lines = sink.lines();
        assertEquals(List.of("a", "b", "c", "d"), lines.subList(0, 4), lines::toString);
        Matcher notice = NOTICE.matcher(lines.get(4));
        assertTrue(notice.matches(), lines::toString);
        long dropped = Long.parseLong(notice.group(1));
        assertEquals(dropped, out.droppedLines());
        assertEquals(dropped == 2 ? List.of("e") : List.of(), lines.subList(5, lines.size()), lines::toString);
    }

    @Test
    void aCharacterBudgetBoundsTheMemoryOfQueuedLines() throws Exception {
        StallableSink sink = new StallableSink();
        LogOutput out = new LogOutput(sink, 1000, 100, "test-log-budget");
        sink.stall();
        out.write("first\n");
        sink.awaitBlockedWrite();
        out.write("x".repeat(60) + "\n");
        out.write("y".repeat(60) + "\n"); // 122 characters queued would exceed 100
        assertEquals(1, out.droppedLines());
        sink.resume();
        assertTrue(out.flush(10_000));
        List<String> lines = sink.lines();
        assertEquals(List.of("first", "x".repeat(60)), lines.subList(0, 2), lines::toString);
        assertTrue(NOTICE.matcher(lines.get(2)).matches(), lines::toString);
    }

    @Test
    void failedWritesCountAsDropped() {
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Bad file descriptor");
            }
        };
        LogOutput out = new LogOutput(broken, 10, 1 << 20, "test-log-broken");
        out.write("lost\n");
        out.write("lost too\n");
        assertTrue(out.flush(10_000));
        assertEquals(2, out.droppedLines());
    }

    @Test
    void aLineAndItsStackTraceAreOneEntryInTheUsualFormat() {
        StallableSink sink = new StallableSink();
        LogOutput out = new LogOutput(sink, 10, 1 << 20, "test-log-format");
        LogLine log = new LogLine("batond", out);
        log.info("gen={} pid={} spawned", 3, 1234);
        log.error("internal error handling {}", "event", new IllegalStateException("boom"));
        assertTrue(out.flush(10_000));
        List<String> lines = sink.lines();
        assertTrue(lines.get(0).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO  batond: gen=3 pid=1234 spawned"),
                lines::toString);
        assertTrue(lines.get(1).matches("\\S+Z ERROR batond: internal error handling event"), lines::toString);
        assertEquals("java.lang.IllegalStateException: boom", lines.get(2));
        assertTrue(lines.get(3).startsWith("\tat dev.baton.supervisor.log.LogOutputTest."), lines::toString);
        assertEquals(0, LogOutput.dropped(), "under tests batond logs through logback: no stderr output was made");
    }
}
