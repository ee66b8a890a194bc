package dev.baton.supervisor.control;

import dev.baton.supervisor.os.Native;
import dev.baton.supervisor.os.NativeSockets;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One accepted connection to the control socket: batond's own blocking descriptor. Its serving
 * thread reads, writes and closes it; the timer and accepting threads may shut its input down to
 * end a read that takes too long. Shutting down and closing hold this object's lock, so that a
 * late shutdown never meets a closed descriptor, let alone one the kernel has given to another
 * socket meanwhile.
 */
public final class ControlConnection {
    private final Native nat;
    private final NativeSockets sockets;
    private final int fd;
    private boolean closed; // guarded by this

    ControlConnection(Native nat, int fd) {
        this.nat = nat;
        this.sockets = nat.sockets();
        this.fd = fd;
    }

    /** Who connected (SO_PEERCRED). */
    Native.Peer peer() throws IOException {
        return nat.peer(fd);
    }

    /** Blocks until some bytes arrive: their count, or -1 at end of stream (or once the input is shut down). */
    int read(ByteBuffer into) throws IOException {
        return sockets.receive(fd, into, true);
    }

    /** What has arrived, without waiting: its count, 0 for nothing yet, -1 at end of stream. */
    int readNow(ByteBuffer into) throws IOException {
        return sockets.receive(fd, into, false);
    }

    /** Writes all of {@code from}, blocking while the socket buffer is full. */
    void writeAll(ByteBuffer from) throws IOException {
        while (from.hasRemaining()) {
            sockets.send(fd, from, true);
        }
    }

    /** Writes what fits now; the bytes written. */
    int writeNow(ByteBuffer from) throws IOException {
        return sockets.send(fd, from, false);
    }

    /** Ends a read blocked on it (it returns end of stream) and every later one. Any thread; quiet. */
    synchronized void shutdownInput() {
        if (!closed) {
            try {
                sockets.shutdown(fd, NativeSockets.Shutdown.INPUT);
            } catch (IOException ignored) {
                // the peer has gone: the read has ended anyway
            }
        }
    }

    /** Tells the peer that the answer is complete (end of stream on its side). */
    synchronized void shutdownOutput() throws IOException {
        if (closed) {
            throw new IOException("control connection is closed");
        }
        sockets.shutdown(fd, NativeSockets.Shutdown.OUTPUT);
    }

    /** Closes the descriptor. Idempotent. */
    synchronized void close() {
        if (!closed) {
            closed = true;
            nat.close(fd);
        }
    }
}
