package dev.baton.examples.hello;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.baton.child.Readiness;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AttributeKey;

/**
 * The service itself: {@code GET /} says which generation and process answered, and
 * {@code GET /sleep?ms=M} does the same after M milliseconds, so that tests can hold a
 * request in flight across a reload. {@code GET /sleep?ms=M&after=drain} answers M milliseconds
 * after this process's drain began (from then on, after M milliseconds): in flight when the
 * drain begins, however long the reload takes to get there. {@code GET /ready} is the readiness
 * probe (200, or 503 with the reason from the moment the drain begins) and {@code GET /live} the
 * liveness probe, served on the service's own listener so that they work wherever it runs,
 * batond included. Exactly one response per request; whether the
 * connection stays open is {@link Connection}'s business, not this class's.
 */
@Sharable
final class HelloHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    /** Longer than any sensible drain timeout, short enough that a typo cannot park a request for days. */
    static final long MAX_SLEEP_MS = 600_000;

    /** The sleep of a {@code /sleep?after=drain} request that waits for the drain, on its channel. */
    private static final AttributeKey<Long> AFTER_DRAIN = AttributeKey.valueOf(HelloHandler.class, "afterDrain");

    /** {@code generation=N pid=P}: the substring the end-to-end tests look for. */
    private final String identity;
    private final Supplier<Readiness.Verdict> readiness;

    HelloHandler(int generation, long pid, Supplier<Readiness.Verdict> readiness) {
        this.identity = "generation=" + generation + " pid=" + pid;
        this.readiness = readiness;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            respond(ctx, HttpResponseStatus.BAD_REQUEST, "bad request\n");
            return;
        }
        if (!HttpMethod.GET.equals(request.method())) {
            respond(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "only GET is served here\n");
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        switch (uri.path()) {
            case "/" -> respond(ctx, HttpResponseStatus.OK, identity + "\n");
            case "/sleep" -> sleep(ctx, uri.parameters().get("ms"), uri.parameters().get("after"));
            case "/ready" -> {
                Readiness.Verdict verdict = readiness.get();
                respond(ctx, verdict.ready() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                        (verdict.ready() ? "" : "not ready: ") + verdict.reason() + "\n");
            }
            case "/live" -> respond(ctx, HttpResponseStatus.OK, "live\n");
            default -> respond(ctx, HttpResponseStatus.NOT_FOUND, "not found: " + uri.path() + "\n");
        }
    }

    private void sleep(ChannelHandlerContext ctx, List<String> ms, List<String> after) {
        long millis = parseMillis(ms);
        if (millis < 0) {
            respond(ctx, HttpResponseStatus.BAD_REQUEST,
                    "ms must be a whole number of milliseconds from 0 to " + MAX_SLEEP_MS + "\n");
            return;
        }
        if (after != null && !after.equals(List.of("drain"))) {
            respond(ctx, HttpResponseStatus.BAD_REQUEST, "after must be drain, once\n");
            return;
        }
        if (after != null && !ctx.pipeline().get(Connection.class).draining()) {
            // Kept on the channel, not in a list of our own: a client that gives up takes it along.
            ctx.channel().attr(AFTER_DRAIN).set(millis);
            return;
        }
        sleepThenRespond(ctx, millis);
    }

    private void sleepThenRespond(ChannelHandlerContext ctx, long millis) {
        // A timer on the connection's own event loop: the loop keeps serving other connections.
        ctx.executor().schedule(() -> respond(ctx, HttpResponseStatus.OK, identity + " slept=" + millis + "ms\n"),
                millis, TimeUnit.MILLISECONDS);
    }

    /** The drain began: a {@code /sleep?after=drain} waiting on this connection starts its sleep now. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == Connection.DRAIN_BEGUN) {
            Long millis = ctx.channel().attr(AFTER_DRAIN).getAndSet(null);
            if (millis != null) {
                sleepThenRespond(ctx, millis);
            }
        }
        ctx.fireUserEventTriggered(event);
    }

    /** The single {@code ms} parameter, or -1 when it is missing, repeated, not a number or out of range. */
    static long parseMillis(List<String> values) {
        if (values == null || values.size() != 1) {
            return -1;
        }
        try {
            long millis = Long.parseLong(values.get(0));
            return millis >= 0 && millis <= MAX_SLEEP_MS ? millis : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, UTF_8));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        ctx.writeAndFlush(response);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Mostly clients resetting connections: nothing to answer, nothing worth a warning.
        HelloServer.LOG.debug("closing {}: {}", ctx.channel(), cause.toString());
        ctx.close();
    }
}
