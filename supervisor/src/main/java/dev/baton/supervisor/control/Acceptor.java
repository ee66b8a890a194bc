package dev.baton.supervisor.control;

import java.io.IOException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accept loop of the control socket on a daemon thread of its own (the handoff socket's
 * selector thread accepts for itself):
 * each connection goes to {@code onAccept}; the loop ends when the server socket is closed.
 */
public final class Acceptor {
    private static final Logger LOG = LoggerFactory.getLogger("batond");

    private Acceptor() {}

    /** Starts the thread {@code what + "-accept"}; {@code closed} tells a deliberate close from a failure. */
    static void start(String what, ServerSocketChannel server, BooleanSupplier closed,
                      Consumer<SocketChannel> onAccept) {
        Thread thread = new Thread(() -> {
            while (!closed.getAsBoolean()) {
                SocketChannel channel;
                try {
                    channel = server.accept();
                } catch (IOException e) {
                    if (!closed.getAsBoolean()) {
                        LOG.error("{} accept failed: {}", what, e.getMessage());
                    }
                    return;
                }
                if (channel != null) {
                    onAccept.accept(channel);
                }
            }
        }, what + "-accept");
        thread.setDaemon(true);
        thread.start();
    }
}
