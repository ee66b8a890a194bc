package dev.baton.child;

import java.io.Closeable;
import java.time.Instant;
import java.util.List;

/**
 * Something that serves traffic and takes part in the {@link Drain}. The drain calls every
 * participant stage by stage, each stage on all participants before the next begins:
 * <ol>
 *   <li>{@link #stopAccepting()}: close the listener, so new connections go to another process;</li>
 *   <li>{@link #awaitIdle(Instant)}: let the requests in flight finish;</li>
 *   <li>{@link #closeIdle(Instant)}: close keep-alive connections that are now idle;</li>
 *   <li>only past the deadline, {@link #abandon()}: close whatever is still open.</li>
 * </ol>
 * Then the drain closes the registered resources, so no resource is closed while a request
 * that uses it is still in flight (unless the deadline forced it).
 */
public interface Drainable {

    /**
     * Stage 1: stop taking new work. Close the listener here; from now on a response on a
     * keep-alive connection should say {@code Connection: close}.
     */
    void stopAccepting() throws Exception;

    /** Stage 2: wait until no request is in flight; false if the deadline came first. */
    boolean awaitIdle(Instant deadline) throws InterruptedException;

    /**
     * Stage 3: close the keep-alive connections that are idle now and wait, until the deadline,
     * for them to be closed. Returns how many were closed; the default has none to close.
     */
    default int closeIdle(Instant deadline) throws Exception {
        return 0;
    }

    /**
     * Past the deadline: closes what is still open and describes each thing it closed, one
     * line each (e.g. {@code GET /report from 10.0.0.7:51234}). Called at the end of every
     * drain; returns an empty list when nothing was left. The default closes nothing and
     * reports the number of requests still in flight.
     */
    default List<String> abandon() {
        long n = inflight();
        return n > 0 ? List.of(n + " request(s) still in flight") : List.of();
    }

    /** Requests in flight now, reported to batond as INFLIGHT; -1 when not counted. */
    default long inflight() {
        return -1;
    }

    /** Requests served so far, reported to batond as SERVED and in DRAINED; -1 when not counted. */
    default long served() {
        return -1;
    }

    /**
     * The common case: closing {@code listener} stops accepting, {@code inflight} counts the
     * requests to wait for. Accept through {@link InflightTracker#accept} ({@code
     * inflight.accept(server::accept)}), so that a connection accepted as the listener closes
     * is waited for too. Connections are the service's own business here (one request each, or
     * closed by the service when its requests end), so there are none to close idle.
     */
    static Drainable of(Closeable listener, InflightTracker inflight) {
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
            public long inflight() {
                return inflight.inflight();
            }

            @Override
            public long served() {
                return inflight.served();
            }

            @Override
            public String toString() {
                return "listener " + listener + " with " + inflight;
            }
        };
    }
}
