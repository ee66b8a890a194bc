package dev.baton.child;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/** A listener adopted by Netty, on epoll and on the NIO fallback: a real accept and answer on loopback. */
@Timeout(30)
class NettyChannelsTest {

    @Test
    void epollIsPickedWhereAvailable() throws Exception {
        assertTrue(NettyChannels.epollAvailable(), "this Linux test machine has epoll");
        EventLoopGroup group = NettyChannels.eventLoopGroup(1, new DefaultThreadFactory("test-epoll"));
        try {
            ServerSocketChannel channel = serveAndAnswer(group, NettyChannels::serverChannel);
            assertInstanceOf(EpollServerSocketChannel.class, channel);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void nioFallbackServesTheSameListener() throws Exception {
        EventLoopGroup group = new NioEventLoopGroup(1, new DefaultThreadFactory("test-nio"));
        try {
            ServerSocketChannel channel = serveAndAnswer(group, NettyChannels::nioServerChannel);
            assertInstanceOf(NioServerSocketChannel.class, channel);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** Registers (never binds) the adopted listener, answers one connection, returns the channel used. */
    private static ServerSocketChannel serveAndAnswer(EventLoopGroup group, Function<Listener, ServerSocketChannel> adopt)
            throws Exception {
        Sockets.Bound bound = Sockets.listen(new InetSocketAddress("127.0.0.1", 0));
        Listener listener = new Listener("http", bound.address(), bound.fd());
        ServerSocketChannel[] made = new ServerSocketChannel[1];
        Channel server = new ServerBootstrap()
                .group(group)
                .channelFactory(() -> made[0] = adopt.apply(listener))
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        ctx.writeAndFlush(Unpooled.copiedBuffer("hello\n", StandardCharsets.US_ASCII))
                                .addListener(ChannelFutureListener.CLOSE);
                    }
                })
                .register().sync().channel();
        try (Socket client = new Socket("127.0.0.1", bound.address().getPort())) {
            client.setSoTimeout(5000);
            InputStream in = client.getInputStream();
            assertEquals("hello\n", new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        } finally {
            server.close().sync();
        }
        return made[0];
    }
}
