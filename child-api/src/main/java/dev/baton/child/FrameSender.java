package dev.baton.child;

import java.io.IOException;

import dev.baton.protocol.Frame;

/** Where the drain and the stats timer send their frames: batond's handoff connection, or a fake in tests. */
interface FrameSender {
    void send(Frame frame) throws IOException;

    /** The last frame is out: end the connection (batond reads the end of stream as the child leaving). */
    default void close() throws IOException {}
}
