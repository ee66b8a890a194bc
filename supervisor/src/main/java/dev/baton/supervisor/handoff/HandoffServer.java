package dev.baton.supervisor.handoff;

import dev.baton.supervisor.os.NativeSockets;

import dev.baton.supervisor.lifecycle.Durations;
import dev.baton.supervisor.lifecycle.Event;
import dev.baton.supervisor.log.LogBudget;
import dev.baton.supervisor.os.Native;
import dev.baton.supervisor.os.SocketFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
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
 * thread ({@code handoff}) accepts and reads every connection, turning frames into events; the
 * loop answers through {@link #send} and {@link #close(int)}. The sockets are batond's own
 * ({@link NativeSockets}: it needs their descriptors for SO_PEERCRED and sendmsg) and the thread
 * waits in poll(2) on the listening socket, every connection and an eventfd through which other
 * threads wake it (a close requested, batond stopping).
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
    /** The handoff thread's one read buffer. */
    static final int READ_BUFFER = 16 * 1024;
    /** Reads from one connection per turn of the loop, so that one busy peer cannot starve the rest. */
    static final int READS_PER_TURN = 8;
    /** Accepts per turn of the loop. */
    static final int ACCEPTS_PER_TURN = 64;
    /** After accept() fails (out of descriptors, say), the pause before it is tried again. */
    static final Duration ACCEPT_PAUSE = Duration.ofMillis(100);
    /** The listening socket's accept queue: what the JDK's Unix server channel had by default. */
    static final int BACKLOG = 50;
    /** How long close() waits for the handoff thread to close everything. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(2);
    private static final Duration LOG_WINDOW = Duration.ofSeconds(10);

    private final Path directory;
    private final Path socketPath;
    /** The listening socket (non-blocking); the handoff thread closes it when it ends. */
    private final int server;
    /** The eventfd that wakes the handoff thread; open while {@link #wakeupOpen}. */
    private final int wakeup;
    /** Guards {@link #wakeupOpen}, so that no thread writes to the eventfd once it is closed (or its number reused). */
    private final Object wakeupLock = new Object();
    private boolean wakeupOpen = true;
    private final Native nat;
    private final NativeSockets sockets;
    private final int ownUid;
    private final Consumer<Event> events;
    private final Duration helloTimeout;
    private final int maxWaiting;
    /** Every open connection, for the loop's sends. */
    private final Map<Integer, HandoffConnection> connections = new ConcurrentHashMap<>();
    /** Connections the loop asked to close; the handoff thread closes them. */
    private final Queue<HandoffConnection> closeRequests = new ConcurrentLinkedQueue<>();
    /** Handoff thread only: connections that have not sent a first frame yet, oldest (and first to expire) first. */
    private final LinkedHashMap<Integer, HandoffConnection> waiting = new LinkedHashMap<>();
    /** Handoff thread only. */
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER);
    /** Handoff thread only: this turn's poll set (the wakeup, the listener unless accepting pauses, every connection). */
    private int[] pollFds = new int[16];
    private short[] pollEvents = new short[16];
    private short[] pollReady = new short[16];
    private HandoffConnection[] polled = new HandoffConnection[16];
    private final LogBudget timedOut;
    private final LogBudget crowded;
    private final LogBudget badFrames;
    private final LogBudget acceptFailures;
    private final Thread thread;
    /** Handoff thread only. */
    private int ids;
    /** Handoff thread only: System.nanoTime until which accepting pauses, or 0. */
    private long acceptPausedUntil;
    private volatile boolean closed;

    /** Set while batond is about to exec its next image: the thread parks and reads nothing. */
    private boolean held; // guarded by holdLock
    private boolean parked; // guarded by holdLock
    private final Object holdLock = new Object();

    private HandoffServer(Path directory, int server, Native nat, Consumer<Event> events,
                          Duration helloTimeout, int maxWaiting) throws IOException {
        this.directory = directory;
        this.socketPath = directory.resolve("handoff.sock");
        this.server = server;
        this.nat = nat;
        this.sockets = nat.sockets();
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
        this.wakeup = sockets.openWakeup();
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
        int server = -1;
        HandoffServer handoff;
        try {
            server = nat.sockets().listenUnix(dir.resolve("handoff.sock"), BACKLOG, true);
            handoff = new HandoffServer(dir, server, nat, events, helloTimeout, maxWaiting);
        } catch (IOException | RuntimeException e) {
            if (server >= 0) {
                nat.close(server);
            }
            Files.deleteIfExists(dir.resolve("handoff.sock"));
            Files.deleteIfExists(dir);
            throw e;
        }
        handoff.thread.start();
        return handoff;
    }

    /**
     * Binds {@code dir/handoff.sock} at a path that stays the same from one run of batond to the next
     * (children of a batond that died reconnect to it). {@code dir} is created mode 0700, or, when it
     * exists, must be a directory (not a symbolic link) of batond's uid, mode 0700. A socket left there
     * by a batond that died is replaced; one that answers belongs to a live batond: refused.
     */
    public static HandoffServer openAt(Path dir, Native nat, Consumer<Event> events) throws IOException {
        int ownUid = nat.uid();
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(dir + " is not a directory");
        }
        int owner = ((Number) Files.getAttribute(dir, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS)).intValue();
        if (owner != ownUid) {
            throw new IOException(dir + " belongs to uid " + owner + ", not to batond's uid " + ownUid);
        }
        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS));
        if (!mode.equals("rwx------")) {
            throw new IOException(dir + " has mode " + mode + ", not rwx------: only batond's user may enter it");
        }
        Path socket = dir.resolve("handoff.sock");
        SocketFiles.claim(socket, socket + " is in use by another batond of the same --control: stop that one first");
        int server = -1;
        HandoffServer handoff;
        try {
            server = nat.sockets().listenUnix(socket, BACKLOG, true);
            handoff = new HandoffServer(dir, server, nat, events, HELLO_TIMEOUT, MAX_WAITING);
        } catch (IOException | RuntimeException e) {
            if (server >= 0) {
                nat.close(server);
            }
            throw e;
        }
        handoff.thread.start();
        return handoff;
    }

    /**
     * Carries on with the handoff socket and connections another image of batond left: the
     * listening descriptor, and each connection (by its id, already past its HELLO) with its
     * descriptor. Nothing is created or bound.
     */
    public static HandoffServer adopt(Path directory, int server, Map<Integer, Integer> connections, int lastId,
                                      Native nat, Consumer<Event> events) throws IOException {
        HandoffServer handoff = new HandoffServer(directory, server, nat, events, HELLO_TIMEOUT, MAX_WAITING);
        connections.forEach((id, fd) -> handoff.connections.put(id, new HandoffConnection(id, fd, System.nanoTime())));
        handoff.ids = Math.max(lastId, connections.keySet().stream().mapToInt(Integer::intValue).max().orElse(0));
        handoff.thread.start();
        return handoff;
    }

    public Path socketPath() {
        return socketPath;
    }

    public Path directory() {
        return directory;
    }

    /** The listening socket's descriptor, for the next image of batond. */
    public int serverFd() {
        return server;
    }

    /** Open connections' descriptors by id, for the next image of batond; call while {@link #hold held}. */
    public Map<Integer, Integer> connectionFds() {
        Map<Integer, Integer> fds = new java.util.TreeMap<>();
        connections.forEach((id, c) -> {
            if (!c.isClosing()) {
                fds.put(id, c.fd);
            }
        });
        return fds;
    }

    /** The last connection id handed out, so that the next image's ids do not repeat them. */
    public int lastId() {
        synchronized (holdLock) {
            return ids;
        }
    }

    /**
     * Stops (true) or restarts (false) reading: while held the handoff thread is parked, and frames
     * wait in the sockets, so that nothing read is lost when batond execs its next image. Holding
     * returns once the thread is parked (at most {@link #CLOSE_WAIT}); whether it is.
     */
    public boolean hold(boolean hold) {
        synchronized (holdLock) {
            held = hold;
            holdLock.notifyAll();
        }
        if (!hold) {
            return true;
        }
        wake();
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        synchronized (holdLock) {
            while (!parked && thread.isAlive()) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return false;
                }
                try {
                    holdLock.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return parked || !thread.isAlive();
        }
    }

    /** The handoff thread, at the top of its loop: parks while held. */
    private void parkWhileHeld() throws InterruptedException {
        synchronized (holdLock) {
            while (held && !closed) {
                parked = true;
                holdLock.notifyAll();
                holdLock.wait();
            }
            parked = false;
        }
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
            wake();
        }
    }

    /** Wakes the handoff thread from its poll; any thread. */
    private void wake() {
        synchronized (wakeupLock) {
            if (wakeupOpen) {
                try {
                    sockets.wake(wakeup);
                } catch (IOException e) {
                    LOG.error("handoff: cannot wake the handoff thread: {}", e.getMessage());
                }
            }
        }
    }

    // --- the handoff thread ----------------------------------------------------------------

    private void run() {
        try {
            while (!closed) {
                parkWhileHeld();
                long now = System.nanoTime();
                expire(now);
                flushLogs(now);
                resumeAccepting(now);
                long wake = nextWake();
                int timeoutMs = wake == Long.MAX_VALUE ? -1
                        : (int) Math.min(Integer.MAX_VALUE, Math.max(1, (wake - now + 999_999) / 1_000_000));
                int count = pollSet();
                sockets.poll(pollFds, pollEvents, pollReady, count, timeoutMs);
                if (pollReady[0] != 0) {
                    sockets.clearWakeup(wakeup); // before the requests are taken: a later one wakes the next poll
                }
                for (HandoffConnection c; (c = closeRequests.poll()) != null; ) {
                    end(c, "closed by batond");
                }
                for (int i = 1; i < count && !closed; i++) {
                    if (pollReady[i] == 0) {
                        continue;
                    }
                    if (polled[i] == null) {
                        acceptSome();
                    } else {
                        HandoffConnection c = polled[i];
                        if (connections.get(c.id) != c) {
                            continue; // ended earlier in this turn
                        }
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
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                LOG.error("handoff socket failed, no child can connect any more: {}", e.toString());
            }
        } finally {
            timedOut.flushNow();
            crowded.flushNow();
            badFrames.flushNow();
            ChildFrames.BAD_WARMUP.flushNow();
            acceptFailures.flushNow();
            for (HandoffConnection c : connections.values()) {
                c.close(nat);
            }
            connections.clear();
            Arrays.fill(polled, null);
            nat.close(server); // the files are removed by close()
            synchronized (wakeupLock) {
                wakeupOpen = false;
                nat.close(wakeup);
            }
        }
    }

    /** Fills this turn's poll set: the wakeup first, then the listener (unless accepting pauses), then every connection. */
    private int pollSet() {
        int size = 2 + connections.size();
        if (pollFds.length < size) {
            int length = Math.max(size, pollFds.length * 2);
            pollFds = Arrays.copyOf(pollFds, length);
            pollEvents = Arrays.copyOf(pollEvents, length);
            pollReady = Arrays.copyOf(pollReady, length);
            polled = Arrays.copyOf(polled, length);
        }
        int count = 0;
        count = watch(count, wakeup, null);
        if (acceptPausedUntil == 0) {
            count = watch(count, server, null);
        }
        for (HandoffConnection c : connections.values()) {
            count = watch(count, c.fd, c);
        }
        Arrays.fill(polled, count, polled.length, null); // nothing kept reachable from an earlier turn
        return count;
    }

    private int watch(int at, int fd, HandoffConnection c) {
        pollFds[at] = fd;
        pollEvents[at] = NativeSockets.POLLIN;
        pollReady[at] = 0;
        polled[at] = c;
        return at + 1;
    }

    private long nextWake() {
        long wake = Math.min(Math.min(timedOut.flushDue(), crowded.flushDue()),
                Math.min(Math.min(badFrames.flushDue(), acceptFailures.flushDue()), ChildFrames.BAD_WARMUP.flushDue()));
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
        ChildFrames.BAD_WARMUP.flush(now);
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
            int fd;
            try {
                fd = sockets.accept(server, true);
            } catch (IOException e) {
                // Out of descriptors, most likely: the pending connection stays in the backlog, and
                // trying again at once would only spin.
                long now = System.nanoTime();
                if (acceptFailures.allow(now)) {
                    LOG.warn("handoff: accept failed: {}; trying again in {}", e.getMessage(),
                            Durations.format(ACCEPT_PAUSE));
                }
                acceptPausedUntil = now + ACCEPT_PAUSE.toNanos(); // the listener leaves the poll set meanwhile
                return;
            }
            if (fd < 0) {
                return;
            }
            accepted(fd);
        }
    }

    private void resumeAccepting(long now) {
        if (acceptPausedUntil != 0 && now - acceptPausedUntil >= 0) {
            acceptPausedUntil = 0;
        }
    }

    /** A new connection, non-blocking and close-on-exec. */
    private void accepted(int fd) {
        long now = System.nanoTime();
        int id;
        synchronized (holdLock) {
            id = ++ids;
        }
        HandoffConnection c = new HandoffConnection(id, fd, now + helloTimeout.toNanos());
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
        waiting.put(id, c); // polled from the next turn on

    }

    private void read(HandoffConnection c) {
        for (int i = 0; i < READS_PER_TURN; i++) {
            int n;
            try {
                n = sockets.receive(c.fd, readBuffer.clear(), false);
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

    /** Closes {@code c} (it leaves the poll set with it) and tells the loop, once. */
    private void end(HandoffConnection c, String reason) {
        waiting.remove(c.id);
        connections.remove(c.id);
        if (c.close(nat)) {
            events.accept(new Event.HandoffClosed(c.id, reason));
        }
    }

    // --- shutdown ---------------------------------------------------------------------------

    /** Closes every connection and the socket, and removes the socket's directory. */
    @Override
    public void close() {
        closed = true;
        synchronized (holdLock) {
            holdLock.notifyAll();
        }
        wake();
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
