package dev.baton.child;

import java.time.Duration;
import java.time.Instant;

/**
 * Counts requests in flight and served, and waits for in-flight to reach zero. Call
 * {@link #begin()} when a request arrives and {@link #end()} when its response is written.
 */
public final class InflightTracker {
    private long inflight;
    private long served;

    /** Creates a tracker with nothing in flight and nothing served. */
    public InflightTracker() {}

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
        if (inflight == 0) {
            notifyAll();
        }
    }

    /** Requests begun and not yet ended. */
    public synchronized long inflight() {
        return inflight;
    }

    /** Requests ended so far. */
    public synchronized long served() {
        return served;
    }

    /** Waits until nothing is in flight; false if the deadline passed first. */
    public synchronized boolean awaitIdle(Instant deadline) throws InterruptedException {
        while (inflight > 0) {
            long millis = Duration.between(Instant.now(), deadline).toMillis();
            if (millis <= 0) {
                return false;
            }
            wait(millis);
        }
        return true;
    }

    @Override
    public synchronized String toString() {
        return "inflight=" + inflight + " served=" + served;
    }
}
