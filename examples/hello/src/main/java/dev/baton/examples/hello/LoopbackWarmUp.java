package dev.baton.examples.hello;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

import dev.baton.child.NettyChannels;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * hello's warm-up over a real socket: a private server on 127.0.0.1, port 0, with the service's
 * transport (epoll, or NIO where epoll does not load), pipeline and handler, so that accepting,
 * reading and writing are compiled before READY too, not only the handler. It is never the
 * service's listener, where another generation may be serving, and it is closed after the warm-up.
 */
final class LoopbackWarmUp implements AutoCloseable {
    private static final byte[] REQUEST = "GET / HTTP/1.1\r\nHost: warm-up\r\nConnection: close\r\n\r\n".getBytes(US_ASCII);
    private static final int TIMEOUT_MS = 5_000;

    private final EventLoopGroup group;
    private final Channel server;
    private final InetSocketAddress address;

    private LoopbackWarmUp(EventLoopGroup group, Channel server) {
        this.group = group;
        this.server = server;
        this.address = (InetSocketAddress) server.localAddress();
    }

    static LoopbackWarmUp start(HelloHandler handler) throws InterruptedException {
        EventLoopGroup group = NettyChannels.eventLoopGroup(1, new DefaultThreadFactory("hello-warm-up"));
        try {
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(NettyChannels.epollAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                    .childHandler(HelloServer.pipeline(new ConnectionTracker(), handler))
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
            return new LoopbackWarmUp(group, server);
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** One request on a new connection, as a client sends it; throws unless the answer is a 200. */
    void call() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(address, TIMEOUT_MS);
            socket.setSoTimeout(TIMEOUT_MS);
            socket.getOutputStream().write(REQUEST);
            InputStream in = socket.getInputStream();
            byte[] answer = in.readAllBytes(); // Connection: close: the server ends it
            String status = new String(answer, 0, Math.min(answer.length, 16), US_ASCII);
            if (!status.startsWith("HTTP/1.1 200 ")) {
                throw new IOException("warm-up request over loopback: answered '" + status.strip() + "', not 200");
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        server.close().sync();
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
    }
}
