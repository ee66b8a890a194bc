package dev.baton.child;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;

/**
 * Binds a TCP listener and returns its descriptor, close-on-exec. With Netty's native
 * transport on the class path no JVM flags are needed; otherwise the JDK channel is used
 * (and needs the flags named in {@link Listener#serverSocketChannel()}).
 */
public final class Sockets {
    /** The accept queue length asked for; the kernel caps it at net.core.somaxconn. */
    public static final int BACKLOG = 4096;

    /** JDK channels whose descriptors were handed out: kept reachable so nothing closes them. */
    private static final java.util.List<ServerSocketChannel> KEPT = new java.util.concurrent.CopyOnWriteArrayList<>();

    private Sockets() {}

    /** A bound, listening socket. */
    public record Bound(int fd, InetSocketAddress address) {}

    public static Bound listen(InetSocketAddress address) throws IOException {
        Bound bound = nettyAvailable() ? NettyBind.listen(address, BACKLOG) : jdkListen(address);
        ChildNative.setCloseOnExec(bound.fd());
        return bound;
    }

    private static Bound jdkListen(InetSocketAddress address) throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open();
        channel.bind(address, BACKLOG);
        KEPT.add(channel);
        return new Bound(JdkChannels.fdOf(channel), (InetSocketAddress) channel.getLocalAddress());
    }

    private static boolean nettyAvailable() {
        try {
            Class.forName("io.netty.channel.unix.Socket");
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** Kept apart so that Netty classes load only when Netty is there. */
    private static final class NettyBind {
        static Bound listen(InetSocketAddress address, int backlog) throws IOException {
            io.netty.channel.epoll.Epoll.ensureAvailability();
            io.netty.channel.unix.Socket socket = io.netty.channel.unix.Socket.newSocketStream();
            try {
                socket.setReuseAddress(true);
                socket.bind(address);
                socket.listen(backlog);
                return new Bound(socket.intValue(), (InetSocketAddress) socket.localAddress());
            } catch (IOException | RuntimeException e) {
                socket.close();
                throw e;
            }
        }
    }
}
