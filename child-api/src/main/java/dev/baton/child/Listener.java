package dev.baton.child;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;

import dev.baton.protocol.Addresses;

/**
 * A listening socket received from the supervisor (or systemd, or start_server, or bound
 * here when running alone). The descriptor belongs to this process; other processes hold
 * their own copies of the same socket, so closing it here only stops this process accepting.
 */
public final class Listener {
    private final String name;
    private final InetSocketAddress address;
    private final int fd;

    /** A listener named {@code name}, bound to {@code address} (null when not known), on descriptor {@code fd}. */
    public Listener(String name, InetSocketAddress address, int fd) {
        this.name = name;
        this.address = address;
        this.fd = fd;
    }

    /** The name the supervisor gave it, e.g. {@code http}. */
    public String name() {
        return name;
    }

    /** The address it is bound to, as the supervisor reported it; null when not known (systemd). */
    public InetSocketAddress address() {
        return address;
    }

    /** The raw descriptor, close-on-exec. */
    public int fd() {
        return fd;
    }

    /**
     * This listener as a JDK channel, in blocking mode; {@code configureBlocking(false)} for a
     * selector works too. Needs the JVM flags
     * {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/java.io=ALL-UNNAMED}.
     * Call it at most once: the channel owns the descriptor.
     */
    public ServerSocketChannel serverSocketChannel() throws IOException {
        return JdkChannels.serverSocketChannel(fd, address);
    }

    /**
     * This listener as a Netty channel, for {@code ServerBootstrap.channelFactory(() -> ...)}
     * followed by {@code register()}, never {@code bind()}. Needs netty-transport-native-epoll.
     */
    public io.netty.channel.epoll.EpollServerSocketChannel epollServerSocketChannel() {
        return EpollChannels.serverSocketChannel(fd);
    }

    /**
     * This listener as a Netty channel on the best transport here: epoll where available, else
     * NIO over {@link #serverSocketChannel()}. Pair it with
     * {@link NettyChannels#eventLoopGroup(int, java.util.concurrent.ThreadFactory)}; register, never bind.
     */
    public io.netty.channel.socket.ServerSocketChannel nettyServerChannel() {
        return NettyChannels.serverChannel(this);
    }

    @Override
    public String toString() {
        // Under systemd the address is not known (null); a standalone listener is named after it.
        String where = address == null ? "" : Addresses.format(address);
        return (name.equals(where) || where.isEmpty() ? name : name + " " + where) + " (fd " + fd + ")";
    }
}
