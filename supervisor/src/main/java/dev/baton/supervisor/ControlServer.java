package dev.baton.supervisor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control socket batonctl talks to: a Unix stream socket, mode 0600, peers of another uid
 * refused. A request is one line of text ({@code status}, {@code reload --wait}, ...); the
 * answer is one line of JSON, after which the connection closes. Commands become events on
 * the loop, which answers; this class only moves bytes, one thread per connection.
 */
final class ControlServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("batond");

    /** A request longer than this is not a command. */
    static final int MAX_REQUEST = 1024;
    /** A client that sends no complete line within this is dropped. */
    static final int READ_TIMEOUT_MS = 5000;
    /** How long close() waits for answers still being written. */
    static final int FLUSH_TIMEOUT_MS = 1000;

    private final Path path;
    private final ServerSocketChannel server;
    private final int ownUid;
    private final Native nat;
    private final Consumer<Event> events;
    /** Ends reads that take too long: the JDK's blocking channels have no read timeout of their own. */
    private final ScheduledExecutorService timeouts = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "control-timeouts");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;
    /** Connection threads still answering: close() lets them finish writing (say, stop --wait's answer). */
    private final java.util.Set<Thread> serving = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private ControlServer(Path path, ServerSocketChannel server, int ownUid, Native nat, Consumer<Event> events) {
        this.path = path;
        this.server = server;
        this.ownUid = ownUid;
        this.nat = nat;
        this.events = events;
    }

    /** Binds the socket; a stale one left by a dead batond is replaced, a live one is an error. */
    static ControlServer open(Path path, Native nat, Consumer<Event> events) throws IOException {
        int ownUid = nat.uid();
        Path parent = path.toAbsolutePath().getParent();
        if (!Files.isDirectory(parent)) {
            Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        // A directory someone else made (say /tmp/baton-UID, made first by another user) is theirs
        // to tamper with: refuse it rather than put the control socket there.
        int owner = ((Number) Files.getAttribute(parent, "unix:uid")).intValue();
        if (owner != ownUid && owner != 0) {
            throw new IOException(parent + " belongs to uid " + owner + ", not to batond's uid " + ownUid
                    + ": give --control a path in a directory of batond's own");
        }
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            if (answers(path)) {
                throw new IOException(path + " is in use by another batond: give this one its own --control PATH");
            }
            Files.delete(path); // left behind by a batond that was killed
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            server.close();
            throw e;
        }
        ControlServer control = new ControlServer(path, server, ownUid, nat, events);
        Acceptor.start("control", server, () -> control.closed, control::accepted);
        return control;
    }

    private static boolean answers(Path path) {
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            return probe.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    Path path() {
        return path;
    }

    private void accepted(SocketChannel channel) {
        Thread t = new Thread(() -> {
            try {
                serve(channel);
            } finally {
                serving.remove(Thread.currentThread());
            }
        }, "control");
        t.setDaemon(true);
        serving.add(t);
        t.start();
    }

    private void serve(SocketChannel channel) {
        try {
            Native.Peer peer = nat.peer(ChannelFd.of(channel));
            if (peer.uid() != ownUid && peer.uid() != 0) {
                LOG.warn("control connection refused: pid={} runs as uid {}, not batond's uid {}",
                        peer.pid(), peer.uid(), ownUid);
                reply(channel, ControlResponses.error("refused: uid " + peer.uid() + " may not control this batond"));
                return;
            }
            Future<?> timeout = endInputAfter(channel, READ_TIMEOUT_MS);
            String request = readLine(channel);
            timeout.cancel(false);
            if (request == null) {
                reply(channel, ControlResponses.error("malformed request: send one line of at most "
                        + MAX_REQUEST + " bytes of text, e.g. 'status'"));
                LOG.warn("control: malformed request refused");
                return;
            }
            // The loop only completes the answer; this connection's thread writes it, so a slow
            // client never holds up the loop.
            CompletableFuture<Map<String, Object>> answer = new CompletableFuture<>();
            events.accept(new Event.ControlRequest(request.trim(), answer::complete));
            reply(channel, answer.join());
        } catch (IOException | RuntimeException e) {
            LOG.warn("control connection failed: {}", e.getMessage());
            close(channel);
        }
    }

    /** One line, UTF-8 without control characters; null when it is anything else. */
    private static String readLine(SocketChannel channel) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(256);
        while (line.size() <= MAX_REQUEST) {
            buffer.clear();
            int n = channel.read(buffer);
            if (n <= 0) {
                return null; // end of stream or timeout before a newline
            }
            for (int i = 0; i < n; i++) {
                byte b = buffer.get(i);
                if (b == '\n') {
                    String text = line.toString(StandardCharsets.UTF_8);
                    return text.chars().allMatch(c -> c >= 0x20 && c != 0x7f || c == '\t' || c == '\r') ? text : null;
                }
                line.write(b);
            }
        }
        return null;
    }

    /** Shuts the channel's input after {@code ms}: a read blocked on it then returns end of stream. */
    private Future<?> endInputAfter(SocketChannel channel, int ms) {
        Runnable endInput = () -> {
            try {
                channel.shutdownInput();
            } catch (IOException ignored) {
                // closed meanwhile: the read has ended anyway
            }
        };
        try {
            return timeouts.schedule(endInput, ms, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            endInput.run(); // batond is closing: no more waiting for clients
            return CompletableFuture.completedFuture(null);
        }
    }

    private void reply(SocketChannel channel, Map<String, Object> response) {
        try {
            byte[] bytes = (JsonWriter.write(response) + "\n").getBytes(StandardCharsets.UTF_8);
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.shutdownOutput();
            discardInput(channel);
        } catch (IOException e) {
            LOG.debug("control reply not delivered: {}", e.getMessage()); // batonctl went away
        } finally {
            close(channel);
        }
    }

    /**
     * Reads what the client sent beyond its request (a refused or malformed one), briefly: closing
     * a Unix socket with unread data resets the connection, and the client would see
     * "Connection reset" instead of our answer.
     */
    private void discardInput(SocketChannel channel) throws IOException {
        Future<?> timeout = endInputAfter(channel, 1000);
        try {
            ByteBuffer sink = ByteBuffer.allocate(4096);
            for (int total = 0; total < 64 * 1024; ) {
                int n = channel.read(sink.clear());
                if (n <= 0) {
                    return;
                }
                total += n;
            }
        } finally {
            timeout.cancel(false);
        }
    }

    private static void close(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // the file is removed below either way
        }
        // Answers already given (stop --wait's, a last reload's) reach their client before the JVM
        // exits; a request that came too late to be answered is not waited for long.
        long deadline = System.nanoTime() + FLUSH_TIMEOUT_MS * 1_000_000L;
        for (Thread t : serving) {
            try {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        timeouts.shutdownNow();
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("cannot remove control socket {}: {}", path, e.getMessage());
        }
    }
}
