package dev.baton.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One message of the handoff protocol (version 1): a 4-byte big-endian length, then that
 * many bytes of UTF-8 {@code KEY=VALUE} lines, each ending in {@code \n}.
 */
public record Frame(Map<String, String> fields) {

    /** Larger frames are a protocol error: the connection is closed. */
    public static final int MAX_LENGTH = 64 * 1024;

    /** Checks every key ({@code [A-Z][A-Z0-9_]*}) and that no value contains a newline. */
    public Frame {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        for (Map.Entry<String, String> e : fields.entrySet()) {
            if (!isKey(e.getKey())) {
                throw new IllegalArgumentException("bad frame key '" + e.getKey() + "'");
            }
            if (e.getValue().indexOf('\n') >= 0) {
                throw new IllegalArgumentException("frame value of " + e.getKey() + " contains a newline");
            }
        }
    }

    /** {@code [A-Z][A-Z0-9_]*}, checked by hand: batond loads no regex engine for it. */
    static boolean isKey(String key) {
        if (key.isEmpty() || key.charAt(0) < 'A' || key.charAt(0) > 'Z') {
            return false;
        }
        for (int i = 1; i < key.length(); i++) {
            char c = key.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /** A frame from alternating keys and values, in that order. */
    public static Frame of(String... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values must come in pairs");
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return new Frame(m);
    }

    /** The value of {@code key}, or null. */
    public String get(String key) {
        return fields.get(key);
    }

    /** Whether the frame has {@code key}. */
    public boolean has(String key) {
        return fields.containsKey(key);
    }

    /** The whole frame on the wire, length prefix included. */
    public byte[] encode() {
        StringBuilder sb = new StringBuilder();
        fields.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
        if (body.length > MAX_LENGTH) {
            throw new IllegalArgumentException("frame of " + body.length + " bytes exceeds " + MAX_LENGTH);
        }
        return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
    }

    /** Parses a frame body (without its length prefix). */
    public static Frame decode(byte[] body) throws FrameException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new FrameException("frame is not valid UTF-8");
        }
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new FrameException("frame does not end with a newline");
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0 || !isKey(line.substring(0, eq))) {
                throw new FrameException("frame line is not KEY=VALUE: " + abbreviate(line));
            }
            m.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return new Frame(m);
    }

    /**
     * Reads one frame, blocking, with the same rules as {@link FrameReader} (it is one). Returns
     * null on a clean end of stream before the first byte of a frame; throws
     * {@link FrameException} on a bad or oversized frame, or an end of stream inside one. Reads
     * no byte beyond the frame.
     */
    public static Frame read(InputStream in) throws IOException {
        FrameReader reader = new FrameReader();
        Frame[] frame = new Frame[1];
        byte[] chunk = new byte[FrameReader.FIRST_BUFFER];
        while (frame[0] == null) {
            int n = in.read(chunk, 0, Math.min(chunk.length, reader.wanted()));
            if (n < 0) {
                reader.endOfStream();
                return null;
            }
            reader.feed(ByteBuffer.wrap(chunk, 0, n), f -> frame[0] = f);
        }
        return frame[0];
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }

    /** The fields as {@code KEY=VALUE} words, with the token hidden. */
    @Override
    public String toString() {
        return String.join(" ", fields.entrySet().stream()
                .map(e -> e.getKey().equals(Keys.TOKEN) ? "TOKEN=<hidden>" : e.getKey() + "=" + e.getValue())
                .toList());
    }
}
