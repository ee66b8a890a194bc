package dev.baton.supervisor.log;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where batond's log lines go: a bounded queue, drained by one daemon thread that writes them to
 * stderr. A thread that logs never waits for the output: when stderr is a pipe whose reader has
 * stopped (a paused pager, a slow journald), the writer blocks in its write, the queue fills, and
 * further lines are dropped and counted ({@link #dropped()}, shown by {@code batonctl status}).
 * Once the output moves again, the writer says so in one line, where the lines are missing:
 * {@code WARN  batond: 1234 log line(s) dropped: the log output was stalled for 12.3s}.
 *
 * <p>The writer writes to file descriptor 2 through its own {@link FileOutputStream}, not through
 * {@code System.err}, whose lock any other code may hold. At exit a shutdown hook gives it up to
 * {@link #EXIT_FLUSH_MS} to write what is queued; a stalled output never holds up batond's exit.
 */
public final class LogOutput {
    /** At most this many lines wait for the output... */
    static final int CAPACITY_LINES = 1000;
    /** ...and at most this many characters (a few stack traces must not fill batond's small heap). */
    static final int CAPACITY_CHARS = 256 * 1024;
    /** How long the writer gets, at exit, to write what is queued. */
    static final long EXIT_FLUSH_MS = 1000;

    /** A line (or a line and its stack trace), and the lines dropped before it was queued. */
    private record Entry(String text, long droppedBefore) {}

    private final BlockingQueue<Entry> queue;
    private final int capacityChars;
    private final OutputStream sink;
    private final AtomicLong queuedChars = new AtomicLong();
    /** Lines refused because the queue was full. */
    private final AtomicLong dropped = new AtomicLong();
    /** Lines whose write failed (stderr closed, say): lost too, but no notice would get through. */
    private final AtomicLong failed = new AtomicLong();
    /** System.nanoTime() when the write under way began, 0 when the writer is not writing. */
    private volatile long writingSince;
    /** writingSince when the first line since the last notice was dropped, else 0. */
    private final AtomicLong stalledSince = new AtomicLong();
    private final Thread writer;

    // The writer thread's own state (reported is read by flush() too).
    private volatile long reported;
    private long stalledNanos;
    // Guarded by this: entries accepted and entries written, for flush().
    private long accepted;
    private long written;

    LogOutput(OutputStream sink, int capacityLines, int capacityChars, String threadName) {
        this.sink = sink;
        this.queue = new ArrayBlockingQueue<>(capacityLines);
        this.capacityChars = capacityChars;
        this.writer = new Thread(this::drain, threadName);
        writer.setDaemon(true);
        writer.start();
    }

    /** The one output of the shaded batond: stderr, flushed for up to a second at exit. */
    static LogOutput stderr() {
        return Stderr.OUTPUT;
    }

    /**
     * Log lines batond dropped since it started (its log output stalled, or failed), for status and
     * metrics; 0 where batond's classes log through something else (tests, with logback).
     */
    public static long dropped() {
        LogOutput output = installed;
        return output == null ? 0 : output.droppedLines();
    }

    /** Writes what is queued (at most {@code timeoutMs}): before batond execs its next image, which would lose it. */
    public static void flushInstalled(long timeoutMs) {
        LogOutput output = installed;
        if (output != null) {
            output.flush(timeoutMs);
        }
    }

    /** Set once stderr's output exists; read without creating it (and its thread) as {@link Stderr} would. */
    private static volatile LogOutput installed;

    private static final class Stderr {
        static final LogOutput OUTPUT = create();

        private static LogOutput create() {
            LogOutput output = new LogOutput(new FileOutputStream(FileDescriptor.err), CAPACITY_LINES, CAPACITY_CHARS,
                    "batond-log");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> output.flush(EXIT_FLUSH_MS), "batond-log-flush"));
            installed = output;
            return output;
        }
    }

    /** Queues {@code text} (one or more whole lines, each ending in a newline); never blocks. */
    void write(String text) {
        long chars = text.length();
        Entry entry = new Entry(text, dropped.get());
        synchronized (this) {
            // Counted before offering, so that flush() never misses an entry the writer already took.
            accepted++;
        }
        if (queuedChars.addAndGet(chars) > capacityChars || !queue.offer(entry)) {
            queuedChars.addAndGet(-chars);
            synchronized (this) {
                accepted--;
                notifyAll();
            }
            long since = writingSince;
            stalledSince.compareAndSet(0, since != 0 ? since : System.nanoTime());
            dropped.incrementAndGet();
        }
    }

    long droppedLines() {
        return dropped.get() + failed.get();
    }

    /**
     * Waits until everything queued so far is written, and the notice of lines dropped so far, at
     * most {@code timeoutMs}; returns whether it was. Never blocks longer, even if the writer is
     * stuck in a write.
     */
    boolean flush(long timeoutMs) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        synchronized (this) {
            long target = accepted;
            long droppedSoFar = dropped.get();
            while (written < target || reported < droppedSoFar) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    private void drain() {
        while (true) {
            Entry entry = queue.poll();
            if (entry == null) {
                // Idle: say what was dropped since the last notice, then wait for the next line.
                notice(dropped.get());
                try {
                    entry = queue.take();
                } catch (InterruptedException e) {
                    return;
                }
            }
            queuedChars.addAndGet(-entry.text().length());
            // The lines dropped before this one was queued were logged before it: the notice comes first.
            notice(entry.droppedBefore());
            if (!put(entry.text())) {
                failed.incrementAndGet();
            }
            synchronized (this) {
                written++;
                notifyAll();
            }
        }
    }

    /** Writes the notice for the lines dropped up to {@code droppedUpTo} not yet reported, if any. */
    private void notice(long droppedUpTo) {
        if (droppedUpTo <= reported) {
            return;
        }
        long count = droppedUpTo - reported;
        long stalledMs = stalledNanos / 1_000_000;
        stalledNanos = 0;
        put(LogLine.format("WARN", count + " log line(s) dropped: the log output was stalled for "
                + stalledMs / 1000 + "." + stalledMs / 100 % 10 + "s") + "\n");
        synchronized (this) {
            reported = droppedUpTo; // after the write: flush() waits for the notice to be out
            notifyAll(); // a flush() may wait for this notice
        }
    }

    /** One write to the sink; false if it failed. */
    private boolean put(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        long start = System.nanoTime();
        writingSince = start;
        try {
            sink.write(bytes);
            sink.flush();
            return true;
        } catch (IOException e) {
            return false;
        } finally {
            writingSince = 0;
            // Lines were dropped while this write was blocked: the output stalled from then until now.
            long since = stalledSince.getAndSet(0);
            if (since != 0) {
                stalledNanos += System.nanoTime() - since;
            }
        }
    }

    @Override
    public String toString() {
        return "LogOutput[" + writer.getName() + ", queued " + queue.size() + ", dropped " + droppedLines() + "]";
    }
}
