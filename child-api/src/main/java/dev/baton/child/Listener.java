package dev.baton.child;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;

/**
 * A listening socket received from the supervisor (or systemd, or start_server, or bound
 * here when running alone). The descriptor belongs to this process; other processes hold
 * their own copies of the same socket, so closing it here only stops this process accepting.
 */
public final class Listener {
    private final String name;
    private final InetSocketAddress address;
    private final int fd;

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
     * This listener as a JDK channel (blocking mode). Needs the JVM flags
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

    @Override
    public String toString() {
        // Under systemd the address is not known (null); a standalone listener is named after it.
        String where = address == null ? "" : Addresses.format(address);
        return (name.equals(where) || where.isEmpty() ? name : name + " " + where) + " (fd " + fd + ")";
    }
}
