package dev.baton.child;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;

/**
 * The child's end of the handoff connection to batond: HELLO, LISTENERS (with descriptors),
 * READY, stats and DRAINED. The connection stays open for the child's whole life; batond
 * takes its end of stream as the child being gone.
 */
final class Handoff implements FrameSender, AutoCloseable {
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

    /** Reads one frame with recvmsg, keeping every descriptor that came with its bytes. */
    Received receive() throws IOException {
        List<Integer> fds = new ArrayList<>();
        try {
            ByteBuffer header = ByteBuffer.allocateDirect(4);
            readFully(header, fds, true);
            int length = header.flip().getInt();
            if (length < 0 || length > Frame.MAX_LENGTH) {
                throw new FrameException("frame length " + length + " exceeds " + Frame.MAX_LENGTH + " bytes");
            }
            ByteBuffer body = ByteBuffer.allocateDirect(length);
            readFully(body, fds, false);
            byte[] bytes = new byte[length];
            body.flip().get(bytes);
            return new Received(Frame.decode(bytes), fds);
        } catch (IOException | RuntimeException e) {
            fds.forEach(ChildNative::close);
            throw e;
        }
    }

    private void readFully(ByteBuffer buffer, List<Integer> fds, boolean atFrameStart) throws IOException {
        int fd = channel.getFD();
        while (buffer.hasRemaining()) {
            ChildNative.Received r = ChildNative.recvWithFds(fd, buffer);
            fds.addAll(r.fds());
            if (r.bytes() == 0) {
                throw new IOException(atFrameStart && buffer.position() == 0
                        ? "batond closed the handoff connection"
                        : "batond closed the handoff connection in the middle of a frame");
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
