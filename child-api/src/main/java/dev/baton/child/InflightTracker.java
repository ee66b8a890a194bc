package dev.baton.child;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

/**
 * Counts requests in flight and served, and waits for in-flight to reach zero. Accept with
 * {@link #accept(Accept)}, or call {@link #begin()} when a request arrives; call {@link #end()}
 * when its response is written.
 */
public final class InflightTracker {
    private long inflight;
    private long served;
    private long accepting;

    /** Creates a tracker with nothing in flight and nothing served. */
    public InflightTracker() {}

    /** One accept on a listener: {@code server::accept}. */
    @FunctionalInterface
    public interface Accept<T> {
        /** Returns the accepted connection, or null when there was none (a non-blocking listener). */
        T accept() throws IOException;
    }

    /**
     * Accepts a connection and begins its request, as one step for the drain: {@link #awaitIdle}
     * also waits for an accept that is still running. With {@code accept()} then {@code begin()},
     * a connection accepted just as the drain closed the listener would be counted only after
     * the drain had found nothing in flight, and reported as abandoned (exit 1). Use it on the
     * listener that the drain closes, as {@link Drainable#of} does: an accept blocked on a
     * listener that stays open would hold the drain until its deadline.
     *
     * @return the connection, its request begun; null, with nothing begun, when accept returned null
     */
    public <T> T accept(Accept<T> accept) throws IOException {
        synchronized (this) {
            accepting++;
        }
        T connection = null;
        try {
            connection = accept.accept();
            return connection;
        } finally {
            synchronized (this) {
                accepting--;
                if (connection != null) {
                    inflight++;
                }
                if (idle()) {
                    notifyAll();
                }
            }
        }
    }

    /** A request arrived. */
    public synchronized void begin() {
        inflight++;
    }

    /** The request's response is written (or it failed): it no longer counts as in flight. */
    public synchronized void end() {
        if (inflight == 0) {
            throw new IllegalStateException("end() without begin()");
        }
        inflight--;
        served++;
        if (idle()) {
            notifyAll();
        }
    }

    /** Requests begun and not yet ended (an accept still running is not one yet). */
    public synchronized long inflight() {
        return inflight;
    }

    /** Requests ended so far. */
    public synchronized long served() {
        return served;
    }

    /** Waits until nothing is in flight nor being accepted; false if the deadline passed first. */
    public synchronized boolean awaitIdle(Instant deadline) throws InterruptedException {
        while (!idle()) {
            long millis = Duration.between(Instant.now(), deadline).toMillis();
            if (millis <= 0) {
                return false;
            }
            wait(millis);
        }
        return true;
    }

    /** Nothing in flight and no accept running: what awaitIdle waits for. Called holding the lock. */
    private boolean idle() {
        return inflight + accepting == 0;
    }

    @Override
    public synchronized String toString() {
        return "inflight=" + inflight + " served=" + served;
    }
}
