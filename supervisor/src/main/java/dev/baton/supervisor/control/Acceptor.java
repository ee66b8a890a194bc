package dev.baton.supervisor.control;

import dev.baton.supervisor.os.Native;
import dev.baton.supervisor.os.NativeSockets;

import java.io.IOException;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accept loop of the control socket on a daemon thread of its own (the handoff socket's
 * thread accepts for itself): each connection (blocking, close-on-exec) goes to {@code onAccept}.
 * The loop ends when {@code closed} turns true and the listener is shut down (a blocked accept
 * then returns), or when accept fails; then the thread runs {@code onEnd}, which closes the
 * listener: closed by this thread only, no accept ever runs on a descriptor given to another file.
 */
public final class Acceptor {
    private static final Logger LOG = LoggerFactory.getLogger("batond");

    private Acceptor() {}

    /** Starts and returns the thread {@code what + "-accept"}; {@code closed} tells a deliberate close from a failure. */
    static Thread start(String what, int listener, Native nat, BooleanSupplier closed, IntConsumer onAccept,
                        Runnable onEnd) {
        NativeSockets sockets = nat.sockets();
        Thread thread = new Thread(() -> {
            try {
                while (!closed.getAsBoolean()) {
                    int fd;
                    try {
                        fd = sockets.accept(listener, false);
                    } catch (IOException e) {
                        if (!closed.getAsBoolean()) {
                            LOG.error("{} accept failed: {}", what, e.getMessage());
                        }
                        return;
                    }
                    if (closed.getAsBoolean()) {
                        nat.close(fd);
                        return;
                    }
                    if (fd >= 0) {
                        onAccept.accept(fd);
                    }
                }
            } finally {
                onEnd.run();
            }
        }, what + "-accept");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
