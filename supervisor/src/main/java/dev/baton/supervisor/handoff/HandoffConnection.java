package dev.baton.supervisor.handoff;

import dev.baton.supervisor.os.NativeSockets;

import dev.baton.supervisor.os.Native;

import java.io.IOException;

import dev.baton.protocol.FrameReader;

/**
 * One connection to the handoff socket: its non-blocking descriptor (batond's own, from
 * {@link NativeSockets#accept}), the frame it is receiving, and when it must have sent its HELLO.
 * {@link HandoffServer}'s thread reads and closes it; the event loop sends on it. Sending and
 * closing hold this object's lock, so that sendmsg never meets a descriptor that was closed, let alone one the kernel has reused.
 */
public final class HandoffConnection {
    final int id;
    /** Read only while open: the handoff thread alone closes it, and only it reads. */
    final int fd;
    /** System.nanoTime by which the first frame must have arrived. */
    final long helloDeadline;
    final FrameReader reader = new FrameReader();
    /** Set when batond asked this child for its listeners: the descriptors it sends are awaited. */
    volatile boolean listenersAsked;
    /** Handoff thread only: descriptors received while the answer's frame is not complete yet. */
    final java.util.List<Integer> pendingFds = new java.util.ArrayList<>();
    /** Set by the loop's close request: frames still arriving are no longer passed on, sends fail. */
    private volatile boolean closing;
    private boolean closed; // guarded by this

    HandoffConnection(int id, int fd, long helloDeadline) {
        this.id = id;
        this.fd = fd;
        this.helloDeadline = helloDeadline;
    }

    /** Writes {@code bytes} with {@code fds} attached (SCM_RIGHTS). */
    synchronized void send(Native nat, byte[] bytes, int[] fds) throws IOException {
        if (closed || closing) {
            throw new IOException("handoff connection " + id + " is closed");
        }
        nat.sendWithFds(fd, bytes, fds);
    }

    /** Marks the connection as going: nothing more is read from it or sent on it. Any thread. */
    void closing() {
        closing = true;
    }

    boolean isClosing() {
        return closing;
    }

    /** Closes the descriptor; true when this call did it. Idempotent. */
    synchronized boolean close(Native nat) {
        if (closed) {
            return false;
        }
        closed = true;
        closing = true;
        nat.close(fd);
        pendingFds.forEach(nat::close); // handoff thread only calls close() while it owns them
        return true;
    }
}
