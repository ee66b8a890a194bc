package dev.baton.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code batonctl --json status} without starting a JVM for batonctl: one request line on
 * batond's control socket, one line of JSON back. The benchmark asks after every reload, while
 * the load runs, so it must cost next to nothing.
 */
final class ControlClient {
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** A status answer is a few KiB; anything near this is not one. */
    static final int MAX_ANSWER_BYTES = 1 << 20;

    private ControlClient() {}

    /** batond's answer to {@code status}, parsed. */
    static Object status(Path control) throws IOException {
        return JsonReader.parse(request(control, "status"));
    }

    static String request(Path control, String line) throws IOException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                Selector selector = Selector.open()) {
            channel.connect(UnixDomainSocketAddress.of(control)); // a local socket: at once or refused
            channel.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ);
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            while (true) {
                long remaining = (deadline - System.nanoTime()) / 1_000_000;
                if (remaining <= 0) {
                    throw new IOException("no answer from " + control + " within " + TIMEOUT);
                }
                selector.select(remaining);
                selector.selectedKeys().clear();
                buffer.clear();
                int read = channel.read(buffer);
                if (read > 0) {
                    answer.write(buffer.array(), 0, read);
                    byte[] bytes = answer.toByteArray();
                    for (int i = bytes.length - read; i < bytes.length; i++) {
                        if (bytes[i] == '\n') {
                            return new String(bytes, 0, i, StandardCharsets.UTF_8);
                        }
                    }
                    if (bytes.length > MAX_ANSWER_BYTES) {
                        throw new IOException("answer from " + control + " longer than " + MAX_ANSWER_BYTES + " bytes");
                    }
                } else if (read < 0) {
                    throw new IOException("batond closed " + control + " without an answer");
                }
            }
        }
    }
}
