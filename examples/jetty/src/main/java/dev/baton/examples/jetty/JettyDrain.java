package dev.baton.examples.jetty;

import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.eclipse.jetty.io.EndPoint;

import dev.baton.child.Drainable;
import dev.baton.child.InflightTracker;

/**
 * The Jetty server's part in baton's drain, built on Jetty's own graceful shutdown.
 *
 * <p>{@link #stopAccepting()} shuts each connector down: its acceptor stops, every response from
 * then on carries {@code Connection: close}, and idle keep-alive connections are closed after
 * {@link #IDLE_CLOSE} (the connector's shutdown idle timeout). It closes this process's copy of
 * each listening socket (close(2), never shutdown(2): other generations keep theirs, and the
 * accept queue with them) and returns once no acceptor is inside accept(2) any more.
 * {@link #awaitIdle(Instant)} waits for the requests in flight, {@link #closeIdle(Instant)} for every
 * connection this process accepted to close.
 */
final class JettyDrain implements Drainable {
    /** An idle keep-alive connection is closed this long after the drain began. */
    static final Duration IDLE_CLOSE = Duration.ofSeconds(1);
    /** An acceptor leaves accept(2) as soon as its signal arrives; this only bounds a wedged one. */
    static final Duration ACCEPTOR_EXIT = Duration.ofSeconds(5);

    private final List<CountingConnector> connectors;
    private final List<ServerSocketChannel> channels;
    private final InflightTracker inflight;
    private final AfterDrain afterDrain;

    JettyDrain(List<CountingConnector> connectors, List<ServerSocketChannel> channels, InflightTracker inflight,
            AfterDrain afterDrain) {
        this.connectors = List.copyOf(connectors);
        this.channels = List.copyOf(channels);
        this.inflight = inflight;
        this.afterDrain = afterDrain;
        connectors.forEach(c -> c.setShutdownIdleTimeout(IDLE_CLOSE.toMillis()));
    }

    @Override
    public void stopAccepting() throws Exception {
        try {
            connectors.forEach(CountingConnector::shutdown);
            for (ServerSocketChannel channel : channels) {
                channel.close();
            }
            Instant deadline = Instant.now().plus(ACCEPTOR_EXIT);
            for (CountingConnector connector : connectors) {
                if (!connector.awaitAcceptorOut(deadline)) {
                    throw new IllegalStateException("a Jetty acceptor is still in accept(2) " + ACCEPTOR_EXIT + " after close");
                }
            }
        } finally {
            afterDrain.begin(); // the drain has begun, whether or not every acceptor has left
        }
    }

    @Override
    public boolean awaitIdle(Instant deadline) throws InterruptedException {
        return inflight.awaitIdle(deadline);
    }

    /** Stage 3: Jetty closes idle keep-alive connections after {@link #IDLE_CLOSE}; wait for all to go. */
    @Override
    public int closeIdle(Instant deadline) throws InterruptedException {
        int open = connections();
        for (CountingConnector connector : connectors) {
            while (true) {
                // Jetty shortens the idle timeout of the connections it has when shutdown() runs; one
                // accepted an instant before may have registered just after, with the full timeout.
                connector.getConnectedEndPoints().forEach(JettyDrain::shortenIdleTimeout);
                Duration left = Duration.between(Instant.now(), deadline);
                if (connector.awaitClosed(left.compareTo(IDLE_CLOSE) < 0 ? left : IDLE_CLOSE)) {
                    break;
                }
                if (!Instant.now().isBefore(deadline)) {
                    return open - connections();
                }
            }
        }
        return open;
    }

    private static void shortenIdleTimeout(EndPoint endPoint) {
        if (endPoint.getIdleTimeout() > IDLE_CLOSE.toMillis()) {
            endPoint.setIdleTimeout(IDLE_CLOSE.toMillis());
        }
    }

    /** Requests answered (or failed) so far. */
    @Override
    public long served() {
        return inflight.served();
    }

    /** Requests received and not yet answered. */
    @Override
    public long inflight() {
        return inflight.inflight();
    }

    /** Connections accepted and not yet closed, over every connector. */
    int connections() {
        return connectors.stream().mapToInt(CountingConnector::openConnections).sum();
    }
}
