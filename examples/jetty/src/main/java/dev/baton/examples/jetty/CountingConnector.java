package dev.baton.examples.jetty;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;

import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A {@link ServerConnector} that knows what the drain needs to know and Jetty does not say: how
 * many connections are open, counted from the instant accept(2) returns them (before Jetty hands
 * them to a selector, so one accepted just before the listener closed is waited for too), and
 * whether its acceptor thread is still inside accept(2).
 *
 * <p>Closing a blocking JDK channel does not interrupt an accept(2) in progress at once: the
 * accepting thread is signalled, and may still return one last connection. So "stopped
 * accepting" is when the acceptor has left {@link #accept(int)}, see {@link #awaitAcceptorOut}.
 */
final class CountingConnector extends ServerConnector {
    private final Object lock = new Object();
    private int accepting; // acceptor threads inside accept(); guarded by lock
    private int open;      // connections accepted and not yet closed; guarded by lock

    /** One acceptor thread blocked in accept(2), one selector for the connections. */
    CountingConnector(Server server) {
        super(server, 1, 1);
    }

    @Override
    public void accept(int acceptorID) throws IOException {
        synchronized (lock) {
            accepting++;
        }
        try {
            super.accept(acceptorID);
        } finally {
            synchronized (lock) {
                accepting--;
                lock.notifyAll();
            }
        }
    }

    /** Called on the acceptor thread for every connection accept(2) returned, before it is registered. */
    @Override
    protected void configure(Socket socket) {
        synchronized (lock) {
            open++;
        }
        super.configure(socket);
    }

    @Override
    protected void onEndPointClosed(EndPoint endPoint) {
        super.onEndPointClosed(endPoint);
        synchronized (lock) {
            open--;
            lock.notifyAll();
        }
    }

    /** Connections accepted and not yet closed. */
    int openConnections() {
        synchronized (lock) {
            return open;
        }
    }

    /** Waits until no acceptor thread is inside accept(2); false if the deadline came first. */
    boolean awaitAcceptorOut(Instant deadline) throws InterruptedException {
        synchronized (lock) {
            return waitUntil(deadline, () -> accepting == 0);
        }
    }

    /** Waits until every accepted connection is closed, at most {@code slice}; true when they are. */
    boolean awaitClosed(Duration slice) throws InterruptedException {
        synchronized (lock) {
            return waitUntil(Instant.now().plus(slice), () -> open == 0);
        }
    }

    private boolean waitUntil(Instant deadline, java.util.function.BooleanSupplier done) throws InterruptedException {
        while (!done.getAsBoolean()) {
            long millis = Duration.between(Instant.now(), deadline).toMillis();
            if (millis <= 0) {
                return false;
            }
            lock.wait(millis);
        }
        return true;
    }
}
