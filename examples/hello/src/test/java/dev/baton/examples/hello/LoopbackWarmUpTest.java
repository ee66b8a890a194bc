package dev.baton.examples.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.baton.child.NettyChannels;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The warm-up round's shape, against a server that holds every keep-alive answer until all of a
 * round's connections have a request in flight: a client that waited for each answer before the
 * next request would never get one (the test times out).
 */
@Timeout(20)
class LoopbackWarmUpTest {
    private static final int PARALLEL = 3;

    private final EventLoopGroup loops = NettyChannels.eventLoopGroup(2, new DefaultThreadFactory("warm-up-test"));

    @AfterEach
    void stop() {
        loops.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aRoundPutsARequestInFlightOnEveryConnectionAtOnceThenClosesEach() throws Exception {
        RoundServer server = new RoundServer(200);
        LoopbackWarmUp warmUp = LoopbackWarmUp.over(bootstrap(server), PARALLEL);
        assertEquals(2 * PARALLEL, warmUp.requestsPerCall());
        warmUp.call();
        warmUp.call();
        synchronized (server) {
            assertEquals(2 * PARALLEL, server.keptAlive, "keep-alive requests, all in flight together");
            assertEquals(2 * PARALLEL, server.closing, "Connection: close requests");
            assertEquals(2 * PARALLEL, server.connections.size(), "connections: each took a keep-alive request, then a closing one");
            assertTrue(server.mostInFlight >= PARALLEL, "most in flight at once: " + server.mostInFlight);
        }
    }

    @Test
    void eachRoundAcceptsOnAServerChannelOfItsOwnClosedAfterIt() throws Exception {
        RoundServer server = new RoundServer(200);
        ServerChannels servers = new ServerChannels();
        LoopbackWarmUp warmUp = LoopbackWarmUp.over(bootstrap(server).handler(servers), PARALLEL);
        warmUp.call();
        warmUp.call();
        warmUp.call();
        synchronized (servers) {
            assertEquals(3, servers.registered.size(), "server channels, one a round");
            assertEquals(3, new HashSet<>(servers.registered).size());
            for (Channel channel : servers.registered) {
                assertFalse(channel.isOpen(), "left open after its round: " + channel);
            }
        }
        synchronized (server) {
            Map<Channel, Integer> byServer = new HashMap<>();
            server.parents.forEach(parent -> byServer.merge(parent, 1, Integer::sum));
            assertEquals(Map.of(servers.registered.get(0), PARALLEL, servers.registered.get(1), PARALLEL,
                    servers.registered.get(2), PARALLEL), byServer, "connections by server channel");
        }
    }

    @Test
    void anAnswerOtherThan200FailsTheRoundWithItsStatusLine() throws Exception {
        ServerChannels servers = new ServerChannels();
        LoopbackWarmUp warmUp = LoopbackWarmUp.over(bootstrap(new RoundServer(503)).handler(servers), PARALLEL);
        IOException e = assertThrows(IOException.class, warmUp::call);
        assertEquals("warm-up request over loopback: answered 'HTTP/1.1 503 Service Unavailable', not 200", e.getMessage());
        synchronized (servers) {
            assertEquals(1, servers.registered.size());
            assertFalse(servers.registered.get(0).isOpen(), "a failed round leaves its server channel open");
        }
    }

    @Test
    void aRoundNeedsAConnection() {
        assertThrows(IllegalArgumentException.class, () -> LoopbackWarmUp.over(bootstrap(new RoundServer(200)), 0));
    }

    @Test
    void anAnswerHelloWouldNeverSendFailsTheRoundWithOneLine() throws Exception {
        String head = "HTTP/1.1 200 OK\r\n";
        assertFailsWith(head + "\r\n", "keep-alive answer without a usable Content-Length (null)");
        assertFailsWith(head + "Content-Length: 1x\r\n\r\n", "keep-alive answer without a usable Content-Length (1x)");
        assertFailsWith(head + "Content-Length: 99999999999\r\n\r\n", "keep-alive answer without a usable Content-Length (99999999999)");
        assertFailsWith(head + "X: " + "a".repeat(9_000), "answer head longer than 8192 bytes");
        assertFailsWith(head + "Content-", "connection closed after " + (head.length() + 8) + " bytes of a keep-alive answer");
    }

    /** A server that answers any request with {@code raw} and closes; the round fails with {@code why}. */
    private void assertFailsWith(String raw, String why) throws Exception {
        ServerBootstrap rawServer = new ServerBootstrap().group(loops).childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel channel) {
                channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        io.netty.util.ReferenceCountUtil.release(msg);
                        ctx.writeAndFlush(Unpooled.copiedBuffer(raw, java.nio.charset.StandardCharsets.US_ASCII))
                                .addListener(ChannelFutureListener.CLOSE);
                    }
                });
            }
        });
        IOException e = assertThrows(IOException.class, LoopbackWarmUp.over(rawServer, 1)::call);
        assertEquals("warm-up request over loopback: " + why, e.getMessage());
    }

    private ServerBootstrap bootstrap(RoundServer server) {
        return new ServerBootstrap().group(loops).childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel channel) {
                channel.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192), server);
            }
        });
    }

    /** Every server channel the warm-up registered, in order. */
    @Sharable
    private static final class ServerChannels extends ChannelInboundHandlerAdapter {
        final List<Channel> registered = new ArrayList<>();

        @Override
        public void channelRegistered(ChannelHandlerContext ctx) {
            synchronized (this) {
                registered.add(ctx.channel());
            }
            ctx.fireChannelRegistered();
        }
    }

    /** Answers keep-alive requests in batches of {@link #PARALLEL}, and Connection: close ones at once. */
    @Sharable
    private static final class RoundServer extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final HttpResponseStatus status;
        private final List<ChannelHandlerContext> held = new ArrayList<>();
        final Set<Object> connections = new HashSet<>();
        /** Each connection's server channel, once a connection. */
        final List<Channel> parents = new ArrayList<>();
        int keptAlive;
        int closing;
        int mostInFlight;

        RoundServer(int status) {
            this.status = HttpResponseStatus.valueOf(status);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (!HttpUtil.isKeepAlive(request)) {
                synchronized (this) {
                    closing++;
                    connections.add(ctx.channel().id());
                }
                FullHttpResponse response = answer();
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            List<ChannelHandlerContext> batch = List.of();
            synchronized (this) {
                keptAlive++;
                if (connections.add(ctx.channel().id())) {
                    parents.add(ctx.channel().parent());
                }
                held.add(ctx);
                mostInFlight = Math.max(mostInFlight, held.size());
                if (held.size() == PARALLEL || status.code() != 200) {
                    batch = new ArrayList<>(held);
                    held.clear();
                }
            }
            for (ChannelHandlerContext waiting : batch) {
                waiting.writeAndFlush(answer());
            }
        }

        private FullHttpResponse answer() {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer("warm\n", java.nio.charset.StandardCharsets.US_ASCII));
            HttpUtil.setContentLength(response, response.content().readableBytes());
            return response;
        }
    }
}
