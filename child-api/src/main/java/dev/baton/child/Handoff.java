package dev.baton.child;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import dev.baton.protocol.Frame;
import dev.baton.protocol.FrameReader;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;

/**
 * The child's end of one handoff connection to batond: HELLO, LISTENERS (with descriptors),
 * READY, stats and DRAINED, and on a resumed connection SEND_LISTENERS and the listeners sent
 * back. The connection stays open for the child's whole life (or batond's: {@link BatondLink}
 * then opens the next one); batond takes its end of stream as the child being gone.
 */
final class Handoff implements FrameSender, AutoCloseable {
    /** Bytes asked of one recvmsg at most; the LISTENERS frame usually fits. */
    private static final int READ_BUFFER = 4096;

    private final UnixSocketChannel channel;

    private Handoff(UnixSocketChannel channel) {
        this.channel = channel;
    }

    static Handoff connect(String socketPath) throws IOException {
        try {
            return new Handoff(UnixSocketChannel.open(new UnixSocketAddress(socketPath)));
        } catch (IOException e) {
            throw new IOException("cannot connect to batond's handoff socket " + socketPath + ": " + e.getMessage(), e);
        }
    }

    /** A frame and the descriptors that arrived with it. */
    record Received(Frame frame, List<Integer> fds) {}

    @Override
    public void send(Frame frame) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(frame.encode());
        synchronized (this) {
            while (out.hasRemaining()) {
                channel.write(out);
            }
        }
    }

    /** Sends {@code frame} with {@code fds} attached (SCM_RIGHTS, in that order) to its first byte. */
    void send(Frame frame, int[] fds) throws IOException {
        if (fds.length == 0) {
            send(frame);
            return;
        }
        byte[] bytes = frame.encode();
        ByteBuffer out = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        synchronized (this) {
            ChildNative.sendWithFds(channel.getFD(), out, fds);
            while (out.hasRemaining()) {
                channel.write(out);
            }
        }
    }

    /**
     * Reads one frame with recvmsg, keeping every descriptor that came with its bytes. The
     * protocol's {@link FrameReader} parses it; each recvmsg asks for no more than the frame still
     * needs, so no byte (and no descriptor) of a later message is taken.
     */
    Received receive() throws IOException {
        List<Integer> fds = new ArrayList<>();
        try {
            FrameReader reader = new FrameReader();
            Frame[] frame = new Frame[1];
            ByteBuffer buffer = ByteBuffer.allocateDirect(READ_BUFFER);
            int fd = channel.getFD();
            while (frame[0] == null) {
                if (!channel.isOpen()) {    // closed by another thread: its number may be another file's now
                    throw new IOException("the handoff connection is closed");
                }
                buffer.clear().limit(Math.min(READ_BUFFER, reader.wanted()));
                ChildNative.Received r = ChildNative.recvWithFds(fd, buffer);
                fds.addAll(r.fds());
                if (r.bytes() == 0) {
                    reader.endOfStream();
                    throw new IOException("batond closed the handoff connection");
                }
                reader.feed(buffer.flip(), f -> frame[0] = f);
            }
            return new Received(frame[0], fds);
        } catch (IOException | RuntimeException e) {
            fds.forEach(ChildNative::close);
            throw e;
        }
    }

    /** Shuts the connection down first: a thread blocked in {@link #receive()} wakes with end of stream. */
    @Override
    public void close() throws IOException {
        try {
            channel.shutdownInput();
            channel.shutdownOutput();
        } catch (IOException e) {
            // Already shut down or never connected: closing is what matters.
        } finally {
            channel.close();
        }
    }
}
