package dev.baton.examples.hello;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * hello's warm-up ({@code HELLO_WARMUP_REQUESTS=N}): {@code GET /} through the service's own HTTP
 * codec and handler, in-process on Netty's {@link EmbeddedChannel}. No socket is involved, so the
 * warm-up never reaches the service's listener (where another generation may be serving).
 */
final class WarmUpRequests {
    /** More than enough to get the handler compiled; a typo cannot keep a start busy for hours. */
    static final int MAX = 1_000_000;
    private static final byte[] REQUEST = "GET / HTTP/1.1\r\nHost: warm-up\r\n\r\n".getBytes(US_ASCII);

    private final HelloHandler handler;

    WarmUpRequests(HelloHandler handler) {
        this.handler = handler;
    }

    /**
     * {@code HELLO_WARMUP_REQUESTS}: unset or blank is 0 (no warm-up); anything but a whole number
     * from 0 to {@link #MAX} is refused with one line.
     */
    static int count(String value) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        String text = value.trim();
        if (text.length() <= 7 && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            int n = Integer.parseInt(text);
            if (n <= MAX) {
                return n;
            }
        }
        String shown = (text.length() > 20 ? text.substring(0, 20) + "..." : text).replaceAll("\\p{Cntrl}", "?");
        throw new IllegalArgumentException("HELLO_WARMUP_REQUESTS='" + shown + "' is not a whole number from 0 to " + MAX);
    }

    /** One request, answered as a client would see it; throws unless the answer is a 200. */
    void call() {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpServerCodec(),
                new HttpObjectAggregator(HelloServer.MAX_REQUEST_BYTES), handler);
        try {
            channel.writeInbound(Unpooled.wrappedBuffer(REQUEST));
            ByteBuf head = channel.readOutbound();
            if (head == null) {
                throw new IllegalStateException("warm-up request: no answer");
            }
            try {
                String status = head.toString(head.readerIndex(), Math.min(head.readableBytes(), 16), US_ASCII);
                if (!status.startsWith("HTTP/1.1 200 ")) {
                    throw new IllegalStateException("warm-up request: answered '" + status.strip() + "', not 200");
                }
            } finally {
                head.release();
            }
        } finally {
            channel.finishAndReleaseAll();
        }
    }
}
