package dev.baton.examples.hello;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * One accepted HTTP connection as the drain sees it. It sits between the HTTP codec and
 * {@link HelloHandler}, passes requests up one at a time, decides for each response whether
 * the connection stays open, and closes the connection when the drain asks.
 *
 * <p>Every field is read and written only on the channel's event loop, and the drain reaches
 * it through {@link #drain()} run on that same loop. So a request and the drain never
 * interleave: a request is either answered in full (with {@code Connection: close} once the
 * drain has begun) or the connection closes before any byte of its response.
 *
 * <pre>
 *   idle ──request──▶ busy ──response flushed, keep-alive──▶ idle
 *                      └──response flushed, close or draining──▶ closing ──client FIN or LINGER──▶ closed
 *   drain stage 1 ({@link #drain()}): every response from now on says Connection: close
 *   drain stage 3 ({@link #closeIfIdle()}): idle ──▶ closing
 *                 (a connection that never sent a request first gets FIRST_REQUEST_GRACE)
 * </pre>
 */
final class Connection extends ChannelDuplexHandler {
    /**
     * A connection the drain finds before its first request is given this long to send one:
     * it was accepted an instant ago and its request is most likely already on the wire.
     * Go's http.Server treats new connections the same way on Shutdown.
     */
    static final Duration FIRST_REQUEST_GRACE = Duration.ofSeconds(1);

    /** How long to wait, after our FIN, for the client to close its side before closing anyway. */
    static final Duration LINGER = Duration.ofSeconds(1);

    /** The user event {@link #drain()} sends up the pipeline once: this process's drain has begun. */
    static final Object DRAIN_BEGUN = new Object() {
        @Override
        public String toString() {
            return "DRAIN_BEGUN";
        }
    };

    private final ConnectionTracker tracker;
    /** Pipelined requests that arrived while one was being answered; answered in order. */
    private final Queue<FullHttpRequest> waiting = new ArrayDeque<>();

    private ChannelHandlerContext ctx;
    private boolean busy;          // a request was passed up and its response is not yet flushed
    private boolean keepAlive;     // what the request being answered asked for
    private HttpVersion version;   // of the request being answered
    private long requests;         // requests received on this connection
    private boolean draining;      // every response from now on says Connection: close
    private boolean closing;       // our FIN is sent; whatever the client still sends is dropped
    /** The request being answered ({@code GET /sleep?ms=9000}), for the drain's log if it must abandon it. */
    private volatile String current;

    Connection(ConnectionTracker tracker) {
        this.tracker = tracker;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
        } else if (closing) {
            request.release();
        } else if (busy) {
            waiting.add(request);
            ctx.channel().config().setAutoRead(false); // read no more until the queue is answered
        } else {
            dispatch(ctx, request);
        }
    }

    private void dispatch(ChannelHandlerContext ctx, FullHttpRequest request) {
        busy = true;
        requests++;
        tracker.requestStarted();
        // A request the codec could not parse leaves the byte stream in an unknown state.
        keepAlive = HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess();
        version = request.protocolVersion();
        current = request.method() + " " + request.uri();
        ctx.fireChannelRead(request);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof FullHttpResponse response && busy) {
            boolean keep = keepAlive && !draining;
            HttpUtil.setKeepAlive(response.headers(), version, keep);
            promise = promise.unvoid();
            promise.addListener(written -> responded(ctx, written.isSuccess(), keep));
        }
        ctx.write(msg, promise);
    }

    /** The response to the current request is flushed (or failed): finish it, then go on or close. */
    private void responded(ChannelHandlerContext ctx, boolean written, boolean keep) {
        if (!busy) {
            return; // the connection closed first, and the request ended with it (channelInactive)
        }
        busy = false;
        current = null;
        tracker.requestEnded(written);
        if (!written) {
            ctx.channel().close(); // the connection broke under the response
        } else if (!keep || draining) {
            closeGracefully(ctx);
        } else if (!waiting.isEmpty()) {
            dispatch(ctx, waiting.poll());
        } else {
            ctx.channel().config().setAutoRead(true);
        }
    }

    /**
     * The drain has begun (stage 1, on this connection's event loop, see {@link ConnectionTracker}):
     * every response from now on, the one in progress included, carries {@code Connection: close}.
     * {@link #DRAIN_BEGUN} then goes up the pipeline, for a response that waits for the drain.
     */
    void drain() {
        if (!draining) {
            draining = true;
            ctx.fireUserEventTriggered(DRAIN_BEGUN);
        }
    }

    /** Whether the drain has begun for this connection (on the channel's event loop only). */
    boolean draining() {
        return draining;
    }

    /**
     * Drain stage 3, once nothing is in flight: an idle connection closes now; one that never
     * sent a request gets {@link #FIRST_REQUEST_GRACE} first; a busy one closes after its response.
     * Returns whether it was idle.
     */
    boolean closeIfIdle() {
        drain();
        if (busy || closing) {
            return false;
        }
        if (requests > 0) {
            closeGracefully(ctx);
        } else {
            ctx.executor().schedule(() -> {
                if (!busy) {
                    closeGracefully(ctx);
                }
            }, FIRST_REQUEST_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        }
        return true;
    }

    /**
     * Closes without a reset. Closing a socket that still has unread input makes the kernel send
     * RST, which can destroy a response the client has not read yet and turns a clean "no
     * response, retry" into "connection reset". So send FIN first, keep reading (and dropping)
     * until the client closes its side, and close then, or after {@link #LINGER}.
     */
    private void closeGracefully(ChannelHandlerContext ctx) {
        if (closing) {
            return;
        }
        closing = true;
        releaseWaiting();
        ctx.channel().config().setAutoRead(true);
        ((DuplexChannel) ctx.channel()).shutdownOutput().addListener(shut -> ctx.executor().schedule(
                () -> ctx.channel().close(), LINGER.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** The request being answered, or null when idle; readable from any thread. */
    String currentRequest() {
        return current;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (busy) {
            // The client left before its answer: the request ends here, not when (or if) an answer
            // is written later, so the drain does not wait for a request nobody will read.
            busy = false;
            current = null;
            tracker.requestEnded(false);
        }
        releaseWaiting();
        ctx.fireChannelInactive();
    }

    private void releaseWaiting() {
        waiting.forEach(FullHttpRequest::release);
        waiting.clear();
    }
}
