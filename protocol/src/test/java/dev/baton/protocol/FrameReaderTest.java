package dev.baton.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The handoff socket's incremental frame reader, against the blocking Frame.read. */
class FrameReaderTest {
    private final FrameReader reader = new FrameReader();
    private final List<Frame> frames = new ArrayList<>();

    private void feed(byte[] bytes) throws FrameException {
        reader.feed(ByteBuffer.wrap(bytes), frames::add);
    }

    private static byte[] raw(int length, byte[] body) {
        return ByteBuffer.allocate(4 + body.length).putInt(length).put(body).array();
    }

    @Test
    void aFrameInOneBytePieces() throws Exception {
        Frame hello = Frame.of("BATON", "1", "TOKEN", "abc=def", "PID", "42");
        for (byte b : hello.encode()) {
            assertEquals(List.of(), frames);
            feed(new byte[] {b});
        }
        assertEquals(List.of(hello), frames);
        reader.endOfStream();
        assertEquals(0, reader.buffered(), "nothing held between frames");
    }

    @Test
    void twoFramesAndAPieceOfAThirdInOneRead() throws Exception {
        Frame ready = Frame.of("READY", "1");
        Frame stats = Frame.of("INFLIGHT", "3", "SERVED", "99");
        byte[] third = Frame.of("DRAINED", "1").encode();
        byte[] all = ByteBuffer.allocate(ready.encode().length + stats.encode().length + 6)
                .put(ready.encode()).put(stats.encode()).put(third, 0, 6).array();
        feed(all);
        assertEquals(List.of(ready, stats), frames);
        FrameException e = assertThrows(FrameException.class, reader::endOfStream);
        assertEquals("connection closed in the middle of a frame", e.getMessage());
        feed(Arrays.copyOfRange(third, 6, third.length));
        assertEquals(List.of(ready, stats, Frame.of("DRAINED", "1")), frames);
        reader.endOfStream();
    }

    @Test
    void aLargeFrameSplitAnywhereMatchesFrameRead() throws Exception {
        String value = "x".repeat(Frame.MAX_LENGTH - 10);
        byte[] wire = Frame.of("BIG", value).encode();
        Frame expected = Frame.read(new ByteArrayInputStream(wire));
        for (int at = 0; at < wire.length; at += 7919) {
            frames.clear();
            feed(Arrays.copyOfRange(wire, 0, at));
            feed(Arrays.copyOfRange(wire, at, wire.length));
            assertEquals(List.of(expected), frames, "split at " + at);
        }
    }

    @Test
    void oversizedLengthIsRefusedAtOnce() {
        FrameException e = assertThrows(FrameException.class, () -> feed(raw(Frame.MAX_LENGTH + 1, new byte[0])));
        assertEquals("frame length 65537 exceeds 65536 bytes", e.getMessage());
        FrameException negative = assertThrows(FrameException.class,
                () -> new FrameReader().feed(ByteBuffer.wrap(new byte[] {(byte) 0xff, 0, 0, 0}), frames::add));
        assertEquals("frame length 4278190080 exceeds 65536 bytes", negative.getMessage());
        // What HandoffIntruderTest sends: an HTTP request read as a length.
        FrameException http = assertThrows(FrameException.class,
                () -> new FrameReader().feed(ByteBuffer.wrap("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII)), f -> { }));
        assertTrue(http.getMessage().endsWith("exceeds 65536 bytes"), http.getMessage());
    }

    @Test
    void aLengthThatLiesCostsOnlyWhatArrived() throws Exception {
        feed(raw(Frame.MAX_LENGTH, "A=1\n".getBytes(StandardCharsets.UTF_8)));
        assertTrue(reader.buffered() <= FrameReader.FIRST_BUFFER, () -> "holds " + reader.buffered());
        feed(new byte[3000]);
        assertTrue(reader.buffered() <= 4096, () -> "holds " + reader.buffered());
        assertEquals(List.of(), frames);
    }

    @Test
    void zeroLengthIsAnEmptyFrameAsFrameReadHasIt() throws Exception {
        feed(raw(0, new byte[0]));
        assertEquals(List.of(Frame.read(new ByteArrayInputStream(raw(0, new byte[0])))), frames);
        assertEquals(List.of(Frame.of()), frames);
    }

    @Test
    void truncatedAtEndOfStream() throws Exception {
        feed(new byte[] {0, 0});
        assertThrows(FrameException.class, reader::endOfStream, "in the length");
        FrameReader other = new FrameReader();
        byte[] wire = Frame.of("READY", "1").encode();
        other.feed(ByteBuffer.wrap(wire, 0, wire.length - 2), frames::add);
        FrameException e = assertThrows(FrameException.class, other::endOfStream, "in the body");
        assertEquals("connection closed in the middle of a frame", e.getMessage());
        new FrameReader().endOfStream(); // nothing sent at all: a clean end
    }

    @Test
    void badBodiesAreRefusedAsFrameDecodeRefusesThem() {
        byte[] notUtf8 = {'A', '=', (byte) 0xc3, '\n'};
        FrameException e = assertThrows(FrameException.class, () -> feed(raw(notUtf8.length, notUtf8)));
        assertEquals("frame is not valid UTF-8", e.getMessage());
        byte[] garbage = "hello batond\n".getBytes(StandardCharsets.UTF_8);
        FrameException g = assertThrows(FrameException.class, () -> new FrameReader().feed(
                ByteBuffer.wrap(raw(garbage.length, garbage)), frames::add));
        assertTrue(g.getMessage().startsWith("frame line is not KEY=VALUE"), g.getMessage());
        byte[] binary = {0, 1, 2, 3, (byte) 0xff};
        assertThrows(FrameException.class, () -> new FrameReader().feed(ByteBuffer.wrap(raw(binary.length, binary)), frames::add));
        assertEquals(List.of(), frames);
    }

    @Test
    void wantedIsWhatCompletesTheFrameAndNoMore() throws Exception {
        byte[] wire = Frame.of("READY", "1").encode();
        assertEquals(4, reader.wanted(), "a length first");
        feed(Arrays.copyOfRange(wire, 0, 3));
        assertEquals(1, reader.wanted());
        feed(Arrays.copyOfRange(wire, 3, 6));
        assertEquals(wire.length - 6, reader.wanted(), "the rest of the body");
        feed(Arrays.copyOfRange(wire, 6, wire.length));
        assertEquals(List.of(Frame.of("READY", "1")), frames);
        assertEquals(4, reader.wanted(), "the next frame's length");
    }
}
