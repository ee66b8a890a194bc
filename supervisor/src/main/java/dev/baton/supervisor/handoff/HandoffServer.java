package dev.baton.supervisor.handoff;

import dev.baton.supervisor.os.ChannelFd;

import dev.baton.supervisor.lifecycle.Durations;
import dev.baton.supervisor.lifecycle.Event;
import dev.baton.supervisor.log.LogBudget;
import dev.baton.supervisor.os.Native;

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
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

import dev.baton.protocol.Frame;
import dev.baton.protocol.FrameException;
import dev.baton.protocol.FrameReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handoff socket: a Unix stream socket in a directory only batond's user can enter. One
 * thread ({@code handoff}) accepts and reads every connection through a selector, turning frames
 * into events; the loop answers through {@link #send} and {@link #close(int)}.
 *
 * <p>What a connection may cost is bounded. Until its first frame (the HELLO) has arrived it is
 * one of at most {@link #MAX_WAITING}; when another one arrives beyond that, the oldest of them
 * is closed (a real child says HELLO within milliseconds of connecting, so a crowd of idle
 * connections cannot keep it out), and none of them may wait longer than {@link #HELLO_TIMEOUT}.
 * A peer of another uid is closed at once. Between frames a connection holds four bytes; while a
 * frame arrives, what has arrived of it (see {@link FrameReader}). What clients can cause by the
 * thousand is logged through a {@link LogBudget}.
 */
public final class HandoffServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("batond");

    /** A connection that has not sent a complete first frame by then is closed. */
    static final Duration HELLO_TIMEOUT = Duration.ofSeconds(5);
    /** At most this many connections may wait for their first frame at once. */
    static final int MAX_WAITING = 32;
    /** The selector thread's one read buffer. */
    static final int READ_BUFFER = 16 * 1024;
    /** Reads from one connection per turn of the selector, so that one busy peer cannot starve the rest. */
    static final int READS_PER_TURN = 8;
    /** Accepts per turn of the selector. */
    static final int ACCEPTS_PER_TURN = 64;
    /** After accept() fails (out of descriptors, say), the pause before it is tried again. */
    static final Duration ACCEPT_PAUSE = Duration.ofMillis(100);
    /** How long close() waits for the selector thread to close everything. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(2);
    private static final Duration LOG_WINDOW = Duration.ofSeconds(10);

    private final Path directory;
    private final Path socketPath;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final SelectionKey acceptKey;
    private final Native nat;
    private final int ownUid;
    private final Consumer<Event> events;
    private final Duration helloTimeout;
    private final int maxWaiting;
    /** Every open connection, for the loop's sends. */
    private final Map<Integer, HandoffConnection> connections = new ConcurrentHashMap<>();
    /** Connections the loop asked to close; the selector thread closes them. */
    private final Queue<HandoffConnection> closeRequests = new ConcurrentLinkedQueue<>();
    /** Selector thread only: connections that have not sent a first frame yet, oldest (and first to expire) first. */
    private final LinkedHashMap<Integer, HandoffConnection> waiting = new LinkedHashMap<>();
    /** Selector thread only. */
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER);
    private final LogBudget timedOut;
    private final LogBudget crowded;
    private final LogBudget badFrames;
    private final LogBudget acceptFailures;
    private final Thread thread;
    /** Selector thread only. */
    private int ids;
    /** Selector thread only: System.nanoTime until which accepting pauses, or 0. */
    private long acceptPausedUntil;
    private volatile boolean closed;

    private HandoffServer(Path directory, ServerSocketChannel server, Native nat, Consumer<Event> events,
                          Duration helloTimeout, int maxWaiting) throws IOException {
        this.directory = directory;
        this.socketPath = directory.resolve("handoff.sock");
        this.server = server;
        this.nat = nat;
        this.ownUid = nat.uid();
        this.events = events;
        this.helloTimeout = helloTimeout;
        this.maxWaiting = maxWaiting;
        String timeout = Durations.format(helloTimeout);
        this.timedOut = new LogBudget(LOG, "handoff: {} more connection(s) closed: no HELLO within " + timeout, 3, LOG_WINDOW);
        this.crowded = new LogBudget(LOG, "handoff: {} more connection(s) closed: no HELLO yet, and "
                + maxWaiting + " newer connections waiting for theirs", 3, LOG_WINDOW);
        this.badFrames = new LogBudget(LOG, "handoff: {} more connection(s) closed for a bad frame", 10, LOG_WINDOW);
        this.acceptFailures = new LogBudget(LOG, "handoff: accept failed {} more time(s)", 3, LOG_WINDOW);
        server.configureBlocking(false);
        this.selector = Selector.open();
        this.acceptKey = server.register(selector, SelectionKey.OP_ACCEPT);
        this.thread = new Thread(this::run, "handoff");
        thread.setDaemon(true);
    }

    /** Creates {@code parent/baton-PID-XXXX/handoff.sock}, the directory mode 0700. */
    public static HandoffServer open(Path parent, Native nat, Consumer<Event> events) throws IOException {
        return open(parent, nat, events, HELLO_TIMEOUT, MAX_WAITING);
    }

    /** As {@link #open(Path, Native, Consumer)}, with the limits tests want shorter. */
    public static HandoffServer open(Path parent, Native nat, Consumer<Event> events, Duration helloTimeout, int maxWaiting)
            throws IOException {
        Path dir = Files.createTempDirectory(parent, "baton-" + ProcessHandle.current().pid() + "-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        HandoffServer handoff;
        try {
            server.bind(UnixDomainSocketAddress.of(dir.resolve("handoff.sock")));
            handoff = new HandoffServer(dir, server, nat, events, helloTimeout, maxWaiting);
        } catch (IOException | RuntimeException e) {
            server.close();
            Files.deleteIfExists(dir.resolve("handoff.sock"));
            Files.deleteIfExists(dir);
            throw e;
        }
        handoff.thread.start();
        return handoff;
    }

    public Path socketPath() {
        return socketPath;
    }

    /**
     * Sends {@code frame} with {@code fds} attached, from the loop thread. The socket is
     * non-blocking: a peer that reads nothing and lets its socket fill up would make sendmsg fail
     * with EAGAIN (a LISTENERS frame is a few hundred bytes, a socket buffer some hundred KiB, so
     * only such a peer gets there). The loop never waits for it: the connection is closed, as it is
     * after any failed send, since part of a frame may have gone.
     */
    public void send(int connection, Frame frame, int[] fds) throws IOException {
        HandoffConnection c = connections.get(connection);
        if (c == null) {
            throw new IOException("handoff connection " + connection + " is closed");
        }
        try {
            c.send(nat, frame.encode(), fds);
        } catch (IOException e) {
            close(connection);
            throw new IOException("handoff connection " + connection + ": " + e.getMessage()
                    + "; connection closed", e);
        }
    }

    /** Closes one connection, from any thread; a {@link Event.HandoffClosed} follows. Idempotent. */
    public void close(int connection) {
        HandoffConnection c = connections.get(connection);
        if (c != null && !c.isClosing()) {
            c.closing();
            closeRequests.add(c);
            selector.wakeup();
        }
    }

    // --- the selector thread ---------------------------------------------------------------

    private void run() {
        try {
            while (!closed) {
                long now = System.nanoTime();
                expire(now);
                flushLogs(now);
                resumeAccepting(now);
                long wake = nextWake();
                long timeoutMs = wake == Long.MAX_VALUE ? 0 : Math.max(1, (wake - now + 999_999) / 1_000_000);
                selector.select(timeoutMs);
                for (HandoffConnection c; (c = closeRequests.poll()) != null; ) {
                    end(c, "closed by batond");
                }
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext() && !closed) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key == acceptKey) {
                        acceptSome();
                    } else {
                        HandoffConnection c = (HandoffConnection) key.attachment();
                        try {
                            read(c);
                        } catch (RuntimeException e) {
                            // A bug, not the peer's doing: say so loudly and drop only this connection.
                            LOG.error("internal error reading handoff connection {}", c.id, e);
                            end(c, "internal error: " + e);
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                LOG.error("handoff socket failed, no child can connect any more: {}", e.toString());
            }
        } finally {
            timedOut.flushNow();
            crowded.flushNow();
            badFrames.flushNow();
            acceptFailures.flushNow();
            for (HandoffConnection c : connections.values()) {
                c.close();
            }
            connections.clear();
            try {
                selector.close();
            } catch (IOException ignored) {
                // its descriptors are gone either way
            }
            try {
                server.close();
            } catch (IOException ignored) {
                // the files are removed by close()
            }
        }
    }

    private long nextWake() {
        long wake = Math.min(Math.min(timedOut.flushDue(), crowded.flushDue()),
                Math.min(badFrames.flushDue(), acceptFailures.flushDue()));
        if (!waiting.isEmpty()) {
            wake = Math.min(wake, oldestWaiting().helloDeadline);
        }
        if (acceptPausedUntil != 0) {
            wake = Math.min(wake, acceptPausedUntil);
        }
        return wake;
    }

    private HandoffConnection oldestWaiting() {
        return waiting.values().iterator().next();
    }

    private void flushLogs(long now) {
        timedOut.flush(now);
        crowded.flush(now);
        badFrames.flush(now);
        acceptFailures.flush(now);
    }

    /** Closes the connections whose HELLO is overdue; they are in order of their deadlines. */
    private void expire(long now) {
        while (!waiting.isEmpty()) {
            HandoffConnection oldest = oldestWaiting();
            if (oldest.helloDeadline - now > 0) {
                return;
            }
            String why = "no HELLO within " + Durations.format(helloTimeout);
            if (timedOut.allow(now)) {
                LOG.warn("handoff connection {} closed: {}", oldest.id, why);
            }
            end(oldest, why);
        }
    }

    private void acceptSome() {
        for (int i = 0; i < ACCEPTS_PER_TURN; i++) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (IOException e) {
                // Out of descriptors, most likely: the pending connection stays in the backlog, and
                // trying again at once would only spin.
                long now = System.nanoTime();
                if (acceptFailures.allow(now)) {
                    LOG.warn("handoff: accept failed: {}; trying again in {}", e.getMessage(),
                            Durations.format(ACCEPT_PAUSE));
                }
                acceptPausedUntil = now + ACCEPT_PAUSE.toNanos();
                acceptKey.interestOps(0);
                return;
            }
            if (channel == null) {
                return;
            }
            accepted(channel);
        }
    }

    private void resumeAccepting(long now) {
        if (acceptPausedUntil != 0 && now - acceptPausedUntil >= 0) {
            acceptPausedUntil = 0;
            acceptKey.interestOps(SelectionKey.OP_ACCEPT);
        }
    }

    private void accepted(SocketChannel channel) {
        long now = System.nanoTime();
        int id = ++ids;
        HandoffConnection c;
        try {
            channel.configureBlocking(false);
            c = new HandoffConnection(id, channel, ChannelFd.of(channel), now + helloTimeout.toNanos());
        } catch (IOException e) {
            LOG.warn("handoff connection {} dropped: {}", id, e.getMessage());
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing left to release
            }
            return;
        }
        long peerPid = -1;
        int peerUid = -1;
        try {
            Native.Peer peer = nat.peer(c.fd);
            peerPid = peer.pid();
            peerUid = peer.uid();
        } catch (IOException | RuntimeException e) {
            LOG.warn("handoff connection {}: cannot read SO_PEERCRED: {}", id, e.getMessage());
        }
        connections.put(id, c);
        // The supervisor decides (and logs) whom it refuses; a peer of another uid is not even read.
        events.accept(new Event.HandoffConnected(id, peerPid, peerUid));
        if (peerUid != ownUid && peerUid != 0) {
            end(c, "refused: peer runs as uid " + peerUid);
            return;
        }
        if (waiting.size() >= maxWaiting) {
            HandoffConnection oldest = oldestWaiting();
            String why = "no HELLO yet, and " + maxWaiting + " newer connections waiting for theirs";
            if (crowded.allow(now)) {
                LOG.warn("handoff connection {} closed: {}", oldest.id, why);
            }
            end(oldest, why);
        }
        try {
            channel.register(selector, SelectionKey.OP_READ, c);
        } catch (IOException e) {
            end(c, "cannot watch it: " + e.getMessage());
            return;
        }
        waiting.put(id, c);
    }

    private void read(HandoffConnection c) {
        for (int i = 0; i < READS_PER_TURN; i++) {
            int n;
            try {
                n = c.channel.read(readBuffer.clear());
            } catch (IOException e) {
                end(c, "read failed: " + e.getMessage());
                return;
            }
            try {
                if (n < 0) {
                    c.reader.endOfStream();
                    end(c, "end of stream");
                    return;
                }
                readBuffer.flip();
                c.reader.feed(readBuffer, frame -> received(c, frame));
            } catch (FrameException e) {
                String reason = "bad frame: " + e.getMessage();
                if (badFrames.allow(System.nanoTime())) {
                    LOG.warn("handoff connection {}: {}; closing it", c.id, reason);
                }
                end(c, reason);
                return;
            }
            if (n < READ_BUFFER) {
                return; // nothing more for now
            }
        }
    }

    private void received(HandoffConnection c, Frame frame) {
        waiting.remove(c.id);
        if (!c.isClosing()) {
            events.accept(ChildFrames.event(c.id, frame));
        }
    }

    /** Closes {@code c} (its key is cancelled with it) and tells the loop, once. */
    private void end(HandoffConnection c, String reason) {
        waiting.remove(c.id);
        connections.remove(c.id);
        if (c.close()) {
            events.accept(new Event.HandoffClosed(c.id, reason));
        }
    }

    // --- shutdown ---------------------------------------------------------------------------

    /** Closes every connection and the socket, and removes the socket's directory. */
    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(CLOSE_WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (thread.isAlive()) {
            LOG.warn("handoff thread did not end within {}", Durations.format(CLOSE_WAIT));
        }
        try {
            Files.deleteIfExists(socketPath);
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            LOG.warn("cannot remove handoff directory {}: {}", directory, e.getMessage());
        }
    }
}
