package dev.baton.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class FrameTest {

    @Test
    void roundTripKeepsOrderAndValues() throws IOException {
        Frame hello = Frame.of("BATON", "1", "TOKEN", "abc=def", "PID", "42");
        Frame back = Frame.read(new ByteArrayInputStream(hello.encode()));
        assertEquals(hello, back);
        assertEquals("abc=def", back.get("TOKEN"));
    }

    @Test
    void endOfStreamBeforeAFrameIsNull() throws IOException {
        assertNull(Frame.read(new ByteArrayInputStream(new byte[0])));
    }

    @Test
    void oversizedFrameIsRefusedBeforeReadingItsBody() {
        byte[] header = ByteBuffer.allocate(4).putInt(Frame.MAX_LENGTH + 1).array();
        FrameException e = assertThrows(FrameException.class, () -> Frame.read(new ByteArrayInputStream(header)));
        assertEquals("frame length 65537 exceeds 65536 bytes", e.getMessage());
    }

    @Test
    void negativeLengthIsRefused() {
        byte[] header = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        assertThrows(FrameException.class, () -> Frame.read(new ByteArrayInputStream(header)));
    }

    @Test
    void truncatedFrameIsAnError() {
        byte[] frame = Frame.of("READY", "1").encode();
        byte[] cut = java.util.Arrays.copyOf(frame, frame.length - 2);
        assertThrows(FrameException.class, () -> Frame.read(new ByteArrayInputStream(cut)));
    }

    @Test
    void aStreamEndingInsideTheLengthIsAnError() {
        FrameException e = assertThrows(FrameException.class, () -> Frame.read(new ByteArrayInputStream(new byte[] {0, 0})));
        assertEquals("connection closed in the middle of a frame", e.getMessage());
    }

    @Test
    void readTakesOneFrameAndNotAByteOfTheNext() throws IOException {
        Frame ready = Frame.of(Keys.READY, "1");
        Frame stats = Frame.of(Keys.INFLIGHT, "2", Keys.SERVED, "7");
        ByteArrayInputStream in = new ByteArrayInputStream(
                ByteBuffer.allocate(ready.encode().length + stats.encode().length).put(ready.encode()).put(stats.encode()).array());
        assertEquals(ready, Frame.read(in));
        assertEquals(stats.encode().length, in.available());
        assertEquals(stats, Frame.read(in));
        assertNull(Frame.read(in));
    }

    @Test
    void linesMustBeKeyEqualsValue() {
        assertThrows(FrameException.class, () -> Frame.decode("garbage\n".getBytes(StandardCharsets.UTF_8)));
        assertThrows(FrameException.class, () -> Frame.decode("lower=1\n".getBytes(StandardCharsets.UTF_8)));
        assertThrows(FrameException.class, () -> Frame.decode("READY=1".getBytes(StandardCharsets.UTF_8)));
        assertThrows(FrameException.class, () -> Frame.decode(new byte[] {(byte) 0xc3, '\n'}));
    }

    @Test
    void valuesCannotCarryNewlines() {
        assertThrows(IllegalArgumentException.class, () -> Frame.of("A", "x\ny"));
    }

    @Test
    void tokenIsHiddenWhenPrinted() {
        assertEquals("BATON=1 TOKEN=<hidden>", Frame.of("BATON", "1", "TOKEN", "secret").toString());
    }
}
