package dev.baton.supervisor.log;

import java.time.Duration;

import org.slf4j.Logger;

/**
 * A log line that clients can cause by the thousand (a connection dropped for idling, say): the
 * first few of a window are written in full, the rest only counted, and one summary line says
 * how many were left out once the window is over. Thread-safe.
 */
public final class LogBudget {
    private final Logger log;
    private final String summary;
    private final int perWindow;
    private final long windowNanos;
    private long windowStart;
    private boolean open;
    private int written;
    private long suppressed;

    /**
     * {@code summary} is a pattern with one {@code {}}, the number of lines left out, e.g.
     * {@code "handoff: {} more connection(s) closed: no HELLO in time"}.
     */
    public LogBudget(Logger log, String summary, int perWindow, Duration window) {
        this.log = log;
        this.summary = summary;
        this.perWindow = perWindow;
        this.windowNanos = window.toNanos();
    }

    /** Whether the line for one more occurrence at {@code now} (System.nanoTime) may be written; else it is counted. */
    public synchronized boolean allow(long now) {
        flush(now);
        if (!open) {
            open = true;
            windowStart = now;
            written = 0;
        }
        if (written < perWindow) {
            written++;
            return true;
        }
        suppressed++;
        return false;
    }

    /** Writes the summary when the window is over and something was left out; then starts afresh. */
    public synchronized void flush(long now) {
        if (open && now - windowStart >= windowNanos) {
            open = false;
            if (suppressed > 0) {
                log.warn(summary, suppressed);
                suppressed = 0;
            }
        }
    }

    /** Writes the summary of whatever was left out so far, window over or not (at shutdown). */
    public synchronized void flushNow() {
        if (suppressed > 0) {
            log.warn(summary, suppressed);
            suppressed = 0;
        }
        open = false;
    }

    /** When {@link #flush} has a summary to write (System.nanoTime), or {@code Long.MAX_VALUE}: nothing pending. */
    public synchronized long flushDue() {
        return open && suppressed > 0 ? windowStart + windowNanos : Long.MAX_VALUE;
    }
}
