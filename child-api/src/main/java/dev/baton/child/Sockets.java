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

    /**
     * JDK channels whose descriptors were handed out: kept reachable so nothing closes them. Only
     * the standalone mode binds (under batond or systemd the listeners are inherited), so this list
     * lives here; batond binds its own listeners and keeps its own channels (its Listeners class).
     */
    private static final java.util.List<ServerSocketChannel> KEPT = new java.util.concurrent.CopyOnWriteArrayList<>();

    private Sockets() {}

    /**
     * A bound, listening socket.
     *
     * @param fd      its descriptor, close-on-exec
     * @param address where it is bound (the real port when bound to port 0)
     */
    public record Bound(int fd, InetSocketAddress address) {}

    /** Binds and listens on {@code address} with {@link #BACKLOG}; port 0 picks a free port. */
    public static Bound listen(InetSocketAddress address) throws IOException {
        Bound bound = epollAvailable() ? NettyBind.listen(address, BACKLOG) : jdkListen(address);
        ChildNative.setCloseOnExec(bound.fd());
        return bound;
    }

    private static Bound jdkListen(InetSocketAddress address) throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open();
        channel.bind(address, BACKLOG);
        KEPT.add(channel);
        return new Bound(JdkChannels.fdOf(channel), (InetSocketAddress) channel.getLocalAddress());
    }

    /**
     * Netty's epoll transport is on the class path and works here. Checked by name first, so
     * that no Netty class is loaded (and none is needed) when Netty is absent.
     */
    static boolean epollAvailable() {
        try {
            Class.forName("io.netty.channel.epoll.Epoll", false, Sockets.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
        return EpollChannels.available();
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
