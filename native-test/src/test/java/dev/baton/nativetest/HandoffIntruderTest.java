package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.List;
import java.util.regex.Matcher;

import dev.baton.protocol.Frame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Whoever connects to the handoff socket without the current generation's unused token gets
 * nothing: no LISTENERS frame, no descriptors, the connection closed. Bad frames close the
 * connection too. Neither changes anything for the generations.
 */
class HandoffIntruderTest {
    private static final Duration EVENT = Duration.ofSeconds(30);
    private static final Duration CLOSE = Duration.ofSeconds(10);
    private static final List<String> OPTIONS = List.of(
            "--listen", "127.0.0.1:0", "--ready-timeout", "30s", "--drain-timeout", "10s");

    @Test
    @Timeout(120)
    void strangersAndBadFramesGetNothingAndChangeNothing() throws Exception {
        FaultFile faults = FaultFile.create("HandoffIntruderTest-strangers", "ok");
        try (BatondProcess batond = BatondProcess.start("HandoffIntruderTest-strangers", faults.batond(OPTIONS))) {
            Path socket = Path.of(batond.awaitLine(BatondLines.STARTED, BatondProcess.STARTUP).group(2));
            batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP);

            // A HELLO with a made-up token.
            Closed wrongToken = exchange(socket, Frame.of("BATON", "1", "TOKEN", "nope", "PID", "1").encode());
            assertEquals(new Closed(0, "EOF"), wrongToken, "batond must answer a wrong token with nothing but EOF");
            Matcher refused = batond.awaitLine(BatondLines.REFUSED_WRONG_TOKEN, EVENT);
            assertEquals("1", refused.group(1), refused.group());

            // A frame length far beyond the 64 KiB limit, and nothing after it.
            Closed huge = exchange(socket, ByteBuffer.allocate(4).putInt(0x7fffffff).array());
            assertEquals(0, huge.bytes(), huge::toString);
            awaitBadFrame(batond, 1, "frame length 2147483647 exceeds 65536 bytes");

            // A well-sized frame whose lines are not KEY=VALUE.
            byte[] body = "hello batond\nthis is not a frame\n".getBytes(StandardCharsets.UTF_8);
            Closed garbage = exchange(socket, ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array());
            assertEquals(0, garbage.bytes(), garbage::toString);
            awaitBadFrame(batond, 2, "frame line is not KEY=VALUE");

            // An HTTP request sent to the wrong socket: "GET " read as a length.
            Closed http = exchange(socket, "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(0, http.bytes(), http::toString);
            awaitBadFrame(batond, 3, "exceeds 65536 bytes");

            // Nothing changed: gen=1 serves, no reload, no drain, no other refusal.
            assertTrue(batond.isAlive(), () -> batond.output().tail(40));
            HttpResponse response = HttpProbe.get(batond.port(), "/");
            assertEquals(200, response.status(), response::toString);
            assertEquals(1, response.generation().orElse(-1), response::toString);
            assertEquals(1, batond.countLines(BatondLines.ANY_SPAWNED), () -> batond.output().tail(40));
            assertEquals(0, batond.countLines(BatondLines.RELOAD_REQUESTED), () -> batond.output().tail(40));
            assertEquals(0, batond.countLines(BatondLines.draining(1)), () -> batond.output().tail(40));
            assertEquals(1, batond.countLines(BatondLines.REFUSED_ANY), () -> batond.output().tail(40));

            // And the lifecycle is intact: an ordinary reload still completes.
            batond.signal("USR2");
            Matcher reload = batond.awaitLine(BatondLines.reloadFinished(2), EVENT);
            assertEquals("complete", reload.group(1), reload.group());
            Matcher old = batond.awaitLine(BatondLines.exitedOrKilled(1), EVENT);
            assertEquals("exited code=0", old.group(2), old.group());
            assertEquals(2, HttpProbe.get(batond.port(), "/").generation().orElse(-1));
        }
    }

    @Test
    @Timeout(120)
    void aGenerationCannotUseItsTokenTwice() throws Exception {
        FaultFile faults = FaultFile.create("HandoffIntruderTest-second-connection", "ok");
        try (BatondProcess batond = BatondProcess.start("HandoffIntruderTest-second-connection", faults.batond(OPTIONS))) {
            batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP);

            faults.set("second-connection");
            batond.signal("USR2");

            batond.awaitLine("faulty-child gen=2 mode=second-connection", EVENT);
            batond.awaitLine("faulty-child second connection: closed without a reply", EVENT);
            batond.awaitLine(BatondLines.tokenAlreadyUsed(2), EVENT);
            Matcher reload = batond.awaitLine(BatondLines.reloadFinished(2), EVENT);
            assertEquals("complete", reload.group(1), reload.group());
            batond.awaitLine(BatondLines.ready(2), EVENT);
            Matcher old = batond.awaitLine(BatondLines.exitedOrKilled(1), EVENT);
            assertEquals("exited code=0", old.group(2), old.group());

            HttpResponse response = HttpProbe.get(batond.port(), "/");
            assertEquals(200, response.status(), response::toString);
            assertEquals(2, response.generation().orElse(-1), response::toString);
            assertEquals(1, batond.countLines(BatondLines.REFUSED_ANY), () -> batond.output().tail(40));
            assertEquals(2, batond.countLines(BatondLines.ANY_SPAWNED), () -> batond.output().tail(40));
        }
    }

    /** Waits for batond's {@code bad frame} line number {@code count}, which must mention {@code reason}. */
    private static void awaitBadFrame(BatondProcess batond, int count, String reason) throws InterruptedException {
        List<Matcher> frames = batond.output().awaitCount(BatondLines.BAD_FRAME, count, EVENT);
        String line = frames.get(count - 1).group();
        assertTrue(line.contains(reason), () -> "bad frame line #" + count + " does not say '" + reason + "': " + line);
    }

    /** How a connection ended: the bytes batond sent first, and {@code EOF} or the error. */
    private record Closed(int bytes, String how) {}

    /** Connects to the handoff socket, writes {@code bytes}, and reads until batond closes the connection. */
    private static Closed exchange(Path socket, byte[] bytes) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer out = ByteBuffer.wrap(bytes);
            while (out.hasRemaining()) {
                channel.write(out);
            }
            return readUntilClosed(channel, CLOSE);
        }
    }

    private static Closed readUntilClosed(SocketChannel channel, Duration timeout) throws IOException {
        channel.configureBlocking(false);
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_READ);
            ByteBuffer in = ByteBuffer.allocate(4096);
            int total = 0;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                long remaining = Duration.ofNanos(deadline - System.nanoTime()).toMillis();
                if (remaining <= 0) {
                    throw new AssertionError("batond kept the handoff connection open for " + timeout
                            + " (received " + total + " bytes)");
                }
                selector.select(remaining);
                selector.selectedKeys().clear();
                int n;
                try {
                    n = channel.read(in);
                } catch (IOException e) {
                    // Closed with our bytes unread: a reset, which is a close as well.
                    return new Closed(total, "reset: " + e.getMessage());
                }
                if (n < 0) {
                    return new Closed(total, "EOF");
                }
                total += n;
                in.clear();
            }
        }
    }
}
