package dev.baton.examples.jetty;

import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.eclipse.jetty.server.ServerConnector;

import dev.baton.child.Drainable;
import dev.baton.child.InflightTracker;

/**
 * The Jetty server's part in baton's drain, built on Jetty's own graceful shutdown.
 *
 * <p>{@link #stopAccepting()} shuts each connector down: its acceptor stops, every response from
 * then on carries {@code Connection: close}, and idle keep-alive connections are closed after
 * {@link #IDLE_CLOSE} (the connector's shutdown idle timeout). It also closes this process's copy
 * of each listening socket at once; other generations keep theirs, and the accept queue with them.
 * {@link #awaitIdle(Instant)} waits for the requests in flight, then for the connections to close.
 */
final class JettyDrain implements Drainable {
    /** An idle keep-alive connection is closed this long after the drain began. */
    static final Duration IDLE_CLOSE = Duration.ofSeconds(1);

    private final List<ServerConnector> connectors;
    private final List<ServerSocketChannel> channels;
    private final InflightTracker inflight;
    private volatile CompletableFuture<Void> connectionsClosed;

    JettyDrain(List<ServerConnector> connectors, List<ServerSocketChannel> channels, InflightTracker inflight) {
        this.connectors = List.copyOf(connectors);
        this.channels = List.copyOf(channels);
        this.inflight = inflight;
        connectors.forEach(c -> c.setShutdownIdleTimeout(IDLE_CLOSE.toMillis()));
    }

    @Override
    public void stopAccepting() throws Exception {
        connectionsClosed = CompletableFuture.allOf(connectors.stream()
                .map(ServerConnector::shutdown).toArray(CompletableFuture[]::new));
        // shutdown() interrupts the acceptor, which closes the channel; closing it here as well
        // makes "no longer accepting" hold when this returns. close(2) only: never shutdown(2).
        for (ServerSocketChannel channel : channels) {
            channel.close();
        }
    }

    @Override
    public boolean awaitIdle(Instant deadline) throws InterruptedException {
        if (!inflight.awaitIdle(deadline)) {
            return false;
        }
        CompletableFuture<Void> closed = connectionsClosed;
        if (closed == null) {
            return true; // never asked to stop accepting: nothing to wait for but requests
        }
        long millis = Duration.between(Instant.now(), deadline).toMillis();
        try {
            closed.get(Math.max(0, millis), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true; // a connector that failed to shut down is stopped with the server
        }
    }

    /** Requests answered (or failed) so far. */
    @Override
    public long served() {
        return inflight.served();
    }

    /** Requests received and not yet answered. */
    long inflight() {
        return inflight.inflight();
    }

    /** Connections accepted and not yet closed, over every connector. */
    int connections() {
        return connectors.stream().mapToInt(c -> c.getConnectedEndPoints().size()).sum();
    }
}
