package dev.baton.child;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.baton.protocol.Frame;
import dev.baton.protocol.FrameReader;

/**
 * batond's end of the handoff protocol for child-api's tests: a real AF_UNIX server on a path,
 * frames with real descriptors (SCM_RIGHTS through {@link ChildNative}). Every wait has a deadline.
 */
final class FakeBatond implements AutoCloseable {
    private final Path path;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final ExecutorService readers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-batond-reader");
        t.setDaemon(true);
        return t;
    });

    FakeBatond(Path path) throws IOException {
        this.path = path;
        Files.deleteIfExists(path);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        server.configureBlocking(false);
        selector = Selector.open();
        server.register(selector, SelectionKey.OP_ACCEPT);
    }

    /** The next connection; null when none came within {@code wait}. */
    Conn accept(Duration wait) throws IOException {
        long end = System.nanoTime() + wait.toNanos();
        while (true) {
            SocketChannel accepted = server.accept();
            if (accepted != null) {
                accepted.configureBlocking(true);
                return new Conn(accepted);
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            selector.select(Math.max(1, left / 1_000_000L));
            selector.selectedKeys().clear();
        }
    }

    /** {@link #accept} that fails the test when nothing came. */
    Conn expectConnection(Duration wait) throws IOException {
        Conn c = accept(wait);
        if (c == null) {
            throw new AssertionError("the child did not connect to " + path + " within " + wait);
        }
        return c;
    }

    @Override
    public void close() throws IOException {
        readers.shutdownNow();
        selector.close();
        server.close();
        Files.deleteIfExists(path);
    }

    /** A frame and the descriptors that came with it (the test closes them). */
    record Received(Frame frame, List<Integer> fds) {}

    /** One accepted handoff connection. */
    final class Conn implements AutoCloseable {
        private final SocketChannel channel;
        private final int fd;

        private Conn(SocketChannel channel) throws IOException {
            this.channel = channel;
            this.fd = fdOf(channel);
        }

        void send(Frame frame, int... fds) throws IOException {
            ByteBuffer out = ByteBuffer.allocateDirect(frame.encode().length).put(frame.encode()).flip();
            if (fds.length > 0) {
                ChildNative.sendWithFds(fd, out, fds);
            }
            while (out.hasRemaining()) {
                channel.write(out);
            }
        }

        /** The next frame; fails when none came within {@code wait}; null at end of stream. */
        Received read(Duration wait) throws Exception {
            Future<Received> next = readers.submit(this::readBlocking);
            try {
                return next.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                channel.shutdownInput();     // wakes the recvmsg
                throw new AssertionError("no frame from the child within " + wait);
            } catch (ExecutionException e) {
                throw (Exception) e.getCause();
            }
        }

        /** Expects end of stream within {@code wait}: the child closed its end. */
        void expectEnd(Duration wait) throws Exception {
            Received r = read(wait);
            if (r != null) {
                throw new AssertionError("expected the end of the connection, got " + r.frame());
            }
        }

        private Received readBlocking() throws IOException {
            FrameReader reader = new FrameReader();
            Frame[] frame = new Frame[1];
            List<Integer> fds = new ArrayList<>();
            ByteBuffer buffer = ByteBuffer.allocateDirect(4096);
            while (frame[0] == null) {
                buffer.clear().limit(Math.min(4096, reader.wanted()));
                ChildNative.Received r = ChildNative.recvWithFds(fd, buffer);
                fds.addAll(r.fds());
                if (r.bytes() == 0) {
                    reader.endOfStream();
                    return null;
                }
                reader.feed(buffer.flip(), f -> frame[0] = f);
            }
            return new Received(frame[0], fds);
        }

        @Override
        public void close() throws IOException {
            try {
                channel.shutdownInput();
                channel.shutdownOutput();
            } catch (IOException e) {
                // Closed by the child already.
            }
            channel.close();
        }
    }

    /** The descriptor behind a JDK socket channel (the tests run with the add-opens flags). */
    static int fdOf(Object channel) throws IOException {
        try {
            var getter = channel.getClass().getDeclaredMethod("getFDVal");
            getter.setAccessible(true);
            return (int) getter.invoke(channel);
        } catch (ReflectiveOperationException e) {
            throw new IOException("cannot read the fd of " + channel + ": " + e, e);
        }
    }

    /** Open descriptors of this process. */
    static long openFds() throws IOException {
        try (var entries = Files.list(Path.of("/proc/self/fd"))) {
            return entries.count();
        }
    }
}
