package dev.baton.child;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A descriptor bound by {@link Sockets} is usable as a JDK channel, blocking and non-blocking: real accepts on loopback. */
class JdkChannelsTest {

    @Test
    @Timeout(20)
    void boundDescriptorAcceptsThroughTheJdkChannel() throws Exception {
        Sockets.Bound bound = Sockets.listen(new InetSocketAddress("127.0.0.1", 0));
        Listener listener = new Listener("http", bound.address(), bound.fd());
        try (ServerSocketChannel server = listener.serverSocketChannel();
             Socket client = new Socket("127.0.0.1", bound.address().getPort());
             SocketChannel accepted = server.accept()) {
            assertEquals(client.getLocalPort(), ((InetSocketAddress) accepted.getRemoteAddress()).getPort());
            assertEquals(bound.address(), server.getLocalAddress());
        }
    }

    @Test
    @Timeout(20)
    void nonBlockingChannelAcceptsThroughASelector() throws Exception {
        Sockets.Bound bound = Sockets.listen(new InetSocketAddress("127.0.0.1", 0));
        Listener listener = new Listener("http", bound.address(), bound.fd());
        try (ServerSocketChannel server = listener.serverSocketChannel(); Selector selector = Selector.open()) {
            server.configureBlocking(false);
            assertFalse(server.isBlocking());
            assertNull(server.accept(), "nothing waiting: a non-blocking accept returns at once");
            server.register(selector, SelectionKey.OP_ACCEPT);
            try (Socket client = new Socket("127.0.0.1", bound.address().getPort())) {
                assertEquals(1, selector.select(10_000));
                try (SocketChannel accepted = server.accept()) {
                    assertNotNull(accepted);
                    assertEquals(client.getLocalPort(), ((InetSocketAddress) accepted.getRemoteAddress()).getPort());
                }
            }
        }
    }
}
