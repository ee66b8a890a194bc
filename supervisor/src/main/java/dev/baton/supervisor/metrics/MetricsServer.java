package dev.baton.supervisor.metrics;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of {@code --metrics}: {@code GET /metrics} on a TCP port, answered and closed. The
 * port may be reachable by any local user or by the network, so everything a client can make
 * batond hold is bounded: one thread and one selector, at most {@link Limits#maxConnections}
 * connections (and one descriptor more: see {@link #acceptAll()}), a request head of {@link
 * Limits#maxHead} bytes, a read and a write timeout, and one answer per connection. A connection's
 * request is read as soon as it is accepted: a real scrape sends it right after connecting, so by
 * the time it leaves the kernel's backlog it is there and answered at once. At the cap, the oldest
 * client whose request is still incomplete (else the oldest already answered, which has not closed
 * yet) makes way for the next newcomer, whatever its age, so that a flood of silent, half or
 * never-closing clients queued ahead of a real scrape is worked off at accept speed, not one
 * cap-full per timeout. Accepting rests only while every client is being written to. A client that
 * goes away costs one count in a line logged at most once a minute, never a stack trace.
 */
public final class MetricsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("batond");

    /** Writes the body of one scrape; called on the server's thread, once per {@code GET /metrics}. */
    interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /** What one client may cost. */
    record Limits(int maxConnections, int maxHead, int maxBody, long readTimeoutMs, long writeTimeoutMs,
                  long lingerMs, long restMs, long reuseBodyMs, long reportEveryMs) {
        /**
         * A scrape's head fits in one packet, its answer in a few kilobytes; 5 s is generous for both.
         * Rendering takes batond's interpreter about 50 ms: a body rendered less than 250 ms ago is
         * sent again, so a flood of scrapes costs at most four renders a second.
         */
        static final Limits DEFAULT = new Limits(16, 8 * 1024, 1024 * 1024, 5000, 5000, 1000, 500, 250, 60_000);
    }

    /**
     * The kernel's queue of connections not yet accepted. Java's default of 50 fills within a
     * millisecond under a flood of connects from one process (the server takes {@link
     * Limits#maxConnections} at a time), and every connect that finds it full, a real scrape's
     * too, waits a whole second for its SYN to be sent again. Queued connections cost the kernel,
     * not batond, and any local process can make as many anyway.
     */
    static final int BACKLOG = 1024;

    private enum State {
        /** Waiting for the rest of the request head. */
        READING,
        /** Writing the answer. */
        WRITING,
        /** Answer written and output shut: reading what the client still sends until it closes. */
        FINISHING
    }

    private final ServerSocketChannel server;
    private final Selector selector;
    private final int port;
    private final String contentType;
    private final Body body;
    private final Limits limits;
    private final Thread thread;
    /** In accept order: the first is the oldest. Only the server's thread touches it. */
    private final List<Exchange> exchanges = new ArrayList<>();
    /** The last body rendered, and when. */
    private byte[] lastBody;
    private long lastBodyAt;
    /** One buffer for every read: only one thread reads. */
    private final ByteBuffer in = ByteBuffer.allocateDirect(4096);
    private volatile boolean closed;
    private volatile int open;
    /**
     * Client channels closed since the last select began: the selector still holds their
     * descriptors, which the JDK closes only when its next select deregisters them.
     */
    private int unreleased;
    private volatile int peakDescriptors;

    // Counts since the last report line; the server's thread only.
    private long reportedAt = System.nanoTime() - TimeUnit.DAYS.toNanos(1);
    private int wentAway;
    private int timedOut;
    private int evicted;
    private int failures;
    private String lastFailure;
    /**
     * Accepting rests (the backlog holds newcomers) while every slot is taken by a client being
     * written to, or for a second after accept failed (say, out of descriptors: retrying
     * at once would spin); until then at the latest, or until a slot frees.
     */
    private boolean acceptPaused;
    private long acceptPausedUntil;

    /** Binds {@code address} and starts serving on the thread "metrics". */
    static MetricsServer start(InetSocketAddress address, String contentType, Body body) throws IOException {
        return new MetricsServer(address, contentType, body, Limits.DEFAULT);
    }

    /** For tests: other limits (short timeouts, a small cap). */
    MetricsServer(InetSocketAddress address, String contentType, Body body, Limits limits) throws IOException {
        this.contentType = contentType;
        this.body = body;
        this.limits = limits;
        server = ServerSocketChannel.open();
        try {
            server.bind(address, BACKLOG);
            server.configureBlocking(false);
            port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            selector = Selector.open();
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        thread = new Thread(this::run, "metrics");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return port;
    }

    /** Connections open right now (for tests). */
    int openConnections() {
        return open;
    }

    /** The most client descriptors held at once, closed ones the selector had yet to release included (for tests). */
    int peakDescriptors() {
        return peakDescriptors;
    }

    private void run() {
        try {
            while (!closed) {
                long now = System.nanoTime();
                expire(now);
                report(now);
                unreleased = 0; // this select releases them before it calls ready()
                selector.select(this::ready, waitMillis(now));
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                LOG.error("metrics server stopped: {}", e.toString());
            }
        } finally {
            report(System.nanoTime() + ms(limits.reportEveryMs())); // what the last period saw, once
            for (Exchange x : exchanges) {
                closeQuietly(x.channel);
            }
            exchanges.clear();
            open = 0;
            closeQuietly(selector);
            closeQuietly(server);
        }
    }

    private void ready(SelectionKey key) {
        if (!key.isValid()) {
            return; // evicted earlier in this round
        }
        if (key.attachment() == null) {
            acceptAll();
            return;
        }
        Exchange x = (Exchange) key.attachment();
        step(x, key.isReadable(), key.isWritable());
    }

    /** Reads or writes what {@code x} is ready for; a client gone or a bug closes it, nothing more. */
    private void step(Exchange x, boolean readable, boolean writable) {
        try {
            if (readable) {
                read(x);
            } else if (writable) {
                write(x);
            }
        } catch (IOException e) {
            // Reset, broken pipe: the client left before its answer. Counted, not logged each time.
            if (x.state != State.FINISHING) {
                wentAway++;
            }
            close(x, false);
        } catch (RuntimeException e) {
            failed("exchange failed: " + e); // a bug here must not end the server for every later scrape
            close(x, true);
        }
    }

    /**
     * Accepts while a slot is free. A channel closed in this round still holds its descriptor
     * until the next select, so it still takes a slot: with a flood of newcomers each replacing
     * an evicted client, closing a cap-full and accepting a cap-full in one round would hold
     * twice the cap. At the cap, so, one newcomer per round replaces one client, and batond
     * holds at most {@code maxConnections + 1} client descriptors. The listener stays ready, so
     * the next round comes at once; other clients are served in between.
     */
    private void acceptAll() {
        long now = System.nanoTime();
        // At most a cap-full and one per round, whatever fails, so the loop gets to its other clients.
        for (int round = 0; round <= limits.maxConnections(); round++) {
            Exchange victim = null;
            if (exchanges.size() + unreleased >= limits.maxConnections()) {
                if (unreleased > 0) {
                    return; // released by the next select, which finds the listener still ready
                }
                victim = evictable();
                if (victim == null) {
                    pauseAccepting(now + ms(limits.restMs()));
                    return;
                }
            }
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (IOException e) {
                failed("accept: " + e.getMessage());
                pauseAccepting(now + TimeUnit.SECONDS.toNanos(1));
                return;
            }
            if (channel == null) {
                return;
            }
            peakDescriptors = Math.max(peakDescriptors, exchanges.size() + unreleased + 1);
            if (victim != null) {
                if (victim.state != State.FINISHING) {
                    evicted++; // an answered one was not dropped before its answer
                }
                close(victim, false);
            }
            try {
                channel.configureBlocking(false);
                Exchange x = new Exchange(channel, now + ms(limits.readTimeoutMs()));
                x.key = channel.register(selector, SelectionKey.OP_READ, x);
                exchanges.add(x);
                open = exchanges.size();
                step(x, true, false); // its request is most likely there already
            } catch (IOException e) {
                failed("accept: " + e.getMessage());
                closeQuietly(channel);
            }
        }
    }

    /**
     * The one to drop for a newcomer: the oldest whose request is still incomplete, else the oldest
     * already answered (its answer is with the kernel; closing sends a FIN after it, as the client's
     * own close would have). Only one still being written to is never dropped.
     */
    private Exchange evictable() {
        Exchange answered = null;
        for (Exchange x : exchanges) {
            if (x.state == State.READING) {
                return x;
            }
            if (x.state == State.FINISHING && answered == null) {
                answered = x;
            }
        }
        return answered;
    }

    private void pauseAccepting(long until) {
        acceptPaused = true;
        acceptPausedUntil = until;
        server.keyFor(selector).interestOps(0);
    }

    private void resumeAccepting() {
        acceptPaused = false;
        server.keyFor(selector).interestOps(SelectionKey.OP_ACCEPT);
    }

    private void read(Exchange x) throws IOException {
        in.clear();
        int n = x.channel.read(in);
        if (n < 0) {
            if (x.state == State.READING) {
                wentAway++; // closed before sending its whole request
            }
            close(x, false);
            return;
        }
        if (x.state == State.FINISHING) {
            return; // what a client sends after its request is not read, only discarded
        }
        in.flip();
        int room = limits.maxHead() - x.length;
        int searched = x.length;
        x.append(in, Math.min(n, room));
        int end = MetricsRequest.headEnd(x.head, x.length, searched);
        if (end >= 0) {
            answer(x, MetricsRequest.answer(x.head, end));
        } else if (n > room || x.length >= limits.maxHead()) {
            answer(x, MetricsRequest.Answer.HEAD_TOO_LARGE);
        }
    }

    private void answer(Exchange x, MetricsRequest.Answer answer) throws IOException {
        x.head = null; // no longer needed: the answer is all this exchange holds now
        byte[] content;
        String type = contentType;
        if (answer == MetricsRequest.Answer.METRICS || answer == MetricsRequest.Answer.METRICS_HEADERS) {
            content = render();
            if (content == null) {
                answer = MetricsRequest.Answer.INTERNAL_ERROR;
            }
        } else {
            content = null;
        }
        if (content == null) {
            type = "text/plain; charset=utf-8";
            content = (answer.status + " " + answer.reason + (answer == MetricsRequest.Answer.NOT_FOUND
                    ? ": batond serves GET " + MetricsRequest.PATH : "") + "\n").getBytes(StandardCharsets.US_ASCII);
        }
        StringBuilder head = new StringBuilder(160)
                .append("HTTP/1.1 ").append(answer.status).append(' ').append(answer.reason).append("\r\n")
                .append("Content-Type: ").append(type).append("\r\n")
                .append("Content-Length: ").append(content.length).append("\r\n");
        if (answer == MetricsRequest.Answer.METHOD_NOT_ALLOWED) {
            head.append("Allow: GET, HEAD\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.US_ASCII);
        boolean withBody = answer != MetricsRequest.Answer.METRICS_HEADERS;
        byte[] bytes = Arrays.copyOf(headBytes, headBytes.length + (withBody ? content.length : 0));
        if (withBody) {
            System.arraycopy(content, 0, bytes, headBytes.length, content.length);
        }
        x.out = ByteBuffer.wrap(bytes);
        x.state = State.WRITING;
        x.deadline = System.nanoTime() + ms(limits.writeTimeoutMs());
        x.key.interestOps(SelectionKey.OP_WRITE);
        write(x); // most answers fit in the socket's buffer: no need to wait for the selector
    }

    /** The metrics, rendered now or reused from a moment ago; null when rendering failed. */
    private byte[] render() {
        long now = System.nanoTime();
        if (lastBody != null && now - lastBodyAt < ms(limits.reuseBodyMs())) {
            return lastBody;
        }
        lastBody = null;
        CappedBytes out = new CappedBytes(limits.maxBody());
        try {
            body.writeTo(out);
        } catch (IOException | RuntimeException e) {
            failed("cannot render the metrics: " + e);
            return null;
        }
        lastBody = out.toByteArray();
        lastBodyAt = now;
        return lastBody;
    }

    private void write(Exchange x) throws IOException {
        x.channel.write(x.out);
        if (x.out.hasRemaining()) {
            return;
        }
        x.out = null;
        // Closing with unread input would reset the connection, and a reset can destroy the answer
        // still on its way to the client: shut output, then read until the client closes.
        x.channel.shutdownOutput();
        x.state = State.FINISHING;
        x.deadline = System.nanoTime() + ms(limits.lingerMs());
        x.key.interestOps(SelectionKey.OP_READ);
    }

    /** Closes every exchange past its deadline, and resumes accepting after a pause. */
    private void expire(long now) {
        for (int i = exchanges.size() - 1; i >= 0; i--) {
            Exchange x = exchanges.get(i);
            if (now - x.deadline >= 0) {
                if (x.state != State.FINISHING) {
                    timedOut++;
                }
                // A client that never reads: reset, so the kernel drops the unsent answer too.
                close(x, x.state == State.WRITING);
            }
        }
        if (acceptPaused && now - acceptPausedUntil >= 0) {
            resumeAccepting();
        }
    }

    /** How long select may wait: until the next deadline or report, or indefinitely (0) when idle. */
    private long waitMillis(long now) {
        long next = Long.MAX_VALUE;
        for (Exchange x : exchanges) {
            next = Math.min(next, x.deadline - now);
        }
        if (acceptPaused) {
            next = Math.min(next, acceptPausedUntil - now);
        }
        if (hasUnreported()) {
            next = Math.min(next, reportedAt + ms(limits.reportEveryMs()) - now);
        }
        if (next == Long.MAX_VALUE) {
            return 0;
        }
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(next) + 1);
    }

    private boolean hasUnreported() {
        return wentAway + timedOut + evicted + failures > 0;
    }

    /** At most one line per reporting period, summing up what happened since the last one. */
    private void report(long now) {
        if (!hasUnreported() || now - reportedAt < ms(limits.reportEveryMs())) {
            return;
        }
        if (wentAway + timedOut + evicted > 0) {
            LOG.info("metrics: {} client(s) went away or were dropped before their answer in the last minute"
                            + " ({} timed out, {} over the {}-connection cap)",
                    wentAway + timedOut + evicted, timedOut, evicted, limits.maxConnections());
        }
        if (failures > 0) {
            LOG.warn("metrics: {} ({} time(s) in the last minute)", lastFailure, failures);
        }
        wentAway = timedOut = evicted = failures = 0;
        lastFailure = null;
        reportedAt = now;
    }

    private void failed(String what) {
        failures++;
        lastFailure = what;
    }

    private void close(Exchange x, boolean reset) {
        if (reset) {
            try {
                x.channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            } catch (IOException | RuntimeException ignored) {
                // closing is what matters
            }
        }
        closeQuietly(x.channel); // also cancels its key; the descriptor goes at the next select
        unreleased++;
        exchanges.remove(x);
        open = exchanges.size();
        if (acceptPaused && !closed) {
            resumeAccepting(); // a slot is free
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // nothing left to release
        }
    }

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }

    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            closeQuietly(server); // the thread is stuck somewhere: at least free the port
        }
    }

    /** One connection: the request head so far, then the answer. */
    private static final class Exchange {
        final SocketChannel channel;
        SelectionKey key;
        State state = State.READING;
        long deadline;
        byte[] head = new byte[512];
        int length;
        ByteBuffer out;

        Exchange(SocketChannel channel, long deadline) {
            this.channel = channel;
            this.deadline = deadline;
        }

        void append(ByteBuffer from, int count) {
            if (length + count > head.length) {
                head = Arrays.copyOf(head, Math.max(length + count, head.length * 2));
            }
            from.get(head, length, count);
            length += count;
        }
    }

    /** A byte array output that refuses to grow past its cap. */
    private static final class CappedBytes extends ByteArrayOutputStream {
        private final int cap;

        CappedBytes(int cap) {
            super(8192);
            this.cap = cap;
        }

        @Override
        public void write(int b) {
            check(1);
            super.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            check(len);
            super.write(b, off, len);
        }

        private void check(int more) {
            if (count + more > cap) {
                throw new IllegalStateException("the metrics exceed " + cap + " bytes");
            }
        }
    }
}
