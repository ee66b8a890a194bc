package dev.baton.supervisor.control;

import dev.baton.supervisor.os.NativeSockets;

import dev.baton.supervisor.lifecycle.Durations;

import dev.baton.supervisor.log.LogBudget;
import dev.baton.supervisor.os.Native;
import dev.baton.supervisor.os.SocketFiles;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control socket batonctl talks to: a Unix stream socket, mode 0600, peers of another uid
 * refused. A request is one line of text ({@code status}, {@code reload --wait}, ...); the
 * answer is one line of JSON, after which the connection closes. Commands run on
 * the loop, which answers; this class only moves bytes, one thread per connection.
 *
 * <p>At most {@link #MAX_CONNECTIONS} connections are served at once, so a crowd of idle clients
 * costs a bounded number of threads. When one more arrives, the oldest connection that has not
 * yet sent its request line is dropped to make room (answered with an error and closed): an
 * operator's {@code batonctl status} sends its line at once, so it always gets through, however
 * many idle or half-open clients there are. Only when every place is taken by a request being
 * answered ({@code reload --wait} and {@code stop --wait} keep theirs open for long) is the newcomer
 * refused with a one-line {@code busy} error, without a thread of its own. A client that sends no
 * complete line within the read timeout is dropped too.
 *
 * <p>The sockets are batond's own ({@link NativeSockets}, {@link ControlConnection}), blocking,
 * with the read timeout a timer that shuts the connection's input down. JDK channels would do
 * for the bytes, but the uid check needs the peer's numeric uid and pid (SO_PEERCRED), which the
 * JDK gives only as a user name ({@code ExtendedSocketOptions.SO_PEERCRED}) and without the pid;
 * with its own descriptors batond asks the kernel, as it does on the handoff socket.
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("batond");

    /** A request longer than this is not a command. */
    static final int MAX_REQUEST = 1024;
    /** A client that sends no complete line within this is dropped. */
    static final int READ_TIMEOUT_MS = 5000;
    /** How long close() waits for answers still being written. */
    static final int FLUSH_TIMEOUT_MS = 1000;
    /**
     * Connections served at once, each by a thread of its own (some 128 KiB resident while it lives:
     * 32 of them add about 4 MiB to batond). Far more than operators and their scripts open at once.
     */
    static final int MAX_CONNECTIONS = 32;
    /** Refused (busy) clients whose request is still read and thrown away before their connection closes. */
    static final int MAX_LINGERING = 64;
    /** How often, and at most how long, a refused client's leftover input is read before closing. */
    static final int LINGER_POLL_MS = 50;
    static final int LINGER_MS = 1000;
    private static final java.time.Duration LOG_WINDOW = java.time.Duration.ofSeconds(10);

    /** The control socket's accept queue: what the JDK's Unix server channel had by default. */
    static final int BACKLOG = 50;

    private final Path path;
    /** The listening socket (blocking); the accepting thread closes it as it ends. */
    private final int server;
    /** Guards {@link #serverOpen}: no shutdown meets {@link #server} once closed (its number may be another file's). */
    private final Object serverLock = new Object();
    private boolean serverOpen = true;
    private final int ownUid;
    private final Native nat;
    private final BiConsumer<String, ControlReply> requests;
    private final int readTimeoutMs;
    private final int maxConnections;
    /** The connections being served, oldest first; guarded by itself. Written by the accepting thread only. */
    private final LinkedHashSet<Client> clients = new LinkedHashSet<>();
    private final AtomicInteger lingering = new AtomicInteger();
    private final LogBudget dropped = new LogBudget(LOG, "control: {} more idle connection(s) dropped", 3, LOG_WINDOW);
    private final LogBudget malformed = new LogBudget(LOG, "control: {} more malformed request(s) refused", 5, LOG_WINDOW);
    private final LogBudget busy = new LogBudget(LOG, "control: {} more connection(s) refused: busy", 3, LOG_WINDOW);
    /** Ends reads that take too long (by shutting the connection's input down) and lingering refused clients. */
    private final ScheduledExecutorService timeouts = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "control-timeouts");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;
    /** Connection threads still answering: close() lets them finish writing (say, stop --wait's answer). */
    private final java.util.Set<Thread> serving = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** One connection being served: whether it still waits for its request line, whether it was dropped. */
    private static final class Client {
        final ControlConnection channel;
        /** Guarded by {@link #clients}: no complete request line yet, so it may be dropped for a newcomer. */
        boolean reading = true;
        /** Guarded by {@link #clients}. */
        boolean dropped;
        /** Guarded by {@link #clients}: answered, only its leftover input is still being read; it may go at once. */
        boolean answered;
        /** The read timeout ended its read. */
        volatile boolean timedOut;
        /** Serves it; set before the client is admitted. */
        Thread thread;

        Client(ControlConnection channel) {
            this.channel = channel;
        }
    }

    private ControlServer(Path path, int server, int ownUid, Native nat, BiConsumer<String, ControlReply> requests,
                          int readTimeoutMs, int maxConnections) {
        this.path = path;
        this.server = server;
        this.ownUid = ownUid;
        this.nat = nat;
        this.requests = requests;
        this.readTimeoutMs = readTimeoutMs;
        this.maxConnections = maxConnections;
        // The summaries of log lines left out, once their window is over.
        timeouts.scheduleWithFixedDelay(() -> {
            long now = System.nanoTime();
            dropped.flush(now);
            malformed.flush(now);
            busy.flush(now);
        }, LOG_WINDOW.toMillis(), LOG_WINDOW.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Binds the socket; a stale one left by a dead batond is replaced, a live one is an error. */
    public static ControlServer open(Path path, Native nat, BiConsumer<String, ControlReply> requests) throws IOException {
        return open(path, nat, requests, READ_TIMEOUT_MS, MAX_CONNECTIONS);
    }

    /** As {@link #open(Path, Native, BiConsumer)}, with the limits tests want smaller. */
    public static ControlServer open(Path path, Native nat, BiConsumer<String, ControlReply> requests, int readTimeoutMs, int maxConnections)
            throws IOException {
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
        SocketFiles.claim(path, path + " is in use by another batond: give this one its own --control PATH");
        int server = nat.sockets().listenUnix(path, BACKLOG, false);
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            nat.close(server);
            throw e;
        }
        ControlServer control = new ControlServer(path, server, ownUid, nat, requests, readTimeoutMs, maxConnections);
        Acceptor.start("control", server, nat, () -> control.closed, control::accepted, control::closeServer);
        return control;
    }

    /**
     * Carries on with the control socket another image of batond left listening on {@code server}
     * (the same path, nothing bound again); connections it was serving ended with it.
     */
    public static ControlServer adopt(Path path, int server, Native nat, BiConsumer<String, ControlReply> requests) {
        ControlServer control = new ControlServer(path, server, nat.uid(), nat, requests, READ_TIMEOUT_MS, MAX_CONNECTIONS);
        Acceptor.start("control", server, nat, () -> control.closed, control::accepted, control::closeServer);
        return control;
    }

    /** The listening socket's descriptor, for the next image of batond. */
    public int serverFd() {
        return server;
    }

    /**
     * Waits until every answer the loop has given is written to its client (at most
     * {@code timeoutMs}): before batond execs its next image, which closes these connections.
     */
    public boolean awaitAnswersWritten(long timeoutMs) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (answersUnwritten.get() > 0) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Answers the loop has given whose connection thread has not finished writing them. */
    private final AtomicInteger answersUnwritten = new AtomicInteger();

    public Path path() {
        return path;
    }

    private void accepted(int fd) {
        ControlConnection channel = new ControlConnection(nat, fd);
        Client client = new Client(channel);
        Thread t = new Thread(() -> {
            try {
                serve(client);
            } finally {
                synchronized (clients) {
                    clients.remove(client);
                }
                serving.remove(Thread.currentThread());
            }
        }, "control");
        t.setDaemon(true);
        client.thread = t;
        Client victim;
        synchronized (clients) {
            victim = clients.size() >= maxConnections ? dropOldestIdle() : null;
            if (clients.size() >= maxConnections) {
                refuseBusy(channel);
                return;
            }
            clients.add(client);
        }
        if (victim != null) {
            // Its thread only answers and closes: waiting for it keeps the threads at the cap however
            // fast clients arrive (and paces a flood of them).
            try {
                victim.thread.join(FLUSH_TIMEOUT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        serving.add(t);
        t.start();
    }

    /**
     * Makes room: the oldest connection still waiting for its request line stops counting and its
     * read ends (its thread answers and closes it). Null when every connection awaits its answer.
     * Holds {@link #clients}.
     */
    private Client dropOldestIdle() {
        Client victim = null;
        for (Client c : clients) {
            if (c.answered) {
                victim = c; // costs its client nothing: the answer is out
                break;
            }
            if (c.reading && victim == null) {
                victim = c;
            }
        }
        if (victim == null) {
            return null;
        }
        if (!victim.answered) {
            victim.dropped = true;
            if (dropped.allow(System.nanoTime())) {
                LOG.warn("control connection dropped to make room: it had sent no request, and {} connections"
                        + " were open, the most batond serves at once", maxConnections);
            }
        }
        victim.reading = false;
        clients.remove(victim);
        shutdownInput(victim.channel);
        return victim;
    }

    /**
     * Every place is taken by a request being answered: the newcomer gets the busy error, on the
     * accepting thread, without blocking it. Its request is then read and thrown away for a moment
     * on the timer thread before the connection closes: closing with unread input would reset the
     * connection, and the client would see "Connection reset" instead of the answer.
     */
    private void refuseBusy(ControlConnection channel) {
        if (busy.allow(System.nanoTime())) {
            LOG.warn("control connection refused: {} requests are being answered (at most {} connections)",
                    maxConnections, maxConnections);
        }
        try {
            byte[] bytes = (JsonWriter.write(ControlResponses.error("busy: too many control connections ("
                    + maxConnections + " requests being answered); try again")) + "\n").getBytes(StandardCharsets.UTF_8);
            channel.writeNow(ByteBuffer.wrap(bytes)); // an empty socket buffer takes it whole
            channel.shutdownOutput();
        } catch (IOException e) {
            close(channel);
            return;
        }
        if (lingering.incrementAndGet() > MAX_LINGERING) {
            lingering.decrementAndGet();
            close(channel);
            return;
        }
        linger(channel, System.nanoTime() + LINGER_MS * 1_000_000L);
    }

    /** Reads and discards what a refused client sent until it closes its end or the deadline passes; then closes. */
    private void linger(ControlConnection channel, long deadline) {
        boolean done;
        try {
            ByteBuffer sink = ByteBuffer.allocate(1024);
            int n;
            do {
                n = channel.readNow(sink.clear());
            } while (n > 0);
            done = n < 0 || System.nanoTime() - deadline >= 0;
        } catch (IOException e) {
            done = true;
        }
        if (!done) {
            try {
                timeouts.schedule(() -> linger(channel, deadline), LINGER_POLL_MS, TimeUnit.MILLISECONDS);
                return;
            } catch (RejectedExecutionException e) {
                // batond is closing: no more waiting for clients
            }
        }
        lingering.decrementAndGet();
        close(channel);
    }

    /** Whether the request just read is to be answered; false when the connection was dropped meanwhile. */
    private boolean requestRead(Client client) {
        synchronized (clients) {
            client.reading = false;
            return !client.dropped;
        }
    }

    private void serve(Client client) {
        ControlConnection channel = client.channel;
        try {
            Native.Peer peer = channel.peer();
            if (peer.uid() != ownUid && peer.uid() != 0) {
                LOG.warn("control connection refused: pid={} runs as uid {}, not batond's uid {}",
                        peer.pid(), peer.uid(), ownUid);
                reply(client, ControlResponses.error("refused: uid " + peer.uid() + " may not control this batond"));
                return;
            }
            Future<?> timeout = endInputAfter(channel, readTimeoutMs, () -> client.timedOut = true);
            String request = readLine(channel);
            timeout.cancel(false);
            if (!requestRead(client)) {
                reply(client, ControlResponses.error("dropped: " + maxConnections
                        + " control connections are open and this one had sent no request; send the request at once"));
                return;
            }
            if (request == null && client.timedOut) {
                String why = "no request within " + Durations.format(java.time.Duration.ofMillis(readTimeoutMs));
                if (dropped.allow(System.nanoTime())) {
                    LOG.warn("control connection dropped: {}", why);
                }
                reply(client, ControlResponses.error(why + ": send one line of at most " + MAX_REQUEST
                        + " bytes of text, e.g. 'status'"));
                return;
            }
            if (request == null) {
                reply(client, ControlResponses.error("malformed request: send one line of at most "
                        + MAX_REQUEST + " bytes of text, e.g. 'status'"));
                if (malformed.allow(System.nanoTime())) {
                    LOG.warn("control: malformed request refused");
                }
                return;
            }
            // The loop only completes the answer; this connection's thread writes it, so a slow
            // client never holds up the loop.
            CompletableFuture<Map<String, Object>> answer = new CompletableFuture<>();
            requests.accept(request.trim(), response -> {
                answersUnwritten.incrementAndGet();
                answer.complete(response);
            });
            try {
                reply(client, answer.join());
            } finally {
                answersUnwritten.decrementAndGet();
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("control connection failed: {}", e.getMessage());
            close(channel);
        }
    }

    /** One line, UTF-8 without control characters; null when it is anything else. */
    private static String readLine(ControlConnection channel) throws IOException {
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
    private Future<?> endInputAfter(ControlConnection channel, int ms) {
        return endInputAfter(channel, ms, () -> { });
    }

    /** As {@link #endInputAfter(ControlConnection, int)}, running {@code first} before the input is shut. */
    private Future<?> endInputAfter(ControlConnection channel, int ms, Runnable first) {
        Runnable endInput = () -> {
            first.run();
            shutdownInput(channel);
        };
        try {
            return timeouts.schedule(endInput, ms, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            endInput.run(); // batond is closing: no more waiting for clients
            return CompletableFuture.completedFuture(null);
        }
    }

    private static void shutdownInput(ControlConnection channel) {
        channel.shutdownInput(); // closed meanwhile: the read has ended anyway
    }

    private void reply(Client client, Map<String, Object> response) {
        ControlConnection channel = client.channel;
        try {
            byte[] bytes = (JsonWriter.write(response) + "\n").getBytes(StandardCharsets.UTF_8);
            channel.writeAll(ByteBuffer.wrap(bytes));
            channel.shutdownOutput();
            synchronized (clients) {
                client.answered = true;
            }
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
    private void discardInput(ControlConnection channel) throws IOException {
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

    private static void close(ControlConnection channel) {
        channel.close();
    }

    /** The accepting thread's last act. */
    private void closeServer() {
        synchronized (serverLock) {
            if (serverOpen) {
                serverOpen = false;
                nat.close(server);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        // Ends a blocked accept (it fails with EINVAL); the accepting thread then closes the socket.
        synchronized (serverLock) {
            if (serverOpen) {
                try {
                    nat.sockets().shutdown(server, NativeSockets.Shutdown.BOTH);
                } catch (IOException e) {
                    LOG.debug("control socket shutdown: {}", e.getMessage());
                }
            }
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
        dropped.flushNow();
        malformed.flushNow();
        busy.flushNow();
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("cannot remove control socket {}: {}", path, e.getMessage());
        }
    }
}
