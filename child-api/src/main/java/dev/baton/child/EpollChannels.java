package dev.baton.child;

import java.util.concurrent.ThreadFactory;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;

/** Adopts an inherited listening descriptor as a Netty epoll channel. Loaded only when used. */
final class EpollChannels {
    private EpollChannels() {}

    static EpollServerSocketChannel serverSocketChannel(int fd) {
        Epoll.ensureAvailability();
        // Netty's epoll loop expects a non-blocking socket; O_NONBLOCK is on the shared open
        // file, which every other holder of this listener also uses non-blocking.
        ChildNative.setNonBlocking(fd);
        return new EpollServerSocketChannel(fd);
    }

    static boolean available() {
        return Epoll.isAvailable();
    }

    static EventLoopGroup eventLoopGroup(int threads, ThreadFactory threadFactory) {
        return new EpollEventLoopGroup(threads, threadFactory);
    }
}
