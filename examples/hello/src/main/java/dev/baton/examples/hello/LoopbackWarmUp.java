package dev.baton.examples.hello;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

import dev.baton.child.NettyChannels;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * hello's warm-up over a real socket: a private server on 127.0.0.1, port 0, set up as the
 * service's own (same loops, transport, pipeline and handler class: {@link HelloServer#loopbackWarmUp}),
 * so that accepting, reading and writing are compiled before READY for the threads and classes
 * that will serve. It is never the service's listener, where another generation may be serving,
 * and only its channel is closed after the warm-up: the loops go on to serve.
 */
final class LoopbackWarmUp implements AutoCloseable {
    private static final byte[] REQUEST = "GET / HTTP/1.1\r\nHost: warm-up\r\nConnection: close\r\n\r\n".getBytes(US_ASCII);
    private static final int TIMEOUT_MS = 5_000;

    private final Channel server;
    private final InetSocketAddress address;

    private LoopbackWarmUp(Channel server) {
        this.server = server;
        this.address = (InetSocketAddress) server.localAddress();
    }

    /** Binds {@code bootstrap} (loops and handlers set, no channel yet) to a loopback port of its own. */
    static LoopbackWarmUp start(ServerBootstrap bootstrap) throws InterruptedException {
        Channel server = bootstrap
                .channel(NettyChannels.epollAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        return new LoopbackWarmUp(server);
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
    }
}
