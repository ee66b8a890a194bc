package dev.baton.supervisor;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import dev.baton.child.Frame;
import dev.baton.child.FrameException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handoff socket: a Unix stream socket in a directory only batond's user can enter.
 * Each connection gets a reader thread that turns frames into events; the loop answers
 * through {@link #send} and {@link #close(int)}.
 */
final class HandoffServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("batond");

    private final Path directory;
    private final Path socketPath;
    private final ServerSocketChannel server;
    private final Native nat;
    private final Consumer<Event> events;
    private final Map<Integer, SocketChannel> connections = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile boolean closed;

    private HandoffServer(Path directory, ServerSocketChannel server, Native nat, Consumer<Event> events) {
        this.directory = directory;
        this.socketPath = directory.resolve("handoff.sock");
        this.server = server;
        this.nat = nat;
        this.events = events;
    }

    /** Creates {@code parent/baton-PID-XXXX/handoff.sock}, the directory mode 0700. */
    static HandoffServer open(Path parent, Native nat, Consumer<Event> events) throws IOException {
        Path dir = Files.createTempDirectory(parent, "baton-" + ProcessHandle.current().pid() + "-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(dir.resolve("handoff.sock")));
        } catch (IOException e) {
            server.close();
            Files.deleteIfExists(dir);
            throw e;
        }
        HandoffServer handoff = new HandoffServer(dir, server, nat, events);
        Acceptor.start("handoff", server, () -> handoff.closed, handoff::accepted);
        return handoff;
    }

    Path socketPath() {
        return socketPath;
    }

    private void accepted(SocketChannel channel) {
        int id = ids.incrementAndGet();
        connections.put(id, channel);
        long peerPid = -1;
        int peerUid = -1;
        try {
            Native.Peer peer = nat.peer(ChannelFd.of(channel));
            peerPid = peer.pid();
            peerUid = peer.uid();
        } catch (IOException | RuntimeException e) {
            LOG.warn("handoff connection {}: cannot read SO_PEERCRED: {}", id, e.getMessage());
        }
        events.accept(new Event.HandoffConnected(id, peerPid, peerUid));
        Thread reader = new Thread(() -> readLoop(id, channel), "handoff-" + id);
        reader.setDaemon(true);
        reader.start();
    }

    private void readLoop(int id, SocketChannel channel) {
        InputStream in = new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return channel.read(ByteBuffer.wrap(b, off, len));
            }
        };
        String reason;
        try {
            while (true) {
                Frame frame = Frame.read(in);
                if (frame == null) {
                    reason = "end of stream";
                    break;
                }
                events.accept(new Event.FrameReceived(id, frame));
            }
        } catch (FrameException e) {
            reason = "bad frame: " + e.getMessage();
            LOG.warn("handoff connection {}: {}; closing it", id, reason);
        } catch (IOException e) {
            reason = "read failed: " + e.getMessage();
        }
        close(id);
        events.accept(new Event.HandoffClosed(id, reason));
    }

    void send(int connection, Frame frame, int[] fds) throws IOException {
        SocketChannel channel = connections.get(connection);
        if (channel == null) {
            throw new IOException("handoff connection " + connection + " is closed");
        }
        nat.sendWithFds(ChannelFd.of(channel), frame.encode(), fds);
    }

    /** Closes one connection; its reader thread then ends. Idempotent. */
    void close(int connection) {
        SocketChannel channel = connections.remove(connection);
        if (channel != null) {
            try {
                channel.shutdownInput(); // wakes a reader blocked in read()
            } catch (IOException | RuntimeException ignored) {
                // already shut down by the peer
            }
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing left to release
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        connections.keySet().forEach(this::close);
        try {
            server.close();
        } catch (IOException ignored) {
            // the files are removed below either way
        }
        try {
            Files.deleteIfExists(socketPath);
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            LOG.warn("cannot remove handoff directory {}: {}", directory, e.getMessage());
        }
    }
}
