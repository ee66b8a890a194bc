package dev.baton.protocol;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The one reader of frames, for every transport: batond's non-blocking handoff server feeds it
 * whatever a read returned, child-api's handoff feeds it what recvmsg returned, and
 * {@link Frame#read} feeds it from a stream. It reads the 4-byte big-endian length, refuses one
 * above {@link Frame#MAX_LENGTH} at once, then collects the body, which {@link Frame#decode}
 * parses. Between frames it holds four bytes; while a frame arrives its buffer grows with the
 * bytes actually received, never beyond the frame's announced length, so a length that lies costs
 * nothing. Not thread-safe: one connection, one reading thread.
 */
public final class FrameReader {
    /** The first body buffer; it doubles as bytes arrive, up to the frame's length. */
    static final int FIRST_BUFFER = 512;

    private int headerBytes;
    private int length;
    /** null between frames. */
    private byte[] body;
    private int received;

    /**
     * Takes all remaining bytes of {@code in}, handing each frame they complete to {@code frames}.
     * A bad frame throws; the connection is then unusable and must be closed.
     */
    public void feed(ByteBuffer in, Consumer<Frame> frames) throws FrameException {
        while (in.hasRemaining()) {
            if (body == null) {
                length = (length << 8) | (in.get() & 0xff);
                if (++headerBytes < Integer.BYTES) {
                    continue;
                }
                checkLength(length);
                body = new byte[Math.min(length, FIRST_BUFFER)];
                received = 0;
            } else {
                if (received == body.length) {
                    body = Arrays.copyOf(body, Math.min(length, body.length * 2));
                }
                int n = Math.min(in.remaining(), body.length - received);
                in.get(body, received, n);
                received += n;
            }
            if (received == length) {
                byte[] complete = body;
                body = null;
                headerBytes = 0;
                length = 0;
                frames.accept(Frame.decode(complete));
            }
        }
    }

    /**
     * How many more bytes complete the current frame as far as is known now: the rest of the
     * length prefix, or the rest of the body. A reader that must not read past a frame (the
     * child's handoff, whose descriptors arrive with the bytes) reads at most this many.
     */
    public int wanted() {
        return body == null ? Integer.BYTES - headerBytes : length - received;
    }

    /** The peer closed its end: fine between frames, an error in the middle of one. */
    public void endOfStream() throws FrameException {
        if (headerBytes > 0) {
            throw new FrameException("connection closed in the middle of a frame");
        }
    }

    /** Bytes held for the frame being received (for tests: bounded by what arrived). */
    int buffered() {
        return body == null ? 0 : body.length;
    }

    private static void checkLength(int length) throws FrameException {
        if (length < 0 || length > Frame.MAX_LENGTH) {
            throw new FrameException("frame length " + Integer.toUnsignedString(length)
                    + " exceeds " + Frame.MAX_LENGTH + " bytes");
        }
    }
}
