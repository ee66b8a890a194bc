package dev.baton.nativetest;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Many connections to one of batond's Unix sockets that connect and then send nothing, as an idle or hostile client would. */
final class HeldConnections implements AutoCloseable {
    private final List<SocketChannel> channels = new ArrayList<>();

    private HeldConnections() {}

    /** Opens {@code count} connections to {@code socket}; all are closed again if one fails. */
    static HeldConnections open(Path socket, int count) throws IOException {
        HeldConnections held = new HeldConnections();
        try {
            for (int i = 0; i < count; i++) {
                SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                held.channels.add(channel);
                channel.connect(UnixDomainSocketAddress.of(socket));
            }
        } catch (IOException | RuntimeException e) {
            held.close();
            throw e;
        }
        return held;
    }

    int size() {
        return channels.size();
    }

    /**
     * Waits until the other end has closed every connection: each reads end of stream (a reset
     * counts too). Returns the bytes received on all of them together; fails after {@code timeout}
     * with how many are still open and {@code log} (batond's last lines, say).
     */
    long awaitClosedByPeer(Duration timeout, Supplier<String> log) throws IOException {
        int open = channels.size();
        long received = 0;
        try (Selector selector = Selector.open()) {
            for (SocketChannel channel : channels) {
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ);
            }
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (open > 0) {
                long remaining = (deadline - System.nanoTime()) / 1_000_000;
                if (remaining <= 0) {
                    throw new AssertionError(open + " of " + channels.size() + " idle connections still open after "
                            + timeout + "; batond's log:\n" + log.get());
                }
                selector.select(remaining);
                for (SelectionKey key : selector.selectedKeys()) {
                    SocketChannel channel = (SocketChannel) key.channel();
                    int n;
                    try {
                        n = channel.read(buffer.clear());
                    } catch (IOException e) {
                        n = -1; // a reset is a close as well
                    }
                    if (n > 0) {
                        received += n;
                    } else if (n < 0) {
                        key.cancel();
                        open--;
                    }
                }
                selector.selectedKeys().clear();
            }
        }
        return received;
    }

    @Override
    public void close() throws IOException {
        for (SocketChannel channel : channels) {
            channel.close();
        }
    }
}
