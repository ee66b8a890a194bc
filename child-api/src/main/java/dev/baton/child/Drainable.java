package dev.baton.child;

import java.time.Instant;

/**
 * Something that serves traffic and takes part in the drain: first every participant stops
 * accepting, then each is waited on until idle or the deadline, then close hooks run.
 */
public interface Drainable {

    /** Stop taking new work: close the listener here, turn idle keep-alive connections away. */
    void stopAccepting() throws Exception;

    /** Wait until in-flight work has finished; false if the deadline came first. */
    boolean awaitIdle(Instant deadline) throws InterruptedException;

    /**
     * The common case: closing {@code listener} stops accepting, {@code inflight} counts the
     * requests to wait for.
     */
    static Drainable of(java.io.Closeable listener, InflightTracker inflight) {
        return new Drainable() {
            @Override
            public void stopAccepting() throws Exception {
                listener.close();
            }

            @Override
            public boolean awaitIdle(Instant deadline) throws InterruptedException {
                return inflight.awaitIdle(deadline);
            }

            @Override
            public long served() {
                return inflight.served();
            }
        };
    }

    /** Requests served so far, reported to batond in DRAINED; -1 when not counted. */
    default long served() {
        return -1;
    }
}
