package dev.baton.child;

import java.io.IOException;
import java.util.concurrent.ThreadFactory;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * A {@link Listener} as a Netty server channel: the native epoll transport where it is
 * available (Linux with netty-transport-native-epoll), else Netty's NIO transport over the
 * JDK channel. Use the channel and the event loop group from the same transport:
 *
 * <pre>{@code
 * EventLoopGroup boss = NettyChannels.eventLoopGroup(1, new DefaultThreadFactory("accept"));
 * EventLoopGroup workers = NettyChannels.eventLoopGroup(0, new DefaultThreadFactory("io"));
 * Channel server = new ServerBootstrap().group(boss, workers)
 *         .channelFactory(() -> NettyChannels.serverChannel(listener))
 *         .childHandler(...)
 *         .register().sync().channel();               // never bind(): the socket listens already
 * }</pre>
 *
 * Needs netty-transport on the class path (child-api declares Netty optional); the NIO
 * fallback also needs the JVM flags of {@link Listener#serverSocketChannel()}.
 */
public final class NettyChannels {
    private NettyChannels() {}

    /**
     * True when Netty's epoll transport can be used here: its classes are present and
     * {@code Epoll.isAvailable()} (false off Linux, or with {@code -Dio.netty.transport.noNative=true}).
     */
    public static boolean epollAvailable() {
        return Sockets.epollAvailable();
    }

    /** The listener on epoll when {@link #epollAvailable()}, else on NIO. Call it once per listener. */
    public static ServerSocketChannel serverChannel(Listener listener) {
        if (epollAvailable()) {
            return listener.epollServerSocketChannel();
        }
        return nioServerChannel(listener);
    }

    /**
     * The listener on Netty's NIO transport, wrapping {@link Listener#serverSocketChannel()}
     * (which Netty switches to non-blocking). Throws {@link IllegalStateException} with the
     * reason (typically the missing JVM flags) when the JDK channel cannot be made.
     */
    public static NioServerSocketChannel nioServerChannel(Listener listener) {
        try {
            return new NioServerSocketChannel(listener.serverSocketChannel());
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** An event loop group of the transport {@link #serverChannel(Listener)} picks; 0 threads means Netty's default. */
    public static EventLoopGroup eventLoopGroup(int threads, ThreadFactory threadFactory) {
        if (epollAvailable()) {
            return EpollChannels.eventLoopGroup(threads, threadFactory);
        }
        return new NioEventLoopGroup(threads, threadFactory);
    }
}
